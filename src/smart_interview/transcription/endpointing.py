"""Utterance segmentation from per-frame speech probabilities: when to show partial text,
when to start a speculative final decode, when an utterance has ended, where to cut one that
runs too long. Pure logic over sample indices; no audio, no model, no clock.

Timeline of one utterance (frames are 32 ms):

    speech >= threshold ... first frame < neg_threshold
        │ `speculate_after_s` of silence → SPECULATE (decode now, keep the result if it stays quiet)
        │ speech again before `end_silence_s` → RESUME (the speculative text becomes a partial)
        │ `end_silence_s` of silence → END (the speculative result, if any, is the final)
    an utterance longer than `soft_cut_after_s` ends at a shorter pause (`soft_cut_silence_s`);
    one reaching `max_utterance_s` is CUT at its quietest frame (lowest speech probability) in
    its second half, and the rest goes on as a new utterance: no sample is in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class EndpointOptions:
    threshold: float = 0.5
    neg_threshold: float = 0.35
    pre_roll_s: float = 0.3
    min_speech_s: float = 0.25
    """Voiced time an utterance needs before anything of it is decoded."""
    speculate_after_s: float = 0.064
    end_silence_s: float = 0.4
    partial_first_s: float = 0.6
    partial_interval_s: float = 0.7
    soft_cut_after_s: float = 15.0
    soft_cut_silence_s: float = 0.2
    max_utterance_s: float = 28.0


class Action(Enum):
    START = "start"
    PARTIAL = "partial"
    SPECULATE = "speculate"
    RESUME = "resume"
    END = "end"
    CUT = "cut"


@dataclass(frozen=True)
class Endpoint:
    action: Action
    at: int
    """Sample index: the audio end for PARTIAL/SPECULATE/END, the cut point for CUT."""
    utterance_start: int
    voiced_start: int
    voiced_end: int
    voiced_samples: int


@dataclass
class _Utterance:
    start: int
    voiced_start: int
    voiced_end: int
    voiced_samples: int = 0
    silent_since: int | None = None
    speculated: bool = False
    last_partial_end: int = 0
    probs: list[tuple[int, float]] = field(default_factory=list)


class Endpointer:
    def __init__(self, options: EndpointOptions = EndpointOptions()) -> None:
        self.options = options
        self._utt: _Utterance | None = None
        self._floor = 0

    @property
    def in_utterance(self) -> bool:
        return self._utt is not None

    def _s(self, seconds: float) -> int:
        return round(seconds * SAMPLE_RATE)

    def push(self, prob: float, frame_start: int, frame_end: int) -> list[Endpoint]:
        o = self.options
        utt = self._utt
        if utt is None:
            if prob < o.threshold:
                return []
            start = max(self._floor, frame_start - self._s(o.pre_roll_s))
            utt = self._utt = _Utterance(start, frame_start, frame_end, frame_end - frame_start)
            utt.probs.append((frame_start, prob))
            return [self._event(Action.START, frame_end)]
        utt.probs.append((frame_start, prob))
        out: list[Endpoint] = []
        if prob >= o.threshold:
            utt.voiced_end = frame_end
            utt.voiced_samples += frame_end - frame_start
            if utt.silent_since is not None:
                utt.silent_since = None
                if utt.speculated:
                    utt.speculated = False
                    out.append(self._event(Action.RESUME, frame_end))
        elif prob < o.neg_threshold and utt.silent_since is None:
            utt.silent_since = frame_start
        enough = utt.voiced_samples >= self._s(o.min_speech_s)
        silence = 0 if utt.silent_since is None else frame_end - utt.silent_since
        length = frame_end - utt.start
        soft_end = length >= self._s(o.soft_cut_after_s) and silence >= self._s(
            o.soft_cut_silence_s
        )
        if utt.silent_since is not None and (silence >= self._s(o.end_silence_s) or soft_end):
            out.append(self._close(frame_end))
            return out
        if enough and silence >= self._s(o.speculate_after_s) and not utt.speculated:
            utt.speculated = True
            out.append(self._event(Action.SPECULATE, frame_end))
        elif (
            enough
            and utt.silent_since is None
            and frame_end - utt.voiced_start >= self._s(o.partial_first_s)
            and frame_end - utt.last_partial_end >= self._s(o.partial_interval_s)
        ):
            utt.last_partial_end = frame_end
            out.append(self._event(Action.PARTIAL, frame_end))
        if length >= self._s(o.max_utterance_s):
            out.append(self._cut(frame_end))
        return out

    def flush(self, end: int) -> list[Endpoint]:
        """The stream stopped: close the open utterance (if any) at `end`."""
        if self._utt is None:
            return []
        return [self._close(max(end, self._utt.voiced_end))]

    def _close(self, at: int) -> Endpoint:
        event = self._event(Action.END, at)
        self._floor = at
        self._utt = None
        return event

    def _cut(self, frame_end: int) -> Endpoint:
        utt = self._utt
        assert utt is not None
        half = utt.start + (frame_end - utt.start) // 2
        candidates = [(mean, raw, -s) for s, mean, raw in _smoothed(utt.probs) if s >= half]
        cut = -min(candidates)[2] if candidates else frame_end
        kept = [(s, p) for s, p in utt.probs if s >= cut]
        voiced_after = sum(1 for _, p in kept if p >= self.options.threshold)
        event = Endpoint(
            Action.CUT, cut, utt.start, utt.voiced_start, min(utt.voiced_end, cut),
            utt.voiced_samples - voiced_after * 512,
        )
        rest = _Utterance(
            start=cut, voiced_start=cut, voiced_end=max(cut, utt.voiced_end),
            voiced_samples=voiced_after * 512, silent_since=utt.silent_since,
            last_partial_end=cut, probs=kept,
        )
        if rest.silent_since is not None and rest.silent_since < cut:
            rest.silent_since = cut
        self._utt = rest
        self._floor = cut
        return event

    def _event(self, action: Action, at: int) -> Endpoint:
        utt = self._utt
        assert utt is not None
        return Endpoint(action, at, utt.start, utt.voiced_start, utt.voiced_end,
                        utt.voiced_samples)


def _smoothed(probs: list[tuple[int, float]]) -> list[tuple[int, float, float]]:
    """(middle of the frame, mean probability of it and its two neighbours, its own): the cut
    goes in the middle of the quietest frame."""
    out = []
    for i, (start, prob) in enumerate(probs):
        window = [p for _, p in probs[max(0, i - 1) : i + 2]]
        out.append((start + 256, sum(window) / len(window), prob))
    return out
