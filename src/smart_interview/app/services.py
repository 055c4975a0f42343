"""The desktop app's one door to the engines: devices, models, keys, the account and the live
interview, all built through the app's wiring.

Everything here may block (devices, HTTP, model loading) and is called from jobs or the live
worker's thread, except the cheap reads marked "GUI thread". The sync session (with the
embedded local backend when no server URL is set) is opened once, on first use, and reused.
Every request goes through the one `NetworkDoor` (`door`), whose log the Network page shows;
saved interviews are the `history_store()` (`app.history`).
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
from typing import TYPE_CHECKING

from smart_interview.app.crash_guard import CrashGuard, PreviousCrash
from smart_interview.app.errors import AppError
from smart_interview.app.interview_session import (
    EventSink,
    HistoryTarget,
    InterviewOptions,
    InterviewSession,
    KeyringAccess,
    SpeechModels,
    StoredContext,
)
from smart_interview.app.network.door import NetworkDoor
from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings
from smart_interview.app.sources import SourceOptions, open_source
from smart_interview.models.transcript import Speaker

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from smart_interview.app.history import HistoryStore, KeySource
    from smart_interview.app.sync_wiring import SyncSession
    from smart_interview.audio.source import AudioChunk, CaptureEvent, CaptureSource
    from smart_interview.models.account import AccountStatus
    from smart_interview.sync.account_service import AccountService, CvPreview
    from smart_interview.sync.secrets import SecretStore
    from smart_interview.transcription.registry import ModelRegistry

TEST_TONE_HZ = 660.0
TEST_TONE_SECONDS = 0.8

ChunkSink = Callable[["AudioChunk"], None]
CaptureSink = Callable[["CaptureEvent"], None]
SessionBuilder = Callable[[EventSink], InterviewSession]
"""builder(on_event) → an interview session that is not started yet."""


def _noop(_item: object) -> None:
    return None


class AppServices:
    def __init__(self, *, paths: AppPaths, settings: Settings, platform: str = sys.platform,
                 keyring_backend: KeyringBackend | None = None,
                 allow_insecure_keyring: bool = False,
                 interviewer_file: Path | None = None, mic_file: Path | None = None,
                 realtime_files: bool = True, crash_guard: CrashGuard | None = None) -> None:
        self.paths = paths
        self.settings = settings
        self.platform = platform
        self.keyring = KeyringAccess(backend=keyring_backend, allow_insecure=allow_insecure_keyring)
        self.interviewer_file = interviewer_file
        self.mic_file = mic_file
        self.realtime_files = realtime_files
        self.door = NetworkDoor()
        self.crash_guard = crash_guard or CrashGuard(paths.log_dir)
        """Marks a running interview, so the next start can tell that the app died in one."""
        """The app's one network door: every request, and the log the Network page shows."""
        self._sync: SyncSession | None = None
        self._sync_lock = threading.Lock()
        self._shut_down = False
        self._status: AccountStatus | None = None
        self._models_lock = threading.Lock()
        self._speech: SpeechModels | None = None
        self._speech_key: tuple[str, int] | None = None

    # -- models ----------------------------------------------------------------------------

    def model_registry(self) -> ModelRegistry:
        from smart_interview.app import wiring

        return wiring.model_registry(self.paths)

    # -- secrets ---------------------------------------------------------------------------

    def _secrets(self) -> SecretStore:
        from smart_interview.sync.secrets import SecretStore

        backend = self.keyring.backend
        if backend is None:
            import keyring

            backend = keyring.get_keyring()
        return SecretStore(backend, allow_insecure_backend=self.keyring.allow_insecure)

    def api_key(self, provider: str) -> str | None:
        """The provider's key as stored in the keyring (errors say how to fix the keyring)."""
        from smart_interview.app.answer_wiring import api_key_name

        return self._secrets().get(api_key_name(provider))

    def set_api_key(self, provider: str, key: str | None) -> None:
        from smart_interview.app.answer_wiring import store_api_key

        store_api_key(provider, key or "", keyring_backend=self.keyring.backend,
                      allow_insecure_keyring=self.keyring.allow_insecure)

    # -- documents -------------------------------------------------------------------------

    def preview_cv_file(self, path: Path) -> CvPreview:
        """Exactly the text a CV file would be stored as (nothing is stored)."""
        from smart_interview.sync.account_service import CvPreview
        from smart_interview.sync.cv_text import extract_text

        return CvPreview(text=extract_text(path), file_name=path.name)

    def preview_cv_text(self, text: str) -> CvPreview:
        """Pasted CV text as it would be stored (nothing is stored)."""
        from smart_interview.sync.account_service import CvPreview
        from smart_interview.sync.cv_text import normalise_pasted

        return CvPreview(text=normalise_pasted(text), file_name=None)

    def document_text(self, path: Path) -> str:
        """The text of a job description (or any document the CV reader takes)."""
        from smart_interview.sync.cv_text import extract_text

        return extract_text(path)

    @staticmethod
    def checked_server_url(url: str) -> str:
        """The account server URL without a trailing slash; `AppError` when it is unusable
        or unsafe (plain http to another machine)."""
        from smart_interview.sync.client import validate_server_url
        from smart_interview.sync.errors import SyncError

        try:
            return validate_server_url(url)
        except SyncError as exc:
            raise AppError(str(exc)) from exc

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

    def source_options(self, speaker: Speaker, device: str | None) -> SourceOptions:
        """Where `speaker` is heard: `device`, or the file tests put in its place."""
        file = self.interviewer_file if speaker is Speaker.INTERVIEWER else self.mic_file
        return SourceOptions(device=device, file=file, realtime=self.realtime_files)

    def open_microphone(self, device: str | None, *, on_chunk: ChunkSink = _noop,
                        on_event: CaptureSink | None = None) -> CaptureSource:
        """A microphone source (not started), e.g. for the device test's level meter."""
        return open_source(Speaker.CANDIDATE, self.source_options(Speaker.CANDIDATE, device),
                           on_chunk=on_chunk, on_event=on_event)

    def open_system_audio(self, device: str | None, *, on_chunk: ChunkSink = _noop,
                          on_event: CaptureSink | None = None) -> CaptureSource:
        """The interviewer's (system audio) source for this OS, not started."""
        return open_source(Speaker.INTERVIEWER,
                           self.source_options(Speaker.INTERVIEWER, device),
                           on_chunk=on_chunk, on_event=on_event)

    def play_test_sound(self, output: str | None) -> None:
        """Plays a short tone where the call plays for the system-audio choice `output`: the
        sink on Linux, the output whose loopback it is on Windows, the default output on
        macOS from a separate process (never into the capture device itself: that would
        prove nothing)."""
        import numpy as np
        import soundfile

        def tone_at(rate: int) -> np.ndarray:
            t = np.arange(int(rate * TEST_TONE_SECONDS)) / rate
            envelope = np.minimum(1.0, np.minimum(t, TEST_TONE_SECONDS - t) / 0.05)
            return (0.4 * np.sin(2 * np.pi * TEST_TONE_HZ * t) * envelope).astype(np.float32)

        rate = 48_000
        # macOS: `afplay` is another process, as the call app is; the process tap leaves
        # this app's own sound out, so a tone played from here would never reach it.
        player = ("paplay" if self.platform.startswith("linux")
                  else "afplay" if self.platform == "darwin" else None)
        if player is not None and shutil.which(player):
            with tempfile.TemporaryDirectory(prefix="si-tone-") as folder:
                wav = Path(folder) / "tone.wav"
                soundfile.write(str(wav), tone_at(rate), rate)
                command = [player, str(wav)]
                if output and player == "paplay":
                    command.insert(1, f"--device={output}")
                done = subprocess.run(command, capture_output=True, text=True, timeout=10)
                if done.returncode != 0:
                    raise AppError(f"could not play the test sound: "
                                   f"{done.stderr.strip() or done.returncode}")
            return
        try:
            import sounddevice
        except OSError as exc:  # the PortAudio library itself is missing
            raise AppError(f"could not play the test sound: PortAudio is not available "
                           f"({exc}); install libportaudio2") from exc
        from smart_interview.audio.devices import list_devices, tone_output_for
        from smart_interview.audio.errors import AudioError

        try:
            target = tone_output_for(output, platform=self.platform,
                                      devices=list_devices(sounddevice))
        except AudioError as exc:
            raise AppError(f"could not play the test sound: {exc}") from exc
        if target is not None:
            rate = round(target.default_samplerate)  # WASAPI shared mode: the mix rate only
        sounddevice.play(tone_at(rate), rate, device=None if target is None else target.index,
                         blocking=True)

    # -- live interview --------------------------------------------------------------------

    def speech_models(self, settings: Settings) -> SpeechModels:
        """The Whisper model and Silero VAD, loaded once and kept for the next interview."""
        from smart_interview.app.interview_session import load_speech_models

        options = settings.transcription
        key = (options.model, options.cpu_threads)
        with self._models_lock:
            if self._speech is None or self._speech_key != key:
                self._speech = load_speech_models(self.model_registry(), options.model,
                                                  options.cpu_threads)
                self._speech_key = key
            return self._speech

    def interview_context(self, settings: Settings) -> StoredContext:
        """The CV and the selected dossier from this device's copy; empty when signed out."""
        try:
            account = self.account()
            cv = account.cached_cv()
            dossier_id = settings.ui.selected_dossier_id
            dossier = account.cached_dossier(dossier_id) if dossier_id else None
        except Exception:  # no account or keyring: questions and answers still work
            return StoredContext()
        summary = cv.summary.text if cv is not None and cv.summary.text else ""
        return StoredContext(cv_text=cv.text if cv is not None else "", cv_summary=summary,
                             dossier=dossier)

    def interview_options(self, settings: Settings) -> InterviewOptions:
        audio = settings.audio
        return InterviewOptions(
            interviewer=self.source_options(Speaker.INTERVIEWER, audio.loopback_device),
            candidate=self.source_options(Speaker.CANDIDATE, audio.mic_device),
            language=settings.transcription.language)

    def live_session_builder(self, settings: Settings) -> SessionBuilder:
        """For the live worker: builder(on_event) → an unstarted session. The models and the
        context are loaded when the builder runs (on the worker's thread)."""

        def build(on_event: EventSink) -> InterviewSession:
            context = self.interview_context(settings)
            return InterviewSession(options=self.interview_options(settings), settings=settings,
                                    speech=self.speech_models(settings), on_event=on_event,
                                    context=context, keyring=self.keyring, door=self.door,
                                    history=self.history_target(settings, context),
                                    crash_guard=self.crash_guard)

        return build

    def previous_crash(self) -> PreviousCrash | None:
        """An interview the app was running when it last died (None: it ended cleanly)."""
        return self.crash_guard.previous_crash()

    def dismiss_crash(self, crash: PreviousCrash) -> None:
        self.crash_guard.dismiss(crash)

    # -- history ---------------------------------------------------------------------------

    def history_keys(self) -> KeySource:
        """The key that encrypts saved interviews (the keyring is touched only when used)."""
        from smart_interview.app.history import KeyringKey

        return KeyringKey(_LazySecrets(self._secrets))

    def history_store(self) -> HistoryStore:
        """The saved interviews, after deleting those older than the retention period."""
        from smart_interview.app.history import open_history

        return open_history(self.paths.data_dir, keys=self.history_keys(),
                            retention_days=self.settings.ui.history_retention_days)

    def history_target(self, settings: Settings, context: StoredContext) -> HistoryTarget:
        dossier = context.dossier
        if isinstance(dossier, dict):
            title = " at ".join(str(dossier.get(k) or "") for k in ("job_title", "company")
                                if dossier.get(k))
            dossier_id = dossier.get("id")
        elif dossier is not None:
            title, dossier_id = f"{dossier.job_title} at {dossier.company}", dossier.id
        else:
            title, dossier_id = "", None
        return HistoryTarget(data_dir=self.paths.data_dir, keys=self.history_keys(),
                             dossier_title=title,
                             dossier_id=None if dossier_id is None else str(dossier_id))

    # -- account ---------------------------------------------------------------------------

    def account(self) -> AccountService:
        """The AccountService (blocking on first use: it may start the local backend and sign
        in to the local account). Call from a job."""
        with self._sync_lock:
            if self._sync is None:
                from smart_interview.app.sync_wiring import open_sync

                session = open_sync(self.paths, self.settings,
                                    keyring_backend=self.keyring.backend,
                                    allow_insecure_keyring=self.keyring.allow_insecure,
                                    door=self.door)
                if session.local_account:
                    try:
                        session.service.ensure_local_account()
                    except Exception:
                        session.close()
                        raise
                if self._shut_down:
                    # The window closed while this job was opening the session: it would
                    # otherwise outlive the app.
                    session.close()
                    raise AppError("The app is closing.")
                self._sync = session
            return self._sync.service

    def reset_account(self) -> None:
        """The server URL changed: the next `account()` opens a new session."""
        with self._sync_lock:
            session, self._sync = self._sync, None
        self._status = None
        if session is not None:
            threading.Thread(target=session.close, name="close-sync", daemon=True).start()

    def remember_status(self, status: AccountStatus) -> None:
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
        """Closes the account session. Never waits for a job that is still opening one (that
        can take as long as starting the local backend): that job closes it when it is done."""
        self._shut_down = True
        if not self._sync_lock.acquire(blocking=False):
            return
        try:
            session, self._sync = self._sync, None
        finally:
            self._sync_lock.release()
        if session is not None:
            session.close()


class _LazySecrets:
    """Opens the keyring on first use, so building a key source never touches it."""

    def __init__(self, open_secrets: Callable[[], SecretStore]) -> None:
        self._open = open_secrets
        self._secrets: SecretStore | None = None

    def _store(self) -> SecretStore:
        if self._secrets is None:
            self._secrets = self._open()
        return self._secrets

    def get(self, name: str) -> str | None:
        return self._store().get(name)

    def set(self, name: str, value: str) -> None:
        self._store().set(name, value)

    def delete(self, name: str) -> bool:
        return self._store().delete(name)
