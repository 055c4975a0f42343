"""The pause partial: the speculative decode at the first silent frames is reported at once
as a partial marked `at_pause`, ahead of the final (real tiny.en on a real recording)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from smart_interview.models.transcript import Speaker
from smart_interview.transcription.audio_file import read_audio
from smart_interview.transcription.decoder import DecodeScheduler, WhisperDecoder
from smart_interview.transcription.stream_events import TranscriptEvent
from smart_interview.transcription.streaming import StreamingTranscriber
from smart_interview.transcription.vad import SileroVadModel

SR = 16_000


def test_the_likely_final_comes_out_at_the_pause_before_the_final(
        tiny_model: Any, vad: SileroVadModel, shared_data: Path) -> None:
    audio = read_audio(shared_data / "speech" / "whisper.cpp" / "jfk.wav")
    audio = np.concatenate([audio, np.zeros(SR, dtype=np.float32)])
    fed = [0]  # samples fed: the session clock is the audio's own time

    def clock() -> float:
        return fed[0] / SR

    events: list[TranscriptEvent] = []
    scheduler = DecodeScheduler(WhisperDecoder(tiny_model, language="en")).start()
    try:
        stream = StreamingTranscriber(speaker=Speaker.INTERVIEWER, vad=vad,
                                      scheduler=scheduler, on_event=events.append,
                                      clock=clock)
        for offset in range(0, audio.size, 320):  # as if every decode took no time
            stream.feed(audio[offset : offset + 320], offset / SR)
            fed[0] = offset + 320
            assert scheduler.wait_idle(timeout=30)
        stream.finish()
    finally:
        scheduler.stop()
    at_pause = [e for e in events if e.at_pause]
    finals = {e.utterance: e for e in events if e.segment.final}
    assert at_pause, [(e.kind, e.segment.text) for e in events]
    assert all(not e.segment.final and e.kind == "partial" for e in at_pause)
    ahead = []
    for event in at_pause:
        final = finals.get(event.utterance)
        if final is None:
            continue  # speech resumed after this pause: the utterance went on
        assert events.index(event) < events.index(final)
        if final.segment.text == event.segment.text:  # the final is that very decode
            ahead.append(final.emitted_at - event.emitted_at)
    assert ahead, [(e.kind, e.at_pause, e.segment.text) for e in events]
    # the final waits for the silence to be sure (end_silence_s); the pause partial does not
    assert min(ahead) >= 0.2, ahead
    # every partial after a pause partial of the same utterance carries more audio
    for event in at_pause:
        for later in events[events.index(event) + 1:]:
            if later.utterance == event.utterance and later.kind == "partial":
                assert later.audio_end > event.audio_end
