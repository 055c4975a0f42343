"""The screens' one door to the engines, through the app's wiring.

Everything here may block (devices, HTTP, model loading) and is called from jobs or the live
worker's thread, except the cheap reads marked "GUI thread". The sync session (with the
embedded local backend when no server URL is set) is opened once, on first use, and reused.
Tests build `AppServices` on a temp home and may replace the capture sources with files
(`interviewer_file` / `mic_file`) so a live interview runs through the real pipeline.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings

TEST_TONE_HZ = 660.0
TEST_TONE_SECONDS = 0.8


def _noop(_item: object) -> None:
    return None


class AppServices:
    def __init__(self, *, paths: AppPaths, settings: Settings, platform: str = sys.platform,
                 keyring_backend: Any | None = None, allow_insecure_keyring: bool = False,
                 interviewer_file: Path | None = None, mic_file: Path | None = None,
                 realtime_files: bool = True) -> None:
        self.paths = paths
        self.settings = settings
        self.platform = platform
        self.keyring_backend = keyring_backend
        self.allow_insecure_keyring = allow_insecure_keyring
        self.interviewer_file = interviewer_file
        self.mic_file = mic_file
        self.realtime_files = realtime_files
        self._sync: Any = None
        self._sync_lock = threading.Lock()
        self._status: Any = None
        self._models_lock = threading.Lock()
        self._whisper: Any = None
        self._whisper_key: tuple[str, int] | None = None
        self._vad: Any = None

    # -- models ----------------------------------------------------------------------------

    def model_registry(self) -> Any:
        from smart_interview.app import wiring

        return wiring.model_registry(self.paths)

    # -- secrets ---------------------------------------------------------------------------

    def _secrets(self) -> Any:
        from smart_interview.sync.secrets import SecretStore

        backend = self.keyring_backend
        if backend is None:
            import keyring

            backend = keyring.get_keyring()
        return SecretStore(backend, allow_insecure_backend=self.allow_insecure_keyring)

    def api_key(self, provider: str) -> str | None:
        """The provider's key as stored in the keyring (errors say how to fix the keyring)."""
        from smart_interview.app.answer_wiring import api_key_name

        return self._secrets().get(api_key_name(provider))

    def set_api_key(self, provider: str, key: str | None) -> None:
        from smart_interview.app.answer_wiring import store_api_key

        store_api_key(provider, key or "", keyring_backend=self.keyring_backend,
                      allow_insecure_keyring=self.allow_insecure_keyring)

    # -- audio devices ---------------------------------------------------------------------

    def list_microphones(self) -> list[tuple[str, str]]:
        from smart_interview.audio.devices import list_devices

        result = []
        for device in list_devices():
            if device.max_input_channels > 0:
                mark = " — default" if device.is_default_input else ""
                result.append((device.name, f"{device.name} ({device.host_api}){mark}"))
        return result

    def list_system_outputs(self) -> list[tuple[str, str]]:
        from smart_interview.audio.devices import loopback_candidates

        return [(c.device, c.description + (" — default" if c.is_default else ""))
                for c in loopback_candidates()]

    def open_microphone(self, device: str | None, *, on_chunk: Callable[[Any], None] = _noop,
                        on_event: Callable[[Any], None] | None = None, **options: Any) -> Any:
        """A microphone source (not started); `options` go to the source (e.g. `clock`)."""
        if self.mic_file is not None:
            from smart_interview.audio.file_source import FileSource

            return FileSource(self.mic_file, realtime=self.realtime_files, label="mic",
                              on_chunk=on_chunk, on_event=on_event, **options)
        from smart_interview.audio.microphone import open_microphone

        return open_microphone(device=device, on_chunk=on_chunk, on_event=on_event, **options)

    def open_system_audio(self, device: str | None, *,
                          on_chunk: Callable[[Any], None] = _noop,
                          on_event: Callable[[Any], None] | None = None,
                          **options: Any) -> Any:
        """The interviewer's (system audio) source for this OS, not started."""
        if self.interviewer_file is not None:
            from smart_interview.audio.file_source import FileSource

            return FileSource(self.interviewer_file, realtime=self.realtime_files,
                              label="loopback", on_chunk=on_chunk, on_event=on_event,
                              **options)
        from smart_interview.audio.loopback import open_loopback

        return open_loopback(device=device, on_chunk=on_chunk, on_event=on_event, **options)

    def play_test_sound(self, output: str | None) -> None:
        """Plays a short tone into `output` (the sink the interviewer is heard from)."""
        import numpy as np
        import soundfile

        rate = 48_000
        t = np.arange(int(rate * TEST_TONE_SECONDS)) / rate
        envelope = np.minimum(1.0, np.minimum(t, TEST_TONE_SECONDS - t) / 0.05)
        tone = (0.4 * np.sin(2 * np.pi * TEST_TONE_HZ * t) * envelope).astype(np.float32)
        if self.platform.startswith("linux") and shutil.which("paplay"):
            with tempfile.TemporaryDirectory(prefix="si-tone-") as folder:
                wav = Path(folder) / "tone.wav"
                soundfile.write(str(wav), tone, rate)
                command = ["paplay", str(wav)]
                if output:
                    command.insert(1, f"--device={output}")
                done = subprocess.run(command, capture_output=True, text=True, timeout=10)
                if done.returncode != 0:
                    raise RuntimeError(f"could not play the test sound: "
                                       f"{done.stderr.strip() or done.returncode}")
            return
        from smart_interview.audio.devices import _sounddevice

        sd = _sounddevice()
        sd.play(tone, rate, device=output, blocking=True)

    # -- live interview --------------------------------------------------------------------

    def speech_models(self, settings: Settings) -> tuple[Any, Any]:
        """The Whisper model and Silero VAD, loaded once and kept for the next interview."""
        from smart_interview.transcription.vad import SileroVadModel

        options = settings.transcription
        key = (options.model, options.cpu_threads)
        with self._models_lock:
            if self._whisper_key != key:
                from smart_interview.app import wiring

                self._whisper = wiring.load_live_model(self.model_registry(), options.model,
                                                       options.cpu_threads)
                self._whisper_key = key
            if self._vad is None:
                self._vad = SileroVadModel.load()
            return self._whisper, self._vad

    def interview_context(self, settings: Settings) -> tuple[str, str, Any]:
        """(CV text, CV summary, dossier) from this device's copy; empty when signed out."""
        try:
            account = self.account()
            cv = account.cached_cv()
            dossier_id = settings.ui.selected_dossier_id
            dossier = account.cached_dossier(dossier_id) if dossier_id else None
        except Exception:  # no account or keyring: answers still work from the question
            return "", "", None
        summary = cv.summary.text if cv is not None and cv.summary.text else ""
        return (cv.text if cv is not None else ""), summary, dossier

    def live_session_builder(self, settings: Settings) -> Callable[..., Any]:
        """For the live worker: builder(on_event, on_capture) → an unstarted session."""
        from smart_interview.ui.interview_session import InterviewSession

        def build(on_event: Callable[[dict], None],
                  on_capture: Callable[[str, Any], None]) -> Any:
            return InterviewSession(services=self, settings=settings, on_event=on_event,
                                    on_capture=on_capture)

        return build

    @staticmethod
    def source_name(session: Any, kind: str) -> str:
        source = getattr(session, "sources", {}).get(kind)
        return str(getattr(source, "name", "") or "") if source is not None else ""

    @staticmethod
    def source_level(session: Any, kind: str) -> Any:
        source = getattr(session, "sources", {}).get(kind)
        return None if source is None else source.level

    # -- account ---------------------------------------------------------------------------

    def account(self) -> Any:
        """The AccountService (blocking on first use: it may start the local backend and sign
        in to the local account). Call from a job."""
        with self._sync_lock:
            if self._sync is None:
                from smart_interview.app.sync_wiring import open_sync

                session = open_sync(self.paths, self.settings,
                                    keyring_backend=self.keyring_backend,
                                    allow_insecure_keyring=self.allow_insecure_keyring)
                if session.local_account:
                    try:
                        session.service.ensure_local_account()
                    except Exception:
                        session.close()
                        raise
                self._sync = session
            return self._sync.service

    def reset_account(self) -> None:
        """The server URL changed: the next `account()` opens a new session."""
        with self._sync_lock:
            session, self._sync = self._sync, None
        self._status = None
        if session is not None:
            threading.Thread(target=session.close, name="close-sync", daemon=True).start()

    def remember_status(self, status: Any) -> None:
        self._status = status

    def account_caption(self) -> str:
        """GUI thread: one line about the account for the sidebar."""
        status = self._status
        if status is None:
            return ""
        if not status.signed_in:
            return "Not signed in"
        who = "Local account" if status.local_account else str(status.email)
        return who + ("" if status.online else " · offline")

    def cached_dossier_title(self, dossier_id: str) -> str | None:
        """GUI thread: the title of a dossier from the device's copy, if the session is open."""
        session = self._sync
        if session is None:
            return None
        try:
            dossier = session.service.cached_dossier(dossier_id)
        except Exception:
            return None
        return None if dossier is None else f"{dossier.job_title} at {dossier.company}"

    def shutdown(self) -> None:
        with self._sync_lock:
            session, self._sync = self._sync, None
        if session is not None:
            session.close()
