"""`smart-interview live --no-gui`: transcribe the interview in the terminal as it happens.

The interviewer is the system audio (`--loopback OUTPUT`, default: the OS default output) or a
file (`--interviewer-file`); the candidate is the microphone (`--mic DEVICE`) or a file
(`--candidate-file`). Partial and final text is printed with speaker labels; when a speaker's
turn has ended and was decoded again in one piece, its revised text follows as one line marked
"revised" that stands for the turn's final lines since its start time. `--jsonl` prints one
JSON object per event instead: {"type": "partial"|"final"|"revised", "speaker", "text",
"start", "end", "emitted_at", "utterance"} (a revision also has "replaces", the utterance
numbers of the finals it replaces) with times in seconds on the session clock (0 = when
capture started).
Detected questions are printed too ({"type": "question", …}), with talking points from
`--cv`/`--jd`/`--dossier` and streamed answers from `--provider` (see `--help`).
Ctrl-C stops capture, finalises what was being said, prints it and exits with code 0.
`--network-log` prints, when the session ends, every request it made (to stderr): a table and
a one-line summary. With history on in the settings, the interview is recorded as it happens
(`smart-interview history`).

The interview itself is `app.interview_session.InterviewSession`, the same one the desktop app
runs; this command only turns options into `InterviewOptions` and prints its events.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from smart_interview.app import answer_wiring, wiring
from smart_interview.app.errors import CliError
from smart_interview.app.interview_session import HistoryTarget, InterviewOptions
from smart_interview.app.sources import SourceOptions
from smart_interview.models.answers import AnswerEvent
from smart_interview.models.interview import InterviewEvent, SessionStarted
from smart_interview.models.transcript import CaptureNotice, TranscriptUpdate

if TYPE_CHECKING:
    from smart_interview.app.interview_session import InterviewSession
    from smart_interview.app.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("live", help="transcribe interviewer and candidate live")
    parser.add_argument("--no-gui", action="store_true",
                        help="print the transcript in the terminal (no window)")
    parser.add_argument("--mic", metavar="DEV", help="microphone name or index (default: "
                        "settings, else the OS default input)")
    parser.add_argument("--loopback", metavar="DEV", help="output whose sound is the "
                        "interviewer (default: settings, else the OS default output)")
    parser.add_argument("--interviewer-file", type=Path, metavar="F",
                        help="play this file as the interviewer instead of system audio")
    parser.add_argument("--candidate-file", type=Path, metavar="F",
                        help="play this file as the candidate instead of the microphone")
    parser.add_argument("--model", help="Whisper model (default: settings, tiny.en)")
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per event")
    parser.add_argument("--no-echo-guard", action="store_true",
                        help="keep candidate text that repeats the interviewer (headphones)")
    parser.add_argument("--network-log", action="store_true",
                        help="when the session ends, print every request it made and a "
                             "summary")
    answer_wiring.add_arguments(parser)
    parser.set_defaults(handler=run)


class Printer:
    """Writes session events to a stream from any thread, one whole line at a time."""

    def __init__(self, *, jsonl: bool, stream: IO[str] | None = None) -> None:
        self.jsonl = jsonl
        self._out = stream or sys.stdout
        self._lock = threading.Lock()
        self._tty = bool(getattr(self._out, "isatty", lambda: False)()) and not jsonl
        self._partial_open = False

    def event(self, event: InterviewEvent) -> None:
        if self.jsonl:
            self._line(json.dumps(event.to_dict(), ensure_ascii=False, default=str))
        elif isinstance(event, TranscriptUpdate):
            self._transcript(event)
        elif isinstance(event, AnswerEvent):
            self._answer(event)
        elif isinstance(event, SessionStarted):
            names = ", ".join(f"{speaker} = {name or 'default'}"
                              for speaker, name in event.sources.items())
            self._note(f"Listening ({names}). Ctrl-C stops.")
            if event.context.empty:
                self._note("No CV, job description or dossier: questions are shown without "
                           "talking points (add --cv FILE, --jd FILE or --dossier FILE).")
        elif isinstance(event, CaptureNotice) and event.kind != "ended":
            self._note(f"[{event.at:7.2f}] {event.speaker.value} audio {event.kind}: "
                       f"{event.message}")

    def _transcript(self, event: TranscriptUpdate) -> None:
        segment = event.segment
        if event.replaces:  # a finished turn decoded again: stands for its finals above
            self._line(f"[{segment.start:7.2f}] {segment.speaker.value.upper():>11} "
                       f"(revised, to {segment.end:.2f}): {segment.text}",
                       replace_partial=self._tty)
            return
        label = segment.speaker.value.upper() if segment.final else segment.speaker.value
        text = f"[{segment.start:7.2f}] {label:>11}{':' if segment.final else '…'} " \
               f"{segment.text}"
        if self._tty and not segment.final:
            with self._lock:
                self._out.write("\r\033[K" + text)
                self._out.flush()
                self._partial_open = True
            return
        self._line(text, replace_partial=self._tty)

    def _answer(self, event: AnswerEvent) -> None:
        data = event.to_dict()
        body = next((str(data[k]) for k in ("text", "delta", "message") if data.get(k)),
                    json.dumps(data, ensure_ascii=False, default=str))
        self._line(f"[{event.emitted_at:7.2f}] {event.type:>11}: {body}")

    def _note(self, text: str) -> None:
        with self._lock:
            print(text, file=sys.stderr, flush=True)

    def _line(self, text: str, *, replace_partial: bool = False) -> None:
        with self._lock:
            prefix = "\r\033[K" if (replace_partial and self._partial_open) else ""
            self._partial_open = False
            self._out.write(prefix + text + "\n")
            self._out.flush()


def interview_options(args: argparse.Namespace, *, mic_device: str | None,
                      loopback_device: str | None, language: str | None) -> InterviewOptions:
    """The command line's flags (device defaults from the settings) as session options."""
    return InterviewOptions(
        interviewer=SourceOptions(device=args.loopback or loopback_device,
                                  file=args.interviewer_file),
        candidate=SourceOptions(device=args.mic or mic_device, file=args.candidate_file),
        language=language, echo_guard=not args.no_echo_guard,
        answers=answer_wiring.options_from_args(args))


