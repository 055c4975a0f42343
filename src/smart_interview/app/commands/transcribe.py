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
    parser.add_argument("--cv", type=Path, help="listen for the terms of this CV")
    parser.add_argument("--jd", type=Path, help="listen for the terms of this job description")
    parser.add_argument("--words", default="",
                        help="more words to listen for, comma-separated")
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
        pieces = transcribe_samples(model, audio, language=language,
                                    vocabulary=_vocabulary(args, model, settings))
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc
    render = {"text": as_text, "srt": as_srt, "json": as_json}[args.format]
    print(render(pieces))
    return 0


def _vocabulary(args: argparse.Namespace, model: Any, settings: Any) -> str | None:
    """The glossary text of the documents' terms and `--words` (None: none given)."""
    from dataclasses import replace

    from smart_interview.app.answer_wiring import read_document
    from smart_interview.app.vocabulary import terms_for
    from smart_interview.transcription.vocabulary import Vocabulary, whisper_token_count

    texts = [read_document(p) for p in (args.cv, args.jd) if p is not None]
    words = [w.strip() for w in args.words.split(",") if w.strip()]
    if not texts and not words:
        return None
    options = replace(settings.transcription,
                      vocabulary_added=[*words, *settings.transcription.vocabulary_added])
    terms = terms_for(texts, options, whisper_token_count(model))
    kept, _ = Vocabulary(terms).fit(
        lambda text: model.hf_tokenizer.encode(text, add_special_tokens=False).ids)
    return Vocabulary(kept).text() or None
