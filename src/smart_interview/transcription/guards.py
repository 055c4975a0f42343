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
- `EchoGuard`: a candidate (microphone) segment whose words mostly appeared in what the
  interviewer said around the same time is the interviewer leaking into the mic, and dropped.

The first line of defence is upstream: nothing is decoded unless Silero VAD heard speech.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, deque
from dataclasses import dataclass

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
    words: Counter[str]
    final: bool


class EchoGuard:
    """Remembers what the interviewer said; tells whether candidate text is its echo.

    A candidate segment is an echo when at least `overlap` of its words (counted with
    multiplicity) appear in interviewer text heard within `window_s` of it. Thread-safe: the
    two streams report from the decode thread and the capture threads."""

    def __init__(self, *, overlap: float = 0.6, window_s: float = 4.0, keep_s: float = 60.0,
                 min_words: int = 1) -> None:
        self._overlap = overlap
        self._window = window_s
        self._keep = keep_s
        self._min_words = min_words
        self._heard: deque[_Heard] = deque()
        self._partial: _Heard | None = None
        self._lock = threading.Lock()

    def note_interviewer(self, text: str, start: float, end: float, *, final: bool) -> None:
        heard = _Heard(start, end, Counter(words(text)), final)
        with self._lock:
            if final:
                self._heard.append(heard)
                self._partial = None
                while self._heard and self._heard[0].end < end - self._keep:
                    self._heard.popleft()
            else:
                self._partial = heard

    def is_echo(self, text: str, start: float, end: float) -> bool:
        said = Counter(words(text))
        total = sum(said.values())
        if total < self._min_words:
            return False
        with self._lock:
            recent = list(self._heard) + ([self._partial] if self._partial else [])
        pool: Counter[str] = Counter()
        for heard in recent:
            if heard.end >= start - self._window and heard.start <= end + self._window:
                pool.update(heard.words)
        if not pool:
            return False
        shared = sum(min(count, pool[word]) for word, count in said.items())
        return shared / total >= self._overlap