def run(args: argparse.Namespace) -> int:
    from smart_interview.app.interview_session import InterviewSession, load_speech_models
    from smart_interview.audio.errors import AudioError
    from smart_interview.transcription.errors import TranscriptionError

    if not args.no_gui:
        print("smart-interview: the live window opens from the app (`smart-interview`); "
              "printing here instead (pass --no-gui to silence this note)", file=sys.stderr)
    for path in (args.interviewer_file, args.candidate_file):
        if path is not None and not path.is_file():
            raise CliError(f"{path} does not exist or is not a file")

    paths = wiring.app_paths()
    settings = wiring.load_settings(paths)
    model_name = args.model or settings.transcription.model
    registry = wiring.model_registry(paths)
    language = settings.transcription.language
    wiring.usable_model(registry, model_name, language)
    try:
        speech = load_speech_models(registry, model_name, settings.transcription.cpu_threads)
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc

    options = interview_options(args, mic_device=settings.audio.mic_device,
                                loopback_device=settings.audio.loopback_device,
                                language=language)
    printer = Printer(jsonl=args.jsonl)
    session = InterviewSession(options=options, settings=settings, speech=speech,
                               on_event=printer.event,
                               history=history_target(paths.data_dir, settings))
    try:
        session.start()
    except AudioError as exc:
        raise CliError(str(exc)) from exc
    try:
        while not session.wait_until_sources_end(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C during the flush
            session.stop()
    report_end(session, network_log=args.network_log)
    return 1 if session.errors else 0


def history_target(data_dir: Path, settings: Settings) -> HistoryTarget | None:
    """Where the interview is recorded when history is on (the system keyring holds the
    key); None when it is off."""
    if not settings.ui.history_enabled:
        return None
    import keyring

    from smart_interview.app.history import KeyringKey
    from smart_interview.sync.errors import SyncError
    from smart_interview.sync.secrets import SecretStore

    try:
        keys = KeyringKey(SecretStore(keyring.get_keyring()))
    except SyncError as exc:
        print(f"smart-interview: this interview is not kept in the history: {exc}",
              file=sys.stderr)
        return None
    return HistoryTarget(data_dir=data_dir, keys=keys)


def report_end(session: InterviewSession, *, network_log: bool) -> None:
    """After the session: its errors, the history's fate and (asked for) the network log."""
    from smart_interview.app.network import render_report

    for error in session.errors:
        print(f"smart-interview: transcription error: {error!r}", file=sys.stderr)
    if session.history_error is not None:
        print(f"smart-interview: this interview was not (fully) kept in the history: "
              f"{session.history_error}", file=sys.stderr)
    if network_log:
        print("\n" + render_report(session.network_entries(), label="This interview"),
              file=sys.stderr)
