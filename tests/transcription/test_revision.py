"""The revision pass with the real tiny.en on espeak-ng speech: a finished turn is decoded
again as one piece and replaces its finals; nothing is revised while the speaker goes on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smart_interview.models.transcript import Speaker
from smart_interview.transcription.decoder import DecodeScheduler, WhisperDecoder
from smart_interview.transcription.stream_events import TranscriptEvent
from smart_interview.transcription.streaming import StreamingTranscriber
from smart_interview.transcription.turns import HeardFinal, TurnOptions, TurnTracker
from smart_interview.transcription.vad import SileroVadModel
from tests.transcription.test_streaming import overlap, silence, speech

SR = 16_000
FIRST = "Tell me about a project you are proud of."
SECOND = "What did you own there?"


@pytest.fixture
def two_lanes(live_model: Any) -> Iterator[DecodeScheduler]:
    scheduler = DecodeScheduler(WhisperDecoder(live_model, language="en"), lanes=2).start()
    yield scheduler
    scheduler.stop()


def feed(stream: StreamingTranscriber, audio: np.ndarray, at: int) -> int:
    for offset in range(0, audio.size, 320):
        stream.feed(audio[offset : offset + 320], (at + offset) / SR)
    return at + audio.size


def test_a_turn_of_two_utterances_gets_one_revision_spanning_both_finals(
        vad: SileroVadModel, two_lanes: DecodeScheduler, tmp_path: Path) -> None:
    events: list[TranscriptEvent] = []
    stream = StreamingTranscriber(speaker=Speaker.INTERVIEWER, vad=vad, scheduler=two_lanes,
                                  on_event=events.append, clock=time.monotonic)
    at = feed(stream, np.concatenate([silence(0.5), speech(FIRST, tmp_path, "a"),
                                      silence(0.8)]), 0)
    assert two_lanes.wait_idle(timeout=60)
    # 0.8 s after the first sentence: its final is out, the turn is not over
    assert [e.kind for e in events if e.kind != "partial"] == ["final"]
    at = feed(stream, np.concatenate([speech(SECOND, tmp_path, "b"), silence(2.0)]), at)
    assert two_lanes.wait_idle(timeout=60)
    stream.finish()

    finals = [e for e in events if e.kind == "final"]
    revised = [e for e in events if e.kind == "revised"]
    assert len(finals) == 2, [e.segment.text for e in finals]
    assert len(revised) == 1, [e.segment.text for e in revised]
    revision = revised[0]
    assert revision.replaces == tuple(e.utterance for e in finals)
    assert revision.segment.speaker is Speaker.INTERVIEWER
    assert revision.segment.start == finals[0].segment.start
    assert revision.segment.end == finals[1].segment.end
    assert not revision.segment.final  # a question detector acting on finals ignores it
    assert overlap(FIRST + " " + SECOND, revision.segment.text) >= 0.75, revision.segment.text
    assert revision.emitted_at >= finals[1].emitted_at
    assert revision.as_json()["type"] == "revised"
    assert revision.as_json()["replaces"] == list(revision.replaces)


def test_one_lane_never_revises(vad: SileroVadModel, tiny_model: Any, tmp_path: Path) -> None:
    scheduler = DecodeScheduler(WhisperDecoder(tiny_model, language="en"), lanes=1).start()
    events: list[TranscriptEvent] = []
    stream = StreamingTranscriber(speaker=Speaker.CANDIDATE, vad=vad, scheduler=scheduler,
                                  on_event=events.append, clock=time.monotonic)
    try:
        feed(stream, np.concatenate([speech(FIRST, tmp_path, "a"), silence(0.8),
                                     speech(SECOND, tmp_path, "b"), silence(2.0)]), 0)
        stream.finish()
    finally:
        scheduler.stop()
    assert [e.kind for e in events if e.kind != "partial"] == ["final", "final"]


def _final(number: int, start: float, end: float, text: str = "a few words here") -> HeardFinal:
    return HeardFinal(number, text, start, end, int(start * SR), int((end + 0.4) * SR))


def test_a_turn_ends_after_the_pause_or_when_ended_and_carries_the_previous_prompt() -> None:
    turns = TurnTracker(TurnOptions(end_pause_s=1.2), sample_rate=SR)
    turns.heard(_final(1, 0.0, 2.0, "first part"))
    turns.heard(_final(2, 2.8, 4.0, "second part"))
    assert turns.due(5.0) is None  # 1.0 s of pause: the speaker may go on
    first = turns.due(5.3)
    assert first is not None and first.numbers == (1, 2) and first.prompt == ""
    assert turns.due(9.0) is None  # nothing left to revise
    turns.heard(_final(3, 10.0, 11.0, "third"))
    turns.heard(_final(4, 11.5, 12.0, "fourth"))
    turns.end()  # the other speaker started
    second = turns.due(12.1)
    assert second is not None and second.numbers == (3, 4)
    assert second.prompt == "first part second part"


def test_a_turn_too_long_for_one_window_drops_its_oldest_finals_and_short_turns_wait() -> None:
    turns = TurnTracker(TurnOptions(max_audio_s=10.0), sample_rate=SR)
    for n in range(5):
        turns.heard(_final(n, n * 3.0, n * 3.0 + 2.5))
    revision = turns.due(20.0)
    assert revision is not None and revision.numbers == (2, 3, 4)
    assert revision.audio_to - revision.audio_from <= 10 * SR
    turns.heard(_final(9, 30.0, 31.0))
    assert turns.due(40.0) is None  # one final: nothing to join
    assert revision.plausible("a few words here " * 3, TurnOptions())
    assert not revision.plausible("a few", TurnOptions())
    assert not revision.plausible("word " * 40, TurnOptions())
