"""Guards that keep text that was never said off the screen.

Whisper writes words on silence, music and noise ("Thank you.", "you", loops of one phrase),
and with loudspeakers the microphone hears the interviewer too. Three guards, in order:

- `accept_hypothesis`: Whisper's own no-speech rule (no_speech_prob > 0.6 with a low average
  log-probability), a compression-ratio limit (loops compress well), very low confidence, and
  the stock phrases Whisper invents on non-speech when the hypothesis is also unsure.
- `trim_repetition`: a phrase repeated three or more times in a row is kept once, and text is
  cut where a phrase of four or more words comes back (the decoder looping, often on the
  prompt); `accept_hypothesis` also cuts text longer than anyone speaks in the audio's time
  (more than 2 + 5 words a second).
- `EchoGuard`: a candidate (microphone) segment that overlaps the interviewer's speech in time
  and mostly repeats its words in order is the interviewer leaking into the mic, and dropped.

The first line of defence is upstream: nothing is decoded unless Silero VAD heard speech.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass
from difflib import SequenceMatcher

from smart_interview.transcription.decoder import Hypothesis

_WORD = re.compile(r"[a-z0-9']+")
_ANNOTATION = re.compile(r"^[\s\[\(♪*#~.,!?-]*(?:[\[(][^\])]*[\])][\s.,!?♪*-]*)+$|^[\s♪*#~.,!?-]*$")

STOCK_PHRASES = frozenset(
    {
        "you",
        "thank you",
        "thanks",
        "thank you very much",
        "thank you so much",
        "thanks for watching",
        "thank you for watching",
        "thanks for listening",
        "please subscribe",
        "bye",
        "bye bye",
        "i'm sorry",
        "oh",
        "uh",
        "um",
        "hmm",
        "mm",
        "the end",
    }
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class GuardOptions:
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    min_avg_logprob: float = -1.6
    compression_ratio_threshold: float = 2.4
    stock_phrase_no_speech: float = 0.25
    stock_phrase_logprob: float = -0.7
    max_words_base: float = 2.0
    max_words_per_s: float = 5.0


def accept_hypothesis(hypothesis: Hypothesis, options: GuardOptions = GuardOptions(), *,
                      speech_s: float | None = None) -> str:
    """The text worth showing, or "" when the hypothesis is most likely not speech.

    `speech_s`: how long the speech lasted; text longer than that allows is cut."""
    text = trim_repetition(hypothesis.text.strip())
    if speech_s is not None:
        limit = int(options.max_words_base + options.max_words_per_s * speech_s)
        tokens = text.split()
        if len(tokens) > limit:
            text = " ".join(tokens[:limit])
    if not text or _ANNOTATION.match(text):
        return ""
    if (
        hypothesis.no_speech_prob > options.no_speech_threshold
        and hypothesis.avg_logprob < options.logprob_threshold
    ):
        return ""
    if hypothesis.avg_logprob < options.min_avg_logprob:
        return ""
    if hypothesis.compression_ratio > options.compression_ratio_threshold and len(text) > 40:
        return ""
    key = " ".join(words(text))
    unsure = (
        hypothesis.no_speech_prob > options.stock_phrase_no_speech
        or hypothesis.avg_logprob < options.stock_phrase_logprob
    )
    if key in STOCK_PHRASES and unsure:
        return ""
    if not key:
        return ""
    return text


def trim_repetition(text: str, *, min_repeats: int = 3, max_ngram: int = 8,
                    returning_ngram: int = 4) -> str:
    """Keeps one copy of a run of >= `min_repeats` identical consecutive word n-grams, and
    cuts the text where an n-gram of `returning_ngram` words occurs a second time."""
    tokens = text.split()
    if len(tokens) < min_repeats:
        return " ".join(tokens)
    keys = [" ".join(words(t)) for t in tokens]
    for n in range(1, max_ngram + 1):
        i = 0
        while i + n * min_repeats <= len(tokens):
            gram = keys[i : i + n]
            repeats = 1
            while keys[i + repeats * n : i + (repeats + 1) * n] == gram:
                repeats += 1
            if repeats >= min_repeats and any(gram):
                rest = i + repeats * n
                tokens, keys = tokens[: i + n] + tokens[rest:], keys[: i + n] + keys[rest:]
            i += 1
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(keys) - returning_ngram + 1):
        returning = tuple(keys[i : i + returning_ngram])
        first = seen.setdefault(returning, i)
        if first != i and i - first >= returning_ngram and all(returning):
            tokens, keys = tokens[:i], keys[:i]
            break
    return " ".join(tokens)


@dataclass(frozen=True)
class _Heard:
    start: float
    end: float
    words: tuple[str, ...]
    final: bool


class EchoGuard:
    """Remembers what the interviewer said; tells whether candidate text is its echo.

    A loudspeaker leaking into the microphone repeats the interviewer at the same moment, a
    few hundred milliseconds late at most, and in the same order. So a candidate segment is
    an echo when its time overlaps interviewer speech (allowing `lag_s` of delay) and at least
    `overlap` of its words appear, in order, in what the interviewer said then. An answer
    given after the question, however many of its words it reuses ("Why this company?" -
    "I chose this company because..."), is kept. Thread-safe: the two streams report from
    the decode threads."""

    def __init__(self, *, overlap: float = 0.6, lag_s: float = 0.75, keep_s: float = 60.0,
                 min_words: int = 1) -> None:
        self._overlap = overlap
        self._lag = lag_s
        self._keep = keep_s
        self._min_words = min_words
        self._heard: deque[_Heard] = deque()
        self._partial: _Heard | None = None
        self._lock = threading.Lock()

    def note_interviewer(self, text: str, start: float, end: float, *, final: bool) -> None:
        heard = _Heard(start, end, tuple(words(text)), final)
        with self._lock:
            if final:
                self._heard.append(heard)
                self._partial = None
                while self._heard and self._heard[0].end < end - self._keep:
                    self._heard.popleft()
            else:
                self._partial = heard

    def is_echo(self, text: str, start: float, end: float) -> bool:
        said = words(text)
        if len(said) < self._min_words:
            return False
        with self._lock:
            recent = list(self._heard) + ([self._partial] if self._partial else [])
        # the echo starts after the speech it repeats, and ends after it too
        during = [h for h in sorted(recent, key=lambda h: h.start)
                  if h.start - 0.25 <= end and start <= h.end + self._lag]
        heard = [w for h in during for w in h.words]
        if not heard:
            return False
        matcher = SequenceMatcher(None, said, heard, autojunk=False)
        shared = sum(block.size for block in matcher.get_matching_blocks())
        return shared / len(said) >= self._overlap
