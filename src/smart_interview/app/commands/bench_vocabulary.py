"""`smart-interview bench vocabulary`: does telling the decoder the CV's and job's words help?

The set (`tests/transcription/data/vocabulary_set.json`, written for this check) holds a CV, a
job description, questions that name their terms and control questions that name none. The
terms are extracted from the two documents as a live session does (`transcription.
vocabulary`), the questions are spoken by espeak-ng voices in turn (`bench_conditions.VOICES`)
and put through a call-like condition, and each utterance is decoded as the live decoder
decodes a final (greedy, trimmed window, guards) once per style: no vocabulary, the glossary
prompt, the terms as hotwords, both. Silence and four kinds of noise are decoded the same way,
without the VAD that keeps them from the decoder live (a harder test than live), judged by the
guards as a 5 s utterance.

Per condition and style: term recall (terms of the term questions written as said), false
insertions (a vocabulary term written in an utterance that did not say it, per 100
utterances, over all questions), WER of the control questions, words on silence and noise, and
the mean decode time.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from smart_interview.app.errors import CliError

SR = 16_000
VOCABULARY_SET = Path("tests") / "transcription" / "data" / "vocabulary_set.json"
STYLES = ("none", "glossary", "hotwords", "both")
BENCH_CONDITIONS = ("clean", "opus", "phone", "noise")
HEADER = (f"{'condition':<9} {'style':<9} {'terms':>6} {'recall':>12} {'false ins/100':>13} "
          f"{'control WER %':>13} {'silence':>7} {'noise':>5} {'decode ms':>9}")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "vocabulary", help="term recall and false insertions with the document vocabulary")
    parser.add_argument("--condition", default="all",
                        help=f"one of {', '.join(BENCH_CONDITIONS)}, or all")
    parser.add_argument("--style", action="append", choices=STYLES,
                        help="repeatable (default: all)")
    parser.add_argument("--max-tokens", type=int, default=60,
                        help="the vocabulary's share of the decoder prompt")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--set", dest="set_path", type=Path, help="a vocabulary set (JSON)")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    parser.set_defaults(handler=run)


@dataclass(frozen=True)
class Utterance:
    text: str
    terms: tuple[str, ...]
    control: bool


def run(args: argparse.Namespace) -> int:
    from smart_interview.app import wiring
    from smart_interview.transcription.decoder import WhisperDecoder
    from smart_interview.transcription.vocabulary import (
        Vocabulary,
        extract_terms,
        whisper_token_count,
    )

    data = load_set(args.set_path)
    conditions = list(BENCH_CONDITIONS) if args.condition == "all" else [args.condition]
    if any(c not in BENCH_CONDITIONS for c in conditions):
        raise CliError(f"choose a condition from {', '.join(BENCH_CONDITIONS)} or all")
    registry = wiring.model_registry(wiring.app_paths())
    model = registry.load(args.model, cpu_threads=2)
    terms = extract_terms([data["cv"], data["job_description"]],
                          token_count=whisper_token_count(model))
    decoders = {style: WhisperDecoder(model, vocabulary=None if style == "none" else
                                      Vocabulary(tuple(terms), style=style,
                                                 max_tokens=args.max_tokens))
                for style in args.style or STYLES}
    listened = max((d.vocabulary_terms for d in decoders.values()), key=len)
    print(f"Listening for ({len(listened)} of {len(terms)} terms): {', '.join(listened)}")
    utterances = [Utterance(q["text"], tuple(q["terms"]), False) for q in data["questions"]]
    utterances += [Utterance(text, (), True) for text in data["control"]]
    spoken = _speak(utterances)
    quiet = _quiet()
    if not args.json:
        print(HEADER, flush=True)
    for condition in conditions:
        heard = _condition(condition, spoken)
        for style, decoder in decoders.items():
            row = measure(decoder, utterances, heard, quiet, listened)
            row.update(condition=condition, style=style, terms=len(decoder.vocabulary_terms))
            print(json.dumps(row) if args.json else _row(row), flush=True)
    return 0


def load_set(path: Path | None) -> dict[str, Any]:
    path = path or _default_path()
    if not path.is_file():
        raise CliError(f"vocabulary set not found at {path}; run from the repository root")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _default_path() -> Path:
    for parent in Path(__file__).resolve().parents:
        if (parent / VOCABULARY_SET).is_file():
            return parent / VOCABULARY_SET
    return Path.cwd() / VOCABULARY_SET


def _speak(utterances: list[Utterance]) -> list[np.ndarray]:
    from smart_interview.app.commands.bench_conditions import VOICES, espeak

    pad = np.zeros(SR // 4, dtype=np.float32)
    return [np.concatenate([pad, espeak(u.text, VOICES[i % len(VOICES)]), pad])
            for i, u in enumerate(utterances)]


def _condition(condition: str, spoken: list[np.ndarray]) -> list[np.ndarray]:
    from smart_interview.app.commands.bench_conditions import (
        NOISE_SNR_DB,
        cafe_noise,
        mix_at_snr,
        render_clip,
    )

    if condition != "noise":
        return [render_clip(condition, a, "", i).audio for i, a in enumerate(spoken)]
    rng = np.random.default_rng(13)
    return [mix_at_snr(a, cafe_noise(a.size, spoken, rng), NOISE_SNR_DB).astype(np.float32)
            for a in spoken]


def _quiet() -> list[np.ndarray]:
    """Near-silence and four kinds of non-speech, 5 s each (as `bench stream` plays them)."""
    from smart_interview.app.commands.bench_stream_run import _noise_tracks

    tracks = _noise_tracks(25.0)
    noise = tracks["candidate"]
    parts = [noise[i * 5 * SR : (i + 1) * 5 * SR] for i in range(4)]
    return [tracks["interviewer"][: 5 * SR], *parts]


def measure(decoder: Any, utterances: list[Utterance], heard: list[np.ndarray],
            quiet: list[np.ndarray], listened: tuple[str, ...]) -> dict[str, Any]:
    from smart_interview.transcription.guards import accept_hypothesis
    from smart_interview.transcription.word_error_rate import corpus_wer

    texts, seconds = [], []
    for audio in heard:
        hyp = decoder.decode(audio)
        seconds.append(hyp.decode_s)
        texts.append(accept_hypothesis(hyp, speech_s=audio.size / SR))
    said = [t for u in utterances for t in u.terms]
    caught = sum(mentions(text, term) > 0 for u, text in zip(utterances, texts, strict=True)
                 for term in u.terms)
    inserted = sum(max(0, mentions(text, term) - mentions(u.text, term))
                   for u, text in zip(utterances, texts, strict=True) for term in listened)
    control = [(u.text, t) for u, t in zip(utterances, texts, strict=True) if u.control]
    quiet_words = [len(accept_hypothesis(decoder.decode(a), speech_s=a.size / SR).split())
                   for a in quiet]
    return {
        "recall": caught / len(said) if said else float("nan"), "caught": caught,
        "said": len(said), "insertions_per_100": 100 * inserted / len(utterances),
        "control_wer": 100 * corpus_wer([r for r, _ in control], [h for _, h in control]),
        "words_silence": quiet_words[0], "words_noise": sum(quiet_words[1:]),
        "decode_ms": 1000 * float(np.mean(seconds)),
        "misses": [(u.text, t) for u, t in zip(utterances, texts, strict=True)
                   if not u.control and any(mentions(t, term) == 0 for term in u.terms)],
    }


def mentions(text: str, term: str) -> int:
    """How often `term` occurs in `text`, case and punctuation aside ("gRPC" in "GRPC,")."""
    words = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
    key = " ".join(re.findall(r"[a-z0-9]+", term.lower()))
    return words.count(f" {key} ") if key else 0


def _row(r: dict[str, Any]) -> str:
    recall = f"{r['caught']}/{r['said']} {100 * r['recall']:.0f}%"
    return (f"{r['condition']:<9} {r['style']:<9} {r['terms']:>6} {recall:>12} "
            f"{r['insertions_per_100']:>13.1f} {r['control_wer']:>13.1f} "
            f"{r['words_silence']:>7} {r['words_noise']:>5} {r['decode_ms']:>9.0f}")
