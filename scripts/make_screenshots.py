"""Screenshots of every screen in realistic states, for docs/ and the README.

Run under a virtual X server from the repository root:

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/make_screenshots.py

It uses a throw-away home (settings, local account, keyring file), the real local backend,
the real tiny.en model on speech made with espeak-ng, replayed as the interviewer and the
candidate, and a local OpenAI-compatible server on 127.0.0.1 for the streamed answer. With
PulseAudio running (source .ci/services.sh) the first-run page shows live level meters.
Writes docs/screenshots/*.png; `--only history,network` writes only the shots whose names
start with one of those words (and skips the first-run pages unless asked for).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT))

CV = """Dana Whitfield
Senior Backend Engineer · Berlin · dana.whitfield@example.org

Experience
Backend Engineer, Parcelwise (2019–2024)
- Led the migration from a monolith to six Python services on Kubernetes with zero downtime.
- Designed a rate limiter in Go and Redis that cut API abuse by 80 percent.
- Built PostgreSQL reporting pipelines processing 40 million rows a day.
Software Engineer, Lumen Health (2016–2019)
- Wrote FastAPI services for appointment booking used by 300 clinics.
- Mentored four junior engineers; introduced code review guidelines.

Skills
Python, Go, PostgreSQL, Redis, Kubernetes, AWS, FastAPI, Terraform basics

Education
BSc Computer Science, TU Munich (2016)
"""

JOB = """Senior Backend Engineer — Northwind Logistics (Hamburg or remote)

You will design Python and Go services that route two million parcels a day, own our
PostgreSQL data model, run workloads on Kubernetes in AWS and mentor engineers.

Requirements: 5+ years of backend engineering; Python or Go; PostgreSQL; Kubernetes;
Terraform; experience with event-driven systems (Kafka) is a plus.
"""

ANSWER = ("At Parcelwise I led the move from a monolith to six Python services on Kubernetes. "
          "We migrated one service at a time behind the same API gateway, so customers saw "
          "zero downtime, and I set up the Helm charts and the deployment pipeline the team "
          "still uses.")


def wait_until(app: object, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Runs the event loop until `condition` holds. (A nested QEventLoop, not
    processEvents(): PySide6 6.12 on Python 3.11 loses a reference to None per
    processEvents() call.)"""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the state for the screenshot")
        loop = QEventLoop()
        QTimer.singleShot(30, loop.quit)
        loop.exec()


