"""`smart-interview live --no-gui`: transcribe the interview in the terminal as it happens.

The interviewer is the system audio (`--loopback OUTPUT`, default: the OS default output) or a
file (`--interviewer-file`); the candidate is the microphone (`--mic DEVICE`) or a file
(`--candidate-file`). Partial and final text is printed with speaker labels; `--jsonl` prints
one JSON object per event instead: {"type": "partial"|"final", "speaker", "text", "start",
"end", "emitted_at"} with times in seconds on the session clock (0 = when capture started).
Ctrl-C stops capture, finalises what was being said, prints it and exits with code 0.
With `--cv`/`--jd`/`--provider` (see `--help`) detected questions and suggested answers are
printed too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from smart_interview.app import wiring
from smart_interview.app.errors import CliError

_ANSWER_WIRING = "smart_interview.app.answer_wiring"


def _answer_wiring() -> Any | None:
    try:
        import importlib

        return importlib.import_module(_ANSWER_WIRING)
    except ModuleNotFoundError as exc:
        if exc.name == _ANSWER_WIRING:
            return None
        raise


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
    wiring_module = _answer_wiring()
    if wiring_module is not None:
        wiring_module.add_arguments(parser)
    parser.set_defaults(handler=run)


class _Printer:
    """Writes events to stdout from any thread, one whole line at a time."""

    def __init__(self, *, jsonl: bool, stream: Any = None) -> None:
        self.jsonl = jsonl
        self._out = stream or sys.stdout
        self._lock = threading.Lock()
        self._tty = bool(getattr(self._out, "isatty", lambda: False)()) and not jsonl
        self._partial_open = False

    def transcript(self, event: Any) -> None:
        data = event.as_json()
        if self.jsonl:
            self._line(json.dumps(data, ensure_ascii=False))
            return
        label = data["speaker"].upper() if data["type"] == "final" else data["speaker"]
        text = f"[{data['start']:7.2f}] {label:>11}{':' if event.segment.final else '…'} " \
               f"{data['text']}"
        if self._tty and not event.segment.final:
            with self._lock:
                self._out.write("\r\033[K" + text)
                self._out.flush()
                self._partial_open = True
            return
        self._line(text, replace_partial=self._tty)

    def answer(self, event: dict[str, Any]) -> None:
        if self.jsonl:
            self._line(json.dumps(event, ensure_ascii=False, default=str))
            return
        kind = event.get("type", "event")
        body = next((str(event[k]) for k in ("text", "question", "delta", "message")
                     if event.get(k)), json.dumps(event, ensure_ascii=False, default=str))
        self._line(f"[{float(event.get('emitted_at', 0.0)):7.2f}] {kind:>11}: {body}")

    def started(self, sources: dict[str, str], at: float) -> None:
        if self.jsonl:
            self._line(json.dumps({"type": "started", "sources": sources,
                                   "emitted_at": round(at, 3)}))
            return
        names = ", ".join(f"{speaker} = {name or 'default'}" for speaker, name in sources.items())
        with self._lock:
            print(f"Listening ({names}). Ctrl-C stops.", file=sys.stderr, flush=True)

    def notice(self, notice: Any) -> None:
        if self.jsonl:
            self._line(json.dumps({"type": "capture", "speaker": notice.speaker.value,
                                   "kind": notice.kind, "message": notice.message,
                                   "emitted_at": round(notice.at, 3)}))
        elif notice.kind != "ended":
            with self._lock:
                print(f"[{notice.at:7.2f}] {notice.speaker.value} audio {notice.kind}: "
                      f"{notice.message}", file=sys.stderr, flush=True)

    def _line(self, text: str, *, replace_partial: bool = False) -> None:
        with self._lock:
            prefix = "\r\033[K" if (replace_partial and self._partial_open) else ""
            self._partial_open = False
            self._out.write(prefix + text + "\n")
            self._out.flush()


def run(args: argparse.Namespace) -> int:
    from smart_interview.app.live_session import LiveOptions, LiveSession
    from smart_interview.audio.errors import AudioError
    from smart_interview.models.transcript import Speaker
    from smart_interview.transcription.errors import TranscriptionError
    from smart_interview.transcription.vad import SileroVadModel

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
        model = wiring.load_live_model(registry, model_name, settings.transcription.cpu_threads)
        vad = SileroVadModel.load()
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc

    printer = _Printer(jsonl=args.jsonl)
    started_at = time.monotonic()

    def clock() -> float:
        return time.monotonic() - started_at

    answers = _answer_wiring()
    pipeline = None
    if answers is not None:
        pipeline = answers.build(args=args, settings=settings, paths=paths,
                                 emit=printer.answer, clock=clock)

    def on_event(event: Any) -> None:
        printer.transcript(event)
        if pipeline is not None and event.segment.final:
            pipeline.on_segment(event.segment)

    session = LiveSession(
        model=model, vad=vad, clock=clock, on_event=on_event, on_notice=printer.notice,
        options=LiveOptions(language=language, echo_guard=not args.no_echo_guard),
    )
    files: list[Any] = []
    try:
        for speaker, path in ((Speaker.INTERVIEWER, args.interviewer_file),
                              (Speaker.CANDIDATE, args.candidate_file)):
            source = session.attach(speaker, _factory(speaker, path, args, settings, clock))
            if path is not None:
                files.append(source)
        session.start()
    except AudioError as exc:
        _close(pipeline)
        raise CliError(str(exc)) from exc
    printer.started({speaker.value: source.name for speaker, source in session.sources.items()},
                    clock())
    only_files = len(files) == len(session.sources)
    try:
        while not (only_files and all(f.wait(0.1) for f in files)):
            if not only_files:
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C during the flush
            session.stop()
            if pipeline is not None and only_files:
                pipeline.finish()  # the files ended: answer a question said at the very end
        _close(pipeline)
    for error in session.errors:
        print(f"smart-interview: transcription error: {error!r}", file=sys.stderr)
    return 1 if session.errors else 0


def _close(pipeline: Any) -> None:
    if pipeline is not None:
        pipeline.close()


def _factory(speaker: Any, path: Path | None, args: argparse.Namespace, settings: Any,
             clock: Any) -> Any:
    from smart_interview.audio.file_source import FileSource
    from smart_interview.audio.loopback import open_loopback
    from smart_interview.audio.microphone import open_microphone
    from smart_interview.models.transcript import Speaker

    def build(on_chunk: Any, on_event: Any) -> Any:
        common = {"on_chunk": on_chunk, "on_event": on_event, "clock": clock,
                  "label": speaker.value}
        if path is not None:
            return FileSource(path, realtime=True, **common)
        if speaker is Speaker.INTERVIEWER:
            return open_loopback(device=args.loopback or settings.audio.loopback_device,
                                 **common)
        return open_microphone(device=args.mic or settings.audio.mic_device, **common)

    return build
