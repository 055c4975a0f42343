"""`smart-interview transcribe FILE [--model NAME] [--language xx] [--format text|srt|json]`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from smart_interview.app import wiring
from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("transcribe", help="transcribe an audio file on this device")
    parser.add_argument("file", type=Path, help="wav, flac, mp3, ogg or m4a; any rate")
    parser.add_argument("--model", help="model name or directory (default: from settings)")
    parser.add_argument("--language", help="language code such as en or de (default: settings)")
    parser.add_argument("--format", choices=("text", "srt", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from smart_interview.transcription.audio_file import read_audio
    from smart_interview.transcription.errors import TranscriptionError
    from smart_interview.transcription.file_transcriber import (
        as_json,
        as_srt,
        as_text,
        transcribe_samples,
    )

    paths = wiring.app_paths()
    settings = wiring.load_settings(paths)
    model_name = args.model or settings.transcription.model
    registry = wiring.model_registry(paths)
    language = args.language or settings.transcription.language
    wiring.usable_model(registry, model_name, language)
    try:
        audio = read_audio(args.file)
        model = registry.load(model_name, cpu_threads=settings.transcription.cpu_threads)
        pieces = transcribe_samples(model, audio, language=language)
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc
    render = {"text": as_text, "srt": as_srt, "json": as_json}[args.format]
    print(render(pieces))
    return 0