def settle(app: object, seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(app, lambda: time.monotonic() >= end, timeout=seconds + 5)


ONLY: tuple[str, ...] = ()


def wanted(name: str) -> bool:
    return not ONLY or name.startswith(ONLY)


def save(widget: object, name: str) -> None:
    if not wanted(name):
        return
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    print(f"wrote {path.relative_to(ROOT)}")


def play_into_sinks(folder: Path) -> list[object]:
    """Speech into the PulseAudio test sinks, so both meters move (nothing without Pulse)."""
    import shutil
    import subprocess

    if shutil.which("paplay") is None:
        return []
    players = []
    for sink, name in (("candidate_mic", "reply.wav"), ("interviewer", "question.wav")):
        players.append(subprocess.Popen(["paplay", f"--device={sink}", str(folder / name)],
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))
    return players


def speech(folder: Path) -> tuple[Path, Path]:
    """The interviewer's and the candidate's sides of a short interview."""
    import numpy as np
    import soundfile
    from tests.support.speech import read_wav, say

    def clip(text: str, name: str) -> np.ndarray:
        samples, _rate = read_wav(say(text, folder / f"{name}.wav", wpm=140))
        return samples

    def gap(seconds: float) -> np.ndarray:
        return np.zeros(int(16_000 * seconds), dtype=np.float32)

    hello = clip("Hi Dana, thanks for joining us today.", "hello")
    reply = clip("Thanks for having me, I am happy to be here.", "reply")
    question = clip("Tell me about your experience with Python services on Kubernetes.",
                    "question")
    interviewer = np.concatenate([gap(0.6), hello, gap(reply.size / 16_000 + 1.2), question,
                                  gap(20.0)])
    candidate = np.concatenate([gap(0.6 + hello.size / 16_000 + 0.6), reply,
                                gap(question.size / 16_000 + 20.0)])
    soundfile.write(str(folder / "interviewer.wav"), interviewer, 16_000)
    soundfile.write(str(folder / "candidate.wav"), candidate, 16_000)
    return folder / "interviewer.wav", folder / "candidate.wav"


def first_run(app: object, home: Path) -> None:
    from keyrings.alt.file import PlaintextKeyring

    from smart_interview.app import gui
    from smart_interview.app.paths import AppPaths

    setup_keyring = PlaintextKeyring()
    setup_keyring.file_path = str(home / "setup-keyring.cfg")  # type: ignore[misc]
    setup = gui.build_window(AppPaths.under(home / "setup"), show_first_run=False,
                             keyring_backend=setup_keyring, allow_insecure_keyring=True)
    wizard = setup.open_first_run()
    wizard.next()
    players = play_into_sinks(home)
    settle(app, 1.2)
    wizard.device_picker.play_test_sound()
    wait_until(app, lambda: "captured" in wizard.device_picker.test_status.text()
               or "Nothing" in wizard.device_picker.test_status.text(), 20)
    save(wizard, "first-run-audio")
    for player in players:
        player.terminate()
    wizard.next()
    model_picker = wizard.model_picker
    model_picker.combo.setCurrentIndex(model_picker.combo.findData("base"))
    if model_picker.prepare_selected() is not None:
        wait_until(app, lambda: model_picker.progress.value() >= 35, 60)
        save(wizard, "first-run-model")
        model_picker.cancel()
        wait_until(app, lambda: model_picker.job is None, 30)
    model_picker.combo.setCurrentIndex(model_picker.combo.findData("tiny.en"))
    wizard.reject()
    setup.close()
    setup.context.services.shutdown()


def main() -> int:
    global ONLY
    if len(sys.argv) == 3 and sys.argv[1] == "--only":
        ONLY = tuple(w for w in sys.argv[2].split(",") if w)
    home = Path(tempfile.mkdtemp(prefix="si-screens-"))
    os.environ["HOME"] = str(home)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    OUT.mkdir(parents=True, exist_ok=True)
    from keyrings.alt.file import PlaintextKeyring

    from smart_interview.app import gui
    from smart_interview.app.benchmarks.llm_server import LlmServer, Reply
    from smart_interview.app.paths import AppPaths

    keyring_backend = PlaintextKeyring()
    keyring_backend.file_path = str(home / "keyring.cfg")  # type: ignore[misc]
    interviewer, candidate = speech(home)
    app = gui.make_application()
    server = LlmServer().start()
    server.default_reply = Reply.text(ANSWER, ttft_s=0.3, gap_s=0.04)
    window = None
    try:
        # First run on the real devices: live meters while sound plays (PulseAudio).
        if wanted("first-run"):
            first_run(app, home)

        # One local backend at a time in a process (its migrations share global state).
        window = gui.build_window(AppPaths.under(home / "si"), show_first_run=False,
                                  keyring_backend=keyring_backend, allow_insecure_keyring=True,
                                  interviewer_file=interviewer, mic_file=candidate)
        window.resize(1280, 800)
        window.show()
        context = window.context

        # History, before any interview is kept: off, with the button to turn it on.
        window.show_page("history")
        settle(app, 0.3)
        save(window, "history-off")
        window.history.turn_on_button.click()

        # Profile & CV: upload → preview, then stored with its summary.
        account = context.services.account()
        window.show_page("profile")
        wait_until(app, lambda: "Local account" in window.profile.account_panel.state.text())
        dialog = window.profile.open_upload()
        dialog.paste_edit.setPlainText(CV)
        dialog.preview_pasted()
        wait_until(app, lambda: dialog.stack.currentIndex() == 1)
        settle(app, 0.2)
        save(dialog, "cv-preview")
        dialog.confirm()
        wait_until(app, lambda: window.profile.cv is not None)
        wait_until(app, lambda: window.profile.summary_state.text().startswith("✓"), 30)
        settle(app, 0.3)
        save(window, "profile-cv")

        # Dossiers: one ready, picked for the interview.
        dossier = account.create_dossier(job_title="Senior Backend Engineer",
                                         company="Northwind Logistics", job_description=JOB)
        account.wait_for_dossier(dossier.id, timeout=60, interval=0.5)
        account.create_dossier(job_title="Platform Engineer", company="Contoso Cloud",
                               job_description=JOB.replace("Northwind Logistics",
                                                           "Contoso Cloud"))
        window.show_page("dossiers")
        wait_until(app, lambda: window.dossiers.list.count() == 2)
        window.dossiers.list.setCurrentRow(1)
        wait_until(app, lambda: window.dossiers.detail.dossier is not None
                   and window.dossiers.detail.dossier.id == dossier.id
                   and window.dossiers.detail.dossier.status == "ready")
        window.dossiers.detail.use_button.click()
        window.show_page("dossiers")
        wait_until(app, lambda: window.dossiers.detail.dossier is not None
                   and window.dossiers.detail.dossier.id == dossier.id)
        settle(app, 0.3)
        save(window, "dossiers")

        # Delete-CV confirmation (cancelled).
        window.show_page("profile")
        wait_until(app, lambda: len(window.profile.dossiers) == 2)
        delete = window.profile.open_delete()
        settle(app, 0.3)
        save(delete, "delete-cv")
        delete.reject()

        # Live interview with a streamed answer, and the overlay.
        context.settings.answers.provider = "openai_compatible"
        context.settings.answers.model = "llama3.1"
        context.settings.answers.base_url = server.openai_base_url
        context.save_settings()
        window.show_page("interview")
        interview = window.interview
        interview.start()
        wait_until(app, lambda: interview.state == "live")
        window.set_overlay_visible(True)
        window.overlay.move(window.geometry().right() - 480, window.geometry().top() + 90)
        wait_until(app, lambda: interview.answer_panel.current is not None
                   and interview.answer_panel.current.done, 90)
        settle(app, 0.5)
        save(window, "interview-live")
        save(window.overlay, "overlay")
        interview.stop()
        wait_until(app, lambda: interview.state == "idle", 30)

        window.show_page("settings")
        settle(app, 0.5)
        save(window, "settings")

        # Network: what this run of the app sent, and where.
        window.show_page("network")
        settle(app, 0.5)
        save(window, "network")

        # History: the interview just kept, opened.
        window.show_page("history")
        wait_until(app, lambda: window.history.list.count() == 1)
        settle(app, 0.5)
        save(window, "history")
    finally:
        from smart_interview.ui.live_worker import wait_for_live_threads

        if window is not None:
            window.close()
            wait_for_live_threads()
            window.context.services.shutdown()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
