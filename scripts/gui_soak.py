"""A long interview through the real window: the conversation played into PulseAudio.

    python scripts/gui_soak.py --minutes 30            # prints a row a minute, then checks

It renders a two-person conversation of at least --minutes (the referenced speech clips of
../shared/data/speech again and again, or espeak-ng lines when that folder is absent), ending
with an interviewer line the transcript must reach. The app runs as its own process with a
fresh data folder, under Xvfb when there is no display and in a private D-Bus session with
gnome-keyring when there is one to start (so history is recorded as a user's would be); the
main window is shown and its Start button clicked. The interviewer's track plays into the
null sink `interviewer` (the default output, whose monitor is the system audio) and the
candidate's into `candidate_mic` (whose monitor is the default input), at real-time pace, as
`.ci/services.sh` sets them up. Each minute it prints the app's RSS, CPU and transcript
progress; at the end it checks that the app is still alive, that the transcript reached the
last turn, and how far RSS grew after minute 5. Exit status 0 only when every check passes.
`--json FILE` keeps the samples. The app's own side of it is `--child` (not for users).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SR = 16_000
GAP_S = 1.0
LAST_LINE = "That was my last question for today, thank you very much for your time."
FALLBACK_LINES = [
    ("interviewer", "Tell me about a project you are proud of and what you built."),
    ("candidate", "I rebuilt the billing pipeline so that every payment is recorded once."),
    ("interviewer", "How did you make sure the new system stayed healthy in production?"),
    ("candidate", "We added dashboards and alerts, and we rolled it out one region at a time."),
]
ROOT = Path(__file__).resolve().parents[1]


# -- the conversation ----------------------------------------------------------------------

def espeak(text: str) -> np.ndarray:
    from smart_interview.transcription.audio_file import read_audio

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "line.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(wav), text],
                       check=True, capture_output=True)
        return read_audio(wav)


def turns(data: Path | None) -> list[tuple[str, np.ndarray]]:
    """One pass over the material, alternating speakers."""
    if data is not None and (data / "references.tsv").is_file():
        from smart_interview.transcription.audio_file import read_audio
        from smart_interview.transcription.reference_clips import load_reference_clips

        clips = load_reference_clips(data / "references.tsv")
        return [("interviewer" if i % 2 == 0 else "candidate", read_audio(c.path))
                for i, c in enumerate(clips)]
    return [(speaker, espeak(text)) for speaker, text in FALLBACK_LINES]


def render(minutes: float, data: Path | None, folder: Path) -> tuple[float, dict[str, Path]]:
    """Writes interviewer.wav and candidate.wav (same length); returns their seconds."""
    import soundfile

    one_pass = turns(data)
    order: list[tuple[str, np.ndarray]] = []
    while sum(a.size / SR + GAP_S for _, a in order) < minutes * 60:
        order += one_pass
    order.append(("interviewer", espeak(LAST_LINE)))
    total = int(sum(a.size + GAP_S * SR for _, a in order)) + 3 * SR
    tracks = {s: np.zeros(total, dtype=np.float32) for s in ("interviewer", "candidate")}
    at = SR // 2
    for speaker, audio in order:
        tracks[speaker][at: at + audio.size] = audio
        at += audio.size + int(GAP_S * SR)
    paths = {}
    for speaker, track in tracks.items():
        paths[speaker] = folder / f"{speaker}.wav"
        soundfile.write(paths[speaker], track, SR, subtype="PCM_16")
    return total / SR, paths


# -- the app's side ------------------------------------------------------------------------

def child(progress: Path, stop_flag: Path) -> int:
    from smart_interview.app.privacy import apply_process_privacy

    tracing = os.environ.get("GUI_SOAK_TRACEMALLOC") == "1"
    if tracing:
        import tracemalloc

        tracemalloc.start(8)

    apply_process_privacy()
    from PySide6.QtCore import QTimer

    from smart_interview.app import gui, wiring
    from smart_interview.app.crash_guard import CrashGuard

    paths = wiring.app_paths().ensure()
    guard = CrashGuard(paths.log_dir)
    guard.install()
    app = gui.make_application()
    window = gui.build_window(paths, show_first_run=False, crash_guard=guard)
    window.show()
    view = window.interview

    def report() -> None:
        finals = view.transcript.final_texts("interviewer")
        line = {"t": time.time(), "state": view.state,
                "finals": len(view.transcript.final_texts()),
                "last_interviewer": finals[-1] if finals else "",
                "questions": len(view.answer_panel.items)}
        with progress.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
        if stop_flag.exists() and view.state == "live":
            view.stop()
        elif stop_flag.exists() and view.state == "idle":
            window.close()

    timer = QTimer(window)
    timer.timeout.connect(report)
    timer.start(2000)
    if tracing:
        growth = QTimer(window)
        growth.timeout.connect(lambda: allocation_growth(progress.with_name("allocations.txt")))
        growth.start(60_000)
    QTimer.singleShot(500, view.start_button.click)
    code = gui.run_event_loop(app)
    guard.close()
    return code


_BASELINE: list[object] = []


def allocation_growth(out: Path) -> None:
    """The ten allocation sites that grew most since the first call (tracemalloc)."""
    import tracemalloc

    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)])
    if not _BASELINE:
        _BASELINE.append(snapshot)
        return
    top = snapshot.compare_to(_BASELINE[0], "traceback")[:10]  # type: ignore[arg-type]
    with out.open("w", encoding="utf-8") as handle:
        traced = sum(s.size for s in snapshot.statistics("filename")) / 2**20
        handle.write(f"python heap traced: {traced:.1f} MB\n")
        for stat in top:
            handle.write(f"{stat.size_diff / 2**20:+.2f} MB {stat.count_diff:+d} blocks\n")
            handle.writelines(f"    {line}\n" for line in stat.traceback.format()[-6:])


# -- the driver ----------------------------------------------------------------------------

def start_display() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    for number in range(90, 110):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            break
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1440x900x24", "-nolisten",
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if time.monotonic() > deadline or xvfb.poll() is not None:
            raise SystemExit("gui-soak: Xvfb did not start")
        time.sleep(0.1)
    os.environ["DISPLAY"] = f":{number}"
    return xvfb


def app_command(progress: Path, stop_flag: Path) -> list[str]:
    me = [sys.executable, str(Path(__file__).resolve()), "--child", str(progress),
          str(stop_flag)]
    if shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon"):
        unlock = ('eval "$(printf soak | gnome-keyring-daemon --unlock --components=secrets)";'
                  ' export GNOME_KEYRING_CONTROL; exec "$@"')
        return ["dbus-run-session", "--", "bash", "-c", unlock, "soak", *me]
    return me


def app_process(launcher: subprocess.Popen[bytes], wait_s: float = 60) -> Any:
    """The Python process of the app (below dbus-run-session and bash when they are used)."""
    import psutil

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        family = [psutil.Process(launcher.pid), *psutil.Process(launcher.pid).children(True)]
        for proc in family:
            try:
                if "--child" in proc.cmdline() and "python" in Path(proc.exe()).name:
                    return proc
            except psutil.Error:
                continue
        time.sleep(0.2)
    raise SystemExit("gui-soak: the app process did not start")


def last_progress(progress: Path) -> dict[str, object]:
    try:
        lines = progress.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    return json.loads(lines[-1]) if lines else {}


def overlap(said: str, heard: str) -> float:
    words = {w.strip(".,?!").lower() for w in said.split()}
    got = {w.strip(".,?!").lower() for w in heard.split()}
    return len(words & got) / max(1, len(words))


def drive(args: argparse.Namespace) -> int:
    import psutil

    data = None if args.data == "none" else Path(args.data) if args.data else _shared_speech()
    with tempfile.TemporaryDirectory(prefix="si-gui-soak-") as tmp:
        folder = Path(tmp)
        seconds, wavs = render(args.minutes, data, folder)
        print(f"gui-soak: {seconds / 60:.1f} min of conversation "
              f"({'speech clips' if data else 'espeak-ng lines'})", flush=True)
        progress, stop_flag = folder / "progress.jsonl", folder / "stop"
        env = {**os.environ, "SMART_INTERVIEW_HOME": str(folder / "home"),
               "HOME": str(folder / "user"), "PYTHONPATH": str(ROOT / "src"),
               "GUI_SOAK_TRACEMALLOC": "1" if args.trace_allocations else "0"}
        env.pop("QT_QPA_PLATFORM", None)
        (folder / "user").mkdir()
        settings = folder / "home" / "config" / "settings.json"
        settings.parent.mkdir(parents=True)
        settings.write_text(json.dumps({"ui": {"first_run_done": True,
                                               "history_enabled": True}}))
        xvfb = start_display()
        env["DISPLAY"] = os.environ["DISPLAY"]
        launcher = subprocess.Popen(app_command(progress, stop_flag), env=env,
                                    stdout=open(folder / "app.log", "wb"),  # noqa: SIM115
                                    stderr=subprocess.STDOUT)
        samples: list[dict[str, object]] = []
        try:
            proc = app_process(launcher)
            deadline = time.monotonic() + 300  # model, backend and keyring on a busy machine
            while last_progress(progress).get("state") != "live":
                if time.monotonic() > deadline or launcher.poll() is not None:
                    raise SystemExit("gui-soak: the interview did not start\n" +
                                     (folder / "app.log").read_text(errors="replace")[-3000:])
                time.sleep(0.5)
            players = [subprocess.Popen(["paplay", f"--device={sink}", str(wavs[speaker])])
                       for speaker, sink in (("interviewer", "interviewer"),
                                             ("candidate", "candidate_mic"))]
            started = time.monotonic()
            proc.cpu_percent(None)
            print("minute  rss_mb  cpu_%  finals  questions  state", flush=True)
            while any(p.poll() is None for p in players) and proc.is_running():
                time.sleep(min(60.0, max(1.0, started + 60 * (len(samples) + 1)
                                         - time.monotonic())))
                if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
                    break
                now = last_progress(progress)
                sample = {"minute": round((time.monotonic() - started) / 60, 1),
                          "rss_mb": round(proc.memory_info().rss / 2**20),
                          "cpu_percent": round(proc.cpu_percent(None)),
                          "finals": now.get("finals"), "questions": now.get("questions"),
                          "state": now.get("state")}
                samples.append(sample)
                print(f"{sample['minute']:>6} {sample['rss_mb']:>7} {sample['cpu_percent']:>6} "
                      f"{sample['finals']!s:>7} {sample['questions']!s:>10}  {sample['state']}",
                      flush=True)
            alive = launcher.poll() is None and proc.is_running()
            reached = False
            deadline = time.monotonic() + 30
            while alive and time.monotonic() < deadline and not reached:
                reached = overlap(LAST_LINE, str(last_progress(progress).get(
                    "last_interviewer", ""))) >= 0.6
                time.sleep(1)
            stop_flag.touch()
            code = launcher.wait(timeout=120) if alive else launcher.returncode
        finally:
            if launcher.poll() is None:
                launcher.kill()
            if xvfb is not None:
                xvfb.terminate()
        allocations = folder / "allocations.txt"
        if allocations.exists():
            print("gui-soak: allocation sites that grew most (tracemalloc, since minute 1):")
            print(allocations.read_text(encoding="utf-8"))
        return report(samples, alive=alive, reached=reached, exit_code=code,
                      last=str(last_progress(progress).get("last_interviewer", "")),
                      log=(folder / "app.log").read_text(errors="replace"),
                      json_out=args.json)


def report(samples: list[dict[str, object]], *, alive: bool, reached: bool, exit_code: int | None,
           last: str, log: str, json_out: Path | None) -> int:
    rss = [int(s["rss_mb"]) for s in samples]  # type: ignore[call-overload]
    after5 = [int(s["rss_mb"]) for s in samples if float(s["minute"]) >= 5]  # type: ignore[arg-type]
    growth = (max(after5) - after5[0]) if after5 else None
    cpu = [float(s["cpu_percent"]) for s in samples]  # type: ignore[arg-type]
    print(f"gui-soak: alive to the end: {alive}; transcript reached the last turn: {reached} "
          f"(last interviewer line: {last!r}); exit code {exit_code}")
    if rss:
        print(f"gui-soak: RSS {rss[0]} MB at minute 1, peak {max(rss)} MB, "
              f"growth after minute 5: {growth} MB; CPU mean {np.mean(cpu):.0f} % "
              f"(100 % = one core)")
    if "Fatal Python error" in log or not alive:
        print(log[-4000:])
    if json_out is not None:
        json_out.write_text(json.dumps({"samples": samples, "alive": alive, "reached": reached,
                                        "exit_code": exit_code, "rss_growth_after_5_min_mb":
                                        growth}, indent=2))
    return 0 if alive and reached and exit_code == 0 else 1


def _shared_speech() -> Path | None:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "data" / "speech"
        if (candidate / "references.tsv").is_file():
            return candidate
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--data", help="folder with references.tsv; 'none' for espeak-ng lines")
    parser.add_argument("--json", type=Path, help="write the samples and checks here")
    parser.add_argument("--trace-allocations", action="store_true",
                        help="tracemalloc in the app: print the ten sites that grew most")
    parser.add_argument("--child", nargs=2, metavar=("PROGRESS", "STOP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(Path(args.child[0]), Path(args.child[1]))
    return drive(args)


if __name__ == "__main__":
    sys.exit(main())
