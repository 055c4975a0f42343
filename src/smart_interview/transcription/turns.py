"""Speaker turns of one stream, for the revision pass.

A turn is the finals of one speaker with no long pause between them. When it ends (a pause of
`end_pause_s` after its last speech, the other speaker starting, or the stream ending), the
whole turn is decoded again in one piece with the speaker's previous turn as the prompt: the
finals were decoded utterance by utterance, often from pieces of a sentence cut at a breath,
and a piece heard alone reads worse ("So just heart" for "So to start"). The revision's text
replaces those finals (a `revised` event); nothing about the finals themselves changes.

Pure bookkeeping over session times and sample indices; no audio, no model, no clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from smart_interview.transcription.guards import words


@dataclass(frozen=True)
class TurnOptions:
    end_pause_s: float = 1.2
    """Silence after a speaker's last speech that ends the turn. 0 turns revisions off."""
    max_audio_s: float = 28.0
    """Longest audio a revision decodes (one encoder window with room for the tail pad):
    earlier finals of a longer turn keep their text."""
    min_finals: int = 2
    """Turns with fewer finals are not decoded again."""
    prompt_chars: int = 200
    """How much of the speaker's previous turn is the revision's prompt (0: none)."""
    beam_size: int = 1
    """Beam search for revisions (they run on a spare lane, off the latency path)."""
    min_word_ratio: float = 0.7
    max_word_ratio: float = 1.5
    """A revision with fewer (or more) words than this share of its finals' is dropped: the
    decoder skipped (or looped on) part of a long window."""


@dataclass(frozen=True)
class HeardFinal:
    number: int
    text: str
    start_s: float
    end_s: float
    """Session times of the final's speech."""
    audio_from: int
    audio_to: int
    """Sample indices of the audio its text was decoded from."""


@dataclass(frozen=True)
class Revision:
    finals: tuple[HeardFinal, ...]
    prompt: str

    @property
    def audio_from(self) -> int:
        return self.finals[0].audio_from

    @property
    def audio_to(self) -> int:
        return self.finals[-1].audio_to

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(f.number for f in self.finals)

    def plausible(self, text: str, options: TurnOptions) -> bool:
        said = sum(len(words(f.text)) for f in self.finals)
        heard = len(words(text))
        return options.min_word_ratio * said <= heard <= max(said + 2,
                                                              options.max_word_ratio * said)


class TurnTracker:
    def __init__(self, options: TurnOptions, *, sample_rate: int) -> None:
        self.options = options
        self._rate = sample_rate
        self._finals: deque[HeardFinal] = deque()
        self._ended = False
        self._previous = ""

    @property
    def enabled(self) -> bool:
        return self.options.end_pause_s > 0

    def heard(self, final: HeardFinal) -> None:
        """A final was emitted: it continues the turn (or starts one)."""
        if not self.enabled:
            return
        self._ended = False
        self._finals.append(final)
        limit = int(self.options.max_audio_s * self._rate)
        while len(self._finals) > 1 and final.audio_to - self._finals[0].audio_from > limit:
            self._finals.popleft()  # too old to be decoded with the rest

    def end(self) -> None:
        """The turn is over whatever the pause (the other speaker started, the stream ended)."""
        self._ended = bool(self._finals)

    def keep_from(self) -> int | None:
        """Audio from this sample on may still be decoded again."""
        return self._finals[0].audio_from if self._finals else None

    def due(self, now_s: float) -> Revision | None:
        """The revision to run now, if the turn has ended at `now_s` (call only while the
        speaker is silent and every final of the turn has been emitted)."""
        if not self._finals:
            return None
        if not self._ended and now_s - self._finals[-1].end_s < self.options.end_pause_s:
            return None
        finals = tuple(self._finals)
        self._finals.clear()
        self._ended = False
        prompt = self._previous
        self._previous = " ".join(f.text for f in finals)
        if len(finals) < self.options.min_finals:
            return None
        return Revision(finals, last_chars(prompt, self.options.prompt_chars))


def last_chars(text: str, limit: int) -> str:
    """The end of `text`, at most `limit` characters, starting at a word."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    return cut[cut.find(" ") + 1 :] if " " in cut else cut
