"""`smart-interview bench stream [--model NAME]... [--condition NAME|all] [--set holdout]`:
streaming latency, accuracy and cost on call-like audio.

The referenced clips (or the held-out interview, `bench_holdout`) become a two-person
conversation: clip 1 is the interviewer, clip 2 the candidate, clip 3 the interviewer again...,
each after the previous one plus `--gap` seconds of silence, written as two tracks of equal
length, under one condition (`bench_conditions`: clean, opus, phone, noise, fast, voices,
bleed). Both tracks play through `FileSource` in
real time into one `LiveSession`, so decoding competes with the clock exactly as it would
live (the clock runs while decoding). Then 60 s of silence (interviewer) and 60 s of noise
(candidate: white noise, keyboard clicks, breathing, music) play the same way.

Measures (docs/streaming.md says how each is defined):
- final latency: per clip, the emission time of the final that covers the clip's last speech
  minus the moment that speech ended, two ways: where offline Silero VAD on the clip alone
  puts the end of its last speech region ("VAD"), and where the clip's own energy says its last
  word ends ("last word", `bench_timing`), both on the clip before noise or codec;
- WER of the first finals, of the transcript after revisions, and of offline transcription
  of the same (degraded) audio, greedy at temperature 0 and, separately, with Whisper's
  temperature fallback;
- question recall on the held-out set (a question counts when one of its finals is one);
- partial lag: per partial event, its emission time minus the end of the audio it was
  decoded from;
- CPU: process CPU time over wall time during the conversation, as % of all cores;
- peak RSS of the process (each model runs in its own process).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

from smart_interview.app.commands.bench_conditions import CONDITIONS
from smart_interview.app.errors import CliError
from smart_interview.app.resources import shared_speech_dir

HEADER = (f"{'model':<8} {'condition':<9} {'clips':>5} {'VAD p50':>7} {'p95':>5} "
          f"{'word p50':>8} {'p95':>5} {'lag':>4} {'WER first':>9} {'revised':>7} "
          f"{'offline':>7} {'+fallback':>9} {'Q recall':>8} {'CPU %':>5} {'RSS MB':>6} "
          f"{'silence':>7} {'noise':>5}")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("stream", help="streaming latency/WER/CPU on two live sources")
    parser.add_argument("--model", action="append", help="model name (repeatable; default tiny.en)")
    parser.add_argument("--data", type=Path, help="folder holding references.tsv")
    parser.add_argument("--set", dest="clip_set", choices=("shared", "holdout"),
                        default="shared", help="the shared clips, or the held-out interview")
    parser.add_argument("--condition", default="clean",
                        help=f"one of {', '.join(CONDITIONS)}, or all (one row each)")
    parser.add_argument("--limit", "--clips", dest="limit", type=int,
                        help="only the first N clips")
    parser.add_argument("--minutes", type=float, default=0.0,
                        help="soak: repeat the clips for this long; prints latency of the "
                             "first and last 5 minutes and RSS growth")
    parser.add_argument("--gap", type=float, default=1.0, help="silence between turns, seconds")
    parser.add_argument("--noise-seconds", type=float, default=60.0)
    parser.add_argument("--end-silence", type=float, help="silence that ends an utterance, s")
    parser.add_argument("--partial-interval", type=float, help="seconds between partials")
    parser.add_argument("--speculate-after", type=float,
                        help="silence before the speculative final decode, seconds")
    parser.add_argument("--prompt-chars", type=int, help="recent final text used as prompt")
    parser.add_argument("--prompt-gap", type=float,
                        help="longest pause after which earlier text is still the prompt")
    parser.add_argument("--audio-context", type=float,
                        help="seconds of a continuation's left audio context (0: none)")
    parser.add_argument("--vad-threshold", type=float, help="speech probability that starts")
    parser.add_argument("--turn-pause", type=float,
                        help="pause that ends a turn and starts its revision, s (0: none)")
    parser.add_argument("--revise-min-finals", type=int,
                        help="revise only turns of at least this many finals")
    parser.add_argument("--revision-beam", type=int, help="beam size of revision decodes")
    parser.add_argument("--no-speculative", action="store_true",
                        help="decode the final only once the end is confirmed")
    parser.add_argument("--full-window", action="store_true",
                        help="encode the full 30 s window (Whisper's default)")
    parser.add_argument("--no-audio-context", action="store_true",
                        help="decode a continuation without the audio of the final before it")
    parser.add_argument("--one-lane", action="store_true",
                        help="one decode thread with two CPU threads (finals wait for partials)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data = args.data or shared_speech_dir()
    if args.clip_set == "shared" and (data is None or not (data / "references.tsv").is_file()):
        raise CliError("no references.tsv found; pass --data DIR (e.g. ../shared/data/speech)")
    conditions = list(CONDITIONS) if args.condition == "all" else [args.condition]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        raise CliError(f"unknown condition {unknown[0]!r}; choose from "
                       f"{', '.join(CONDITIONS)} or all")
    models = args.model or ["tiny.en"]
    if args.json:
        from smart_interview.app.commands.bench_stream_run import load_clips, measure

        clips = load_clips(data, args.clip_set, conditions[0], args.limit)
        print(json.dumps(measure(models[0], clips, condition=conditions[0], gap=args.gap,
                                 noise_seconds=args.noise_seconds, options=_options(args),
                                 lanes=1 if args.one_lane else 2, minutes=args.minutes)))
        return 0
    print(HEADER, flush=True)
    for name in models:
        for condition in conditions:  # one process each: clean peak-RSS figures
            cmd = [sys.executable, "-m", "smart_interview.app.cli", "bench", "stream", "--json",
                   "--model", name, "--set", args.clip_set, "--condition", condition,
                   "--gap", str(args.gap), "--noise-seconds", str(args.noise_seconds),
                   "--minutes", str(args.minutes)]
            if data is not None:
                cmd += ["--data", str(data)]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            for flag, value in _lever_flags(args):
                cmd += [flag] if value is None else [flag, str(value)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise CliError(f"benchmark of {name} ({condition}) failed: "
                               f"{done.stderr.strip()[-500:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(_row(result), flush=True)
            if args.minutes:
                print(_soak_line(result), flush=True)
    return 0


def _row(r: dict[str, Any]) -> str:
    recall = "-" if r["question_recall"] is None else f"{r['question_recall']:.2f}"
    return (f"{r['model']:<8} {r['condition']:<9} {r['timed']:>5} {_s(r['final_p50']):>7} "
            f"{_s(r['final_p95']):>5} {_s(r['word_p50']):>8} {_s(r['word_p95']):>5} "
            f"{_s(r['partial_lag']):>4} {r['wer_stream']:>9.1f} {r['wer_revised']:>7.1f} "
            f"{r['wer_offline']:>7.1f} {r['wer_fallback']:>9.1f} {recall:>8} "
            f"{r['cpu_percent']:>5.0f} {r['peak_rss_mb']:>6.0f} {r['words_silence']:>7} "
            f"{r['words_noise']:>5}")


def _soak_line(r: dict[str, Any]) -> str:
    return (f"  soak: final p50 first 5 min {_s(r['soak_first_p50'])} s, last 5 min "
            f"{_s(r['soak_last_p50'])} s; RSS after 1 min {r['rss_1min_mb']:.0f} MB, at the "
            f"end {r['rss_end_mb']:.0f} MB")


def _s(value: float) -> str:
    return "nan" if value is None or math.isnan(value) else f"{value:.2f}"


def _lever_flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    flags: list[tuple[str, object]] = []
    for name in ("end_silence", "partial_interval", "speculate_after", "prompt_chars",
                 "prompt_gap", "audio_context", "vad_threshold", "turn_pause",
                 "revise_min_finals", "revision_beam"):
        value = getattr(args, name)
        if value is not None:
            flags.append(("--" + name.replace("_", "-"), value))
    flags += [("--no-speculative", None)] if args.no_speculative else []
    flags += [("--full-window", None)] if args.full_window else []
    flags += [("--no-audio-context", None)] if args.no_audio_context else []
    flags += [("--one-lane", None)] if args.one_lane else []
    return flags


def _options(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from smart_interview.app.live_session import LiveOptions
    from smart_interview.transcription.streaming import StreamingOptions

    streaming = StreamingOptions()
    endpoint = streaming.endpoint
    if args.end_silence is not None:
        endpoint = replace(endpoint, end_silence_s=args.end_silence)
    if args.partial_interval is not None:
        endpoint = replace(endpoint, partial_interval_s=args.partial_interval)
    if args.speculate_after is not None:
        endpoint = replace(endpoint, speculate_after_s=args.speculate_after)
    streaming = replace(streaming, endpoint=endpoint, speculative=not args.no_speculative)
    if args.prompt_chars is not None:
        streaming = replace(streaming, prompt_chars=args.prompt_chars)
    if args.prompt_gap is not None:
        streaming = replace(streaming, prompt_gap_s=args.prompt_gap)
    if args.no_audio_context:
        streaming = replace(streaming, audio_context_s=0.0)
    if args.audio_context is not None:
        streaming = replace(streaming, audio_context_s=args.audio_context)
    if args.vad_threshold is not None:
        endpoint = replace(streaming.endpoint, threshold=args.vad_threshold,
                           neg_threshold=args.vad_threshold - 0.15)
        streaming = replace(streaming, endpoint=endpoint)
    turns = streaming.turns
    if args.turn_pause is not None:
        turns = replace(turns, end_pause_s=args.turn_pause)
    if args.revise_min_finals is not None:
        turns = replace(turns, min_finals=args.revise_min_finals)
    if args.revision_beam is not None:
        turns = replace(turns, beam_size=args.revision_beam)
    streaming = replace(streaming, turns=turns)
    return LiveOptions(streaming=streaming, trim_encoder=not args.full_window)


