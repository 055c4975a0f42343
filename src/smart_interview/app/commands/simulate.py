"""`smart-interview simulate SCRIPT`: an egress audit of a whole interview, headless.

The script (format in `simulate_script`) is spoken with espeak-ng; interviewer lines are
played into the PulseAudio sink the app captures as the interviewer (`--loopback`, default
`interviewer`), candidate lines into the sink whose monitor is the microphone (`--play-mic`,
default `candidate_mic`). The real pipeline listens: streaming Whisper for both speakers,
question detection, talking points and, with `--provider`, streamed answers.

By default the interview runs signed in (`simulate_account`): the app's local backend on
127.0.0.1 in a temp folder (or `--server URL`), the CV (`--cv`, a PDF or DOCX) uploaded and a
dossier made from the job description (`--jd`) through the app's sync client, and both used as
the interview's context. `--no-account` runs signed out, the CV and job read from the files.

With strace installed (and unless `--no-observe`), everything runs in a child process under
`strace -f -yy -xx -e trace=connect,sendto,sendmsg,write,writev`, which records every connect()
of the app's process tree and every byte it sent on its connections; `simulate_observer` reads
them back as HTTP requests. It prints (`simulate_report`): questions expected and detected; end
of question → talking points and → first answer token (p50, p95); WER per speaker; every
address contacted with its requests and bytes sent. `--json FILE` also writes the whole report,
request bodies included, as JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from smart_interview.app import answer_wiring
from smart_interview.app.commands import simulate_account
from smart_interview.app.commands.simulate_report import render_report
from smart_interview.app.commands.simulate_script import (
    ScriptLine,
    Tracks,
    parse_script,
    render,
    word_error_rates,
    work_folder,
)
from smart_interview.app.errors import CliError

MIC_SINK = "candidate_mic"
INTERVIEWER_SINK = "interviewer"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate", help="play a scripted interview through the real pipeline and audit "
        "what leaves the machine")
    parser.add_argument("script", type=Path, help="the interview script (see docs)")
    parser.add_argument("--loopback", default=INTERVIEWER_SINK, metavar="SINK",
                        help="the sink the interviewer is played into and captured from")
    parser.add_argument("--play-mic", default=MIC_SINK, metavar="SINK",
                        help="the sink the candidate is played into (its monitor is the mic)")
    parser.add_argument("--mic", metavar="DEV", help="the microphone the app listens to "
                        "(default: the OS default input)")
    parser.add_argument("--model", help="Whisper model (default: settings, tiny.en)")
    parser.add_argument("--no-observe", action="store_true",
                        help="do not run under strace (no process-level observer)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the report")
    parser.add_argument("--report-to", type=Path, help=argparse.SUPPRESS)
    answer_wiring.add_arguments(parser)
    simulate_account.add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = args.script.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read the script {args.script}: {exc.strerror or exc}") from exc
    lines = parse_script(text, source=str(args.script))
    if args.report_to is not None:  # the observed child
        report = simulate(args, lines)
        args.report_to.write_text(json.dumps(report), encoding="utf-8")
        return 0
    strace = shutil.which("strace")
    if args.no_observe or strace is None:
        if strace is None and not args.no_observe:
            print("smart-interview: strace is not installed: no process-level observer",
                  file=sys.stderr)
        report = simulate(args, lines)
    else:
        report = observed(strace)
    print(render_report(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


def observed(strace: str) -> dict[str, Any]:
    """Runs this command again under strace; its report plus what it sent where."""
    from smart_interview.app.commands.simulate_observer import TRACE_CALLS, observe

    folder = work_folder()
    trace, report_file = folder / "egress.trace", folder / "report.json"
    command = [strace, "-f", "-qq", "-yy", "-xx", "-s", "1048576", "--seccomp-bpf",
               "-e", "signal=none", "-e", f"trace={TRACE_CALLS}", "-o", str(trace),
               sys.executable, "-m", "smart_interview.app.cli", *sys.argv[1:],
               "--report-to", str(report_file)]
    done = subprocess.run(command, check=False)
    if done.returncode != 0 or not report_file.is_file():
        raise CliError(f"the simulated interview failed (exit code {done.returncode})")
    report: dict[str, Any] = json.loads(report_file.read_text(encoding="utf-8"))
    report["observed"] = observe(trace.read_text(encoding="latin-1"))
    trace.unlink()  # it holds every byte the app wrote, audio files included
    return report


def simulate(args: argparse.Namespace, lines: list[ScriptLine]) -> dict[str, Any]:
    from smart_interview.app import wiring
    from smart_interview.app.commands.live import history_target
    from smart_interview.app.interview_session import (
        InterviewOptions,
        InterviewSession,
        StoredContext,
        load_speech_models,
    )
    from smart_interview.app.network.door import NetworkDoor
    from smart_interview.app.sources import SourceOptions

    door = NetworkDoor()
    account = None if args.no_account else simulate_account.sign_in_with_context(args, door)
    answers = answer_wiring.options_from_args(args)
    context = None
    if account is not None:  # the synced CV and dossier, not the files
        answers = replace(answers, cv=None, job_description=None, dossier=None)
        context = StoredContext(cv_text=account.cv_text, cv_summary=account.cv_summary,
                                dossier=account.dossier)
    paths = wiring.app_paths()
    settings = wiring.load_settings(paths)
    model = args.model or settings.transcription.model
    registry = wiring.model_registry(paths)
    wiring.usable_model(registry, model, settings.transcription.language)
    tracks = render(lines, work_folder())
    speech = load_speech_models(registry, model, settings.transcription.cpu_threads)
    events: list[Any] = []
    lock = threading.Lock()

    def collect(event: Any) -> None:
        with lock:
            events.append(event)

    session = InterviewSession(
        options=InterviewOptions(interviewer=SourceOptions(device=args.loopback),
                                 candidate=SourceOptions(device=args.mic),
                                 language=settings.transcription.language,
                                 answers=answers),
        settings=settings, speech=speech, on_event=collect, door=door, context=context,
        history=history_target(paths.data_dir, settings))
    from smart_interview.audio.errors import AudioError

    try:
        session.start()
    except AudioError as exc:
        raise CliError(f"{exc} (simulate needs PulseAudio with the sinks "
                       f"{args.loopback!r} and {args.play_mic!r})") from exc
    try:
        played_at = session.clock()
        play(tracks, interviewer_sink=args.loopback, mic_sink=args.play_mic)
    finally:
        session.stop()
    report = measure(tracks, events, played_at=played_at,
                     network=[_entry_json(e) for e in door.log.entries()])
    report["account"] = simulate_account.account_json(account)
    return report


def play(tracks: Tracks, *, interviewer_sink: str, mic_sink: str) -> None:
    paplay = shutil.which("paplay")
    if paplay is None:
        raise CliError("simulate plays the script with paplay (PulseAudio); install "
                       "pulseaudio-utils")
    players = [subprocess.Popen([paplay, f"--device={sink}", str(path)])
               for sink, path in ((interviewer_sink, tracks.interviewer),
                                  (mic_sink, tracks.candidate))]
    codes = [player.wait(timeout=tracks.duration_s + 60) for player in players]
    if any(codes):
        raise CliError(f"paplay could not play into the sinks {interviewer_sink!r} and "
                       f"{mic_sink!r} (exit codes {codes}); is PulseAudio running with them?")


def measure(tracks: Tracks, events: list[Any], *, played_at: float,
            network: list[dict[str, Any]]) -> dict[str, Any]:
    from smart_interview.models.answers import (
        AnswerDelta,
        AnswerRestarted,
        QuestionDetected,
        TalkingPointsReady,
    )
    from smart_interview.models.transcript import TranscriptUpdate

    finals: dict[str, list[str]] = {"interviewer": [], "candidate": []}
    revised: dict[str, list[str]] = {"interviewer": [], "candidate": []}
    by_id: dict[str, QuestionDetected] = {}
    restarted = 0
    worded: dict[str, list[str]] = {}  # each question's words, first and revised
    points: dict[str, float] = {}
    first_token: dict[str, float] = {}
    for event in events:
        if isinstance(event, TranscriptUpdate) and event.replaces:
            revised[event.segment.speaker.value].append(event.segment.text)
        elif isinstance(event, TranscriptUpdate) and event.segment.final:
            finals[event.segment.speaker.value].append(event.segment.text)
        elif isinstance(event, QuestionDetected) and not event.early:
            # final questions: an early one comes again as final, and a revised turn may
            # re-send one with better words; each counts once, timed when first final
            first = by_id.setdefault(event.id, event)
            by_id[event.id] = replace(first, text=event.text)
            worded.setdefault(event.id, []).append(event.text)
        elif isinstance(event, TalkingPointsReady):
            points.setdefault(event.question_id, event.emitted_at)
        elif isinstance(event, AnswerDelta):
            first_token.setdefault(event.question_id, event.emitted_at)
        elif isinstance(event, AnswerRestarted):
            restarted += 1  # asked again: its revised words changed what it asks
    detected = list(by_id.values())
    expected = [t for t in tracks.lines if t.line.question]
    questions = []
    for index, item in enumerate(expected):
        start = played_at + item.start_s
        until = played_at + expected[index + 1].start_s if index + 1 < len(expected) \
            else float("inf")
        found = next((q for q in detected if start <= q.emitted_at < until), None)
        end = played_at + item.end_s
        questions.append({
            "said": item.line.text, "detected": found.text if found else None,
            "worded": worded.get(found.id, []) if found else [],
            "talking_points_s": _after(points, found, end),
            "first_token_s": _after(first_token, found, end)})
    lines = [t.line for t in tracks.lines]
    return {"questions_expected": len(expected), "questions_detected": len(detected),
            "answers_restarted": restarted,
            "detected_texts": [text for texts in worded.values() for text in texts],
            "questions": questions, "wer": word_error_rates(lines, finals), "finals": finals,
            "revised": revised,
            "network": network}


def _after(times: dict[str, float], question: Any, end: float) -> float | None:
    if question is None or question.id not in times:
        return None
    return round(times[question.id] - end, 3)


def _entry_json(entry: Any) -> dict[str, Any]:
    return {"host": entry.host, "purpose": entry.purpose.value, "method": entry.method,
            "path": entry.path, "bytes_sent": entry.bytes_sent,
            "bytes_received": entry.bytes_received, "status": entry.status}
