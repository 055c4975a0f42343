"""Every utterance that showed partial text ends in a final (or a revision covering it).

Two LibriSpeech sentences said back to back: "No one who is himself honest will doubt my being
so." then "Captain Frere says that the scenery is delightful." The second is a continuation,
so it is decoded with the first one's audio and text as its lead, and tiny.en, once it has
written the new sentence, writes it again and again until the token budget runs out. The
compression guard then dropped the whole final although its partials were on screen."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smart_interview.models.transcript import Speaker
from smart_interview.transcription.decoder import DecodeScheduler, Hypothesis, WhisperDecoder
from smart_interview.transcription.guards import words
from smart_interview.transcription.stream_events import TranscriptEvent
from smart_interview.transcription.streaming import StreamingTranscriber
from smart_interview.transcription.vad import SileroVadModel
from tests.support.waiting import wait_until

SR = 16_000
CLIPS = "speech/spkanon_eval/LibriSpeech-dev-clean"


@pytest.fixture
def two_lanes(live_model: Any) -> Iterator[DecodeScheduler]:
    scheduler = DecodeScheduler(WhisperDecoder(live_model, language="en"), lanes=2).start()
    yield scheduler
    scheduler.stop()


def unfinished(events: list[TranscriptEvent]) -> set[int]:
    """Utterances that showed partials but have neither a final nor a revision over them."""
    partial = {e.utterance for e in events if not e.segment.final and not e.replaces}
    done = {e.utterance for e in events if e.segment.final}
    done |= {n for e in events for n in e.replaces}
    return partial - done


def play(stream: StreamingTranscriber, audio: np.ndarray, *, paced: bool = False) -> None:
    """Feeds 32 ms chunks, at the pace of a capture device when `paced` (the decodes then
    race the audio as they do live)."""
    started = time.monotonic()
    for offset in range(0, audio.size, 512):
        if paced:
            time.sleep(max(0.0, started + offset / SR - time.monotonic()))
        stream.feed(audio[offset : offset + 512], offset / SR)
    stream.finish(timeout=120)


def test_a_continuation_whose_decode_loops_still_ends_in_its_final(
        shared_data: Path, vad: SileroVadModel, two_lanes: DecodeScheduler) -> None:
    from smart_interview.transcription.audio_file import read_audio

    said = [read_audio(shared_data / CLIPS / f"{name}.flac")
            for name in ("2412-153948-0001", "2412-153948-0002", "3752-4944-0000")]
    audio = np.concatenate([np.zeros(SR // 2, np.float32), *said, np.zeros(SR, np.float32)])
    events: list[TranscriptEvent] = []
    stream = StreamingTranscriber(speaker=Speaker.INTERVIEWER, vad=vad, scheduler=two_lanes,
                                  on_event=events.append, clock=time.monotonic)
    play(stream, audio, paced=True)

    assert not stream.errors
    assert unfinished(events) == set()
    # the transcript as shown: finals, each replaced by the revision that covers it
    replaced = {n for e in events for n in e.replaces}
    shown = [e for e in events if e.replaces or (e.segment.final and e.utterance
                                                 not in replaced)]
    said = " ".join(e.segment.text for e in sorted(shown, key=lambda e: e.segment.start))
    assert "scenery" in words(said)
    assert words(said).count("scenery") == 1  # the loop is not what is kept


class _Scripted:
    """A decoder that reads `partial` until `looping` is set, then `loop`."""

    def __init__(self, partial: str, loop: str) -> None:
        self.partial, self.loop = partial, loop
        self.looping = False
        self.calls: list[dict[str, Any]] = []

    def decode(self, audio: np.ndarray, **kw: Any) -> Hypothesis:
        self.calls.append(kw)
        text = self.loop if self.looping else self.partial
        from smart_interview.transcription.hypothesis import compression_ratio

        return Hypothesis(text, -0.2, 0.01, compression_ratio(text), audio.size / SR, 0.01)


def test_a_final_the_guards_drop_falls_back_to_a_plain_decode_then_to_the_partial(
        vad: SileroVadModel, tmp_path: Path) -> None:
    """Partials read "Captain Frere says"; every final decode loops. The final is the last
    partial's text rather than nothing."""
    from tests.support.speech import read_wav, say

    samples, _ = read_wav(say("Captain Frere says that the scenery is delightful.",
                              tmp_path / "s.wav"))
    loop = " ".join(["Captain Frere says that the scenery is delightful."] * 6)
    decoder = _Scripted("Captain Frere says", loop)
    scheduler = DecodeScheduler(decoder, lanes=1).start()  # type: ignore[arg-type]
    try:
        events: list[TranscriptEvent] = []
        stream = StreamingTranscriber(speaker=Speaker.INTERVIEWER, vad=vad,
                                      scheduler=scheduler, on_event=events.append,
                                      clock=time.monotonic)
        speech = np.concatenate([np.zeros(SR // 2, np.float32), samples])
        started = time.monotonic()
        for offset in range(0, speech.size, 512):  # at a capture device's pace: partials come
            time.sleep(max(0.0, started + offset / SR - time.monotonic()))
            stream.feed(speech[offset : offset + 512], offset / SR)
        wait_until(lambda: any(not e.segment.final for e in events), timeout=30,
                   message="a partial of the utterance")
        decoder.looping = True  # from here every decode, the final's included, loops
        silence = np.zeros(SR, np.float32)
        for offset in range(0, silence.size, 512):
            stream.feed(silence[offset : offset + 512], (speech.size + offset) / SR)
        stream.finish(timeout=120)
    finally:
        scheduler.stop()
    assert any(not e.segment.final for e in events)
    assert unfinished(events) == set()
    finals = [e for e in events if e.segment.final]
    assert len(finals) == 1
    assert words(finals[0].segment.text)[:3] == ["captain", "frere", "says"]
    assert words(finals[0].segment.text).count("scenery") <= 1


def test_a_looped_final_is_kept_once_without_the_next_copy_begun() -> None:
    from smart_interview.transcription.guards import GuardOptions, accept_hypothesis
    from smart_interview.transcription.hypothesis import compression_ratio
    from smart_interview.transcription.stream_text import trimmed_loop

    sentence = "Captain Freer says that the scenery is delightful."
    loop = f"{sentence} Captain Frere says that the scenery is delightful. " \
           f"{sentence} {sentence} Captain Freer says that the"
    hyp = Hypothesis(loop, -0.1, 0.0, compression_ratio(loop), 3.3, 0.1)
    assert accept_hypothesis(hyp, speech_s=3.3) == ""  # the guard drops the loop
    kept = trimmed_loop(hyp, GuardOptions(), 3.3)
    assert kept is not None and kept.text == sentence
    plain = Hypothesis(sentence, -0.1, 0.0, compression_ratio(sentence), 3.3, 0.1)
    assert trimmed_loop(plain, GuardOptions(), 3.3) is None  # nothing to trim
