"""Text decisions of a `StreamingTranscriber` that need no audio and no lock: the prompt that
leads up to a piece of speech, whether a text reads finished, and what a final falls back to
when the guards drop its decode.

A final the guards drop after its partials were on screen would leave a sentence the user saw
with no final text. The usual cause is a loop: a continuation decoded with the previous
final's audio as its lead sometimes writes its sentence again and again until the token budget
runs out, and the compression guard then drops the whole text. So a dropped final of an
utterance that showed partials is, in order: its loop trimmed to one copy (when that passes
the guards), a decode without the lead and the carried prompt, and at last its latest partial.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from smart_interview.transcription.guards import (
    GuardOptions,
    accept_hypothesis,
    trim_repetition,
    words,
)
from smart_interview.transcription.hypothesis import Hypothesis, compression_ratio
from smart_interview.transcription.turns import last_chars


def looks_finished(text: str) -> bool:
    return text.rstrip().rstrip("\"')]»”").endswith((".", "?", "!", "…"))


def prompt_chain(recent: Iterable[tuple[str, float, float]], speech_start: float, *,
                 gap_s: float, chars: int) -> str:
    """The final text (`recent`: text, start, end, oldest first) that leads up to
    `speech_start` without a pause longer than `gap_s`, at most `chars` characters."""
    chain: list[str] = []
    following = speech_start
    for text, start, end in reversed(list(recent)):
        if start >= following - 0.05:
            continue  # at or after the speech itself (its lead's own text)
        if end > following + 0.05 or following - end > gap_s:
            break
        chain.append(text)
        following = start
    return last_chars(" ".join(reversed(chain)), chars)


def _drop_restart(text: str) -> str:
    """Cuts a loop's next copy that `trim_repetition` left begun ("...delightful. Captain
    Frere"): a short last sentence that starts as the text does (only ever applied to a
    hypothesis the guards dropped as a loop)."""
    head = words(text)
    for end in re.finditer(r"[.?!]\s+", text):
        rest = words(text[end.end() :])
        if rest and rest[0] == head[0] and len(rest) <= len(head) // 2:
            return text[: end.end()].strip()
    return text


def accepted(hyp: Hypothesis | None, guards: GuardOptions, speech_s: float) -> bool:
    return hyp is not None and bool(accept_hypothesis(hyp, guards, speech_s=speech_s))


def trimmed_loop(hyp: Hypothesis, guards: GuardOptions, speech_s: float) -> Hypothesis | None:
    """`hyp` with a repeated phrase kept once, if that is what the guards objected to."""
    text = _drop_restart(trim_repetition(hyp.text.strip()))
    if not text or text == hyp.text.strip():
        return None
    trimmed = replace(hyp, text=text, compression_ratio=compression_ratio(text))
    return trimmed if accepted(trimmed, guards, speech_s) else None
