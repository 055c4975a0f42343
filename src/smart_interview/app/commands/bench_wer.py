"""`smart-interview bench wer [--model NAME] [--data DIR]`: offline accuracy and speed."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from smart_interview.app import wiring
from smart_interview.app.errors import CliError
from smart_interview.app.resources import peak_rss_mb, shared_speech_dir


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("wer", help="WER and real-time factor on referenced clips")
    parser.add_argument("--model", action="append", help="model name (repeatable; default tiny.en)")
    parser.add_argument("--data", type=Path, help="folder holding references.tsv")
    parser.add_argument("--limit", type=int, help="only the first N clips")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from smart_interview.transcription.word_error_rate import BenchExtraMissing, require_bench_extra

    try:
        require_bench_extra()
    except BenchExtraMissing as exc:
        raise CliError(str(exc)) from exc
    from smart_interview.transcription.audio_file import SAMPLE_RATE, read_audio
    from smart_interview.transcription.errors import TranscriptionError
    from smart_interview.transcription.file_transcriber import as_text, transcribe_samples
    from smart_interview.transcription.reference_clips import load_reference_clips
    from smart_interview.transcription.word_error_rate import corpus_wer

    data = args.data or shared_speech_dir()
    if data is None or not (data / "references.tsv").is_file():
        raise CliError("no references.tsv found; pass --data DIR (e.g. ../shared/data/speech)")
    clips = load_reference_clips(data / "references.tsv")[: args.limit]
    paths = wiring.app_paths()
    registry = wiring.model_registry(paths)
    print(f"{'model':<10} {'clips':>5} {'audio s':>8} {'WER %':>6} {'RTF':>6} {'peak RSS MB':>11}")
    for name in args.model or ["tiny.en"]:
        try:
            model = registry.load(name, cpu_threads=2)
            audios = [read_audio(c.path) for c in clips]
        except TranscriptionError as exc:
            raise CliError(str(exc)) from exc
        transcribe_samples(model, audios[0][: SAMPLE_RATE], language="en")  # warm-up
        hypotheses = []
        started = time.perf_counter()
        for audio in audios:
            hypotheses.append(as_text(transcribe_samples(model, audio, language="en")))
        elapsed = time.perf_counter() - started
        seconds = sum(a.size for a in audios) / SAMPLE_RATE
        wer = corpus_wer([c.transcript for c in clips], hypotheses)
        print(f"{name:<10} {len(clips):>5} {seconds:>8.1f} {wer * 100:>6.1f} "
              f"{elapsed / seconds:>6.3f} {peak_rss_mb():>11.0f}", flush=True)
        del model
    return 0
