"""The streaming transcriber with the real tiny.en model on espeak-ng speech."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smart_interview.models.transcript import Speaker
from smart_interview.transcription.decoder import DecodeScheduler, WhisperDecoder
from smart_interview.transcription.endpointing import EndpointOptions
from smart_interview.transcription.guards import EchoGuard, words
from smart_interview.transcription.stream_events import TranscriptEvent
from smart_interview.transcription.streaming import StreamingOptions, StreamingTranscriber
from smart_interview.transcription.vad import SileroVadModel
from tests.support.speech import read_wav, say

SR = 16_000
QUESTION = "Why do you want to work for our company?"
ANSWER = "I enjoy building reliable software that many people use every day."
SECOND = "What is your biggest weakness?"


@pytest.fixture
def scheduler(tiny_model: Any) -> Iterator[DecodeScheduler]:
    scheduler = DecodeScheduler(WhisperDecoder(tiny_model, language="en")).start()
    yield scheduler
    scheduler.stop()


def speech(text: str, tmp: Path, name: str, **kw: Any) -> np.ndarray:
    samples, _ = read_wav(say(text, tmp / f"{name}.wav", **kw))
    return samples


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def transcriber(vad: SileroVadModel, scheduler: DecodeScheduler, events: list[TranscriptEvent],
                speaker: Speaker = Speaker.CANDIDATE, **kw: Any) -> StreamingTranscriber:
    return StreamingTranscriber(speaker=speaker, vad=vad, scheduler=scheduler,
                                on_event=events.append, clock=time.monotonic, **kw)


def feed_all(stream: StreamingTranscriber, audio: np.ndarray, *, start: float = 0.0,
             chunk: int = 320) -> None:
    """As fast as the stream takes it (decodes queue up and finish() waits for them)."""
    for offset in range(0, audio.size, chunk):
        stream.feed(audio[offset : offset + chunk], start + offset / SR)


def overlap(said: str, heard: str) -> float:
    ref, hyp = words(said), set(words(heard))
    return sum(1 for w in ref if w in hyp) / len(ref)


def finals(events: list[TranscriptEvent]) -> list[TranscriptEvent]:
    return [e for e in events if e.segment.final]


def test_two_files_played_together_give_labelled_time_ordered_finals(
        live_model: Any, vad: SileroVadModel, tmp_path: Path) -> None:
    import soundfile

    from smart_interview.app.live_session import LiveSession
    from smart_interview.audio.file_source import FileSource

    question, answer, second = (speech(t, tmp_path, n) for t, n in
                                ((QUESTION, "q"), (ANSWER, "a"), (SECOND, "q2")))
    a_at = 0.5 + question.size / SR + 1.0
    q2_at = a_at + answer.size / SR + 1.0
    total = q2_at + second.size / SR + 1.0
    tracks = {Speaker.INTERVIEWER: [(0.5, question), (q2_at, second)],
              Speaker.CANDIDATE: [(a_at, answer)]}
    started = time.monotonic()

    def clock() -> float:
        return time.monotonic() - started

    events: list[TranscriptEvent] = []
    session = LiveSession(model=live_model, vad=vad, clock=clock, on_event=events.append)
    assert session.scheduler.lanes == 2  # one worker per core, one lane per worker
    sources = []
    for speaker, parts in tracks.items():
        track = silence(total)
        for at, audio in parts:
            track[int(at * SR) : int(at * SR) + audio.size] = audio
        path = tmp_path / f"{speaker.value}.wav"
        soundfile.write(str(path), track, SR)
        sources.append(session.attach(speaker, lambda on_chunk, on_event, path=path, s=speaker:
                                      FileSource(path, on_chunk=on_chunk, on_event=on_event,
                                                 clock=clock, label=s.value)))
    session.start()
    for source in sources:
        assert source.wait(60)
    session.stop()
    assert session.errors == []

    got = finals(events)
    assert [e.segment.speaker for e in got] == [
        Speaker.INTERVIEWER, Speaker.CANDIDATE, Speaker.INTERVIEWER], [e.segment for e in got]
    for event, said in zip(got, (QUESTION, ANSWER, SECOND), strict=True):
        assert overlap(said, event.segment.text) >= 0.6, event.segment.text
    # session-clock times: in speaking order, each emitted after its speech ended
    ends = [e.segment.end for e in got]
    assert ends == sorted(ends)
    assert all(e.emitted_at >= e.segment.end for e in got)
    # both replays start at session time ~0, so speech starts where the files have it
    for event, offset in zip(got, (0.5, a_at, q2_at), strict=True):
        assert offset - 0.1 <= event.segment.start <= offset + 1
    assert any(not e.segment.final for e in events), "partial text while speaking"


def test_silence_and_noise_produce_no_text(vad: SileroVadModel,
                                           scheduler: DecodeScheduler) -> None:
    events: list[TranscriptEvent] = []
    stream = transcriber(vad, scheduler, events)
    rng = np.random.default_rng(3)
    audio = np.concatenate([
        silence(10),
        rng.normal(0, 0.02, 10 * SR).astype(np.float32),  # hiss
        (np.sin(2 * np.pi * 220 * np.arange(5 * SR) / SR) * 0.1).astype(np.float32),  # tone
    ])
    feed_all(stream, audio)
    stream.finish()
    assert events == []
    assert scheduler.decodes == 0


def test_finish_delivers_the_tail(vad: SileroVadModel, scheduler: DecodeScheduler,
                                  tmp_path: Path) -> None:
    events: list[TranscriptEvent] = []
    stream = transcriber(vad, scheduler, events)
    audio = speech(ANSWER, tmp_path, "a")
    feed_all(stream, np.concatenate([silence(1), audio[: audio.size - 800]]))  # cut mid-word
    assert stream.busy
    stream.finish()
    got = finals(events)
    assert len(got) == 1
    assert overlap(ANSWER, got[0].segment.text) >= 0.6
    assert not stream.busy
    stream.feed(audio, 99.0)  # after finish(): ignored, nothing more comes
    assert finals(events) == got


SENTENCES = [
    ("apple", "my brother ate a green apple before lunch"),
    ("bridge", "the old bridge was painted blue last spring"),
    ("camera", "she bought a new camera for the long trip"),
    ("doctor", "the doctor called me back this morning"),
    ("engine", "the engine of the truck made a loud noise"),
    ("forest", "we walked through the forest for three hours"),
    ("guitar", "he plays the guitar every night after dinner"),
    ("harbor", "the boats came back to the harbor at sunset"),
    ("island", "they spent the summer on a small island"),
    ("jacket", "I left my warm jacket on the train"),
    ("kitchen", "the kitchen smelled of fresh bread and coffee"),
    ("mountain", "we climbed the mountain early on sunday"),
    ("library", "the library closes at nine in the evening"),
    ("window", "please open the window because it is hot"),
    ("garden", "my mother grows tomatoes in her garden"),
    ("pencil", "can I borrow a pencil for the exam"),
    ("teacher", "our teacher gave us a short story to read"),
    ("notebook", "I wrote the address in my notebook"),
]


def trimmed(samples: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    return samples[loud[0] : loud[-1] + 1]


@pytest.mark.slow
@pytest.mark.parametrize("pause_s", [0.06, 0.3], ids=["cut at the length limit", "at a pause"])
def test_a_45_second_utterance_is_split_without_losing_or_repeating_words(
        vad: SileroVadModel, live_model: Any, tmp_path: Path, pause_s: float) -> None:
    """Sentences joined with 60 ms gaps: Silero hears one utterance, which must be cut before
    30 s at its quietest point; with a 0.3 s pause after half of it, it ends there instead.
    Decoded on one CPU thread a call (the live model's workers), so the numbers, and with them
    tiny.en's text, are the same on every run."""
    scheduler = DecodeScheduler(WhisperDecoder(live_model, language="en")).start()
    pieces = []
    for index, (_, sentence) in enumerate(SENTENCES):
        pieces += [trimmed(speech(sentence, tmp_path, f"s{index}", wpm=150)),
                   silence(pause_s if index == len(SENTENCES) // 2 else 0.06)]
    audio = np.concatenate([silence(0.5), *pieces, silence(1.0)])
    assert audio.size / SR >= 45
    events: list[TranscriptEvent] = []
    # no partials, and each decode done before more audio comes: every decode sees the same
    # prompt on every run (fed faster than real time, whether the first part's final was
    # ready in time to be the second's prompt varied, and so did tiny.en's text)
    options = StreamingOptions(endpoint=EndpointOptions(partial_first_s=1e9))
    stream = transcriber(vad, scheduler, events, options=options)
    try:
        for offset in range(0, audio.size, 320):
            stream.feed(audio[offset : offset + 320], offset / SR)
            assert scheduler.wait_idle(timeout=60)
        stream.finish()
    finally:
        scheduler.stop()
    parts = finals(events)
    texts = [p.segment.text for p in parts]
    assert len(parts) >= 2, texts
    assert all(p.segment.end - p.segment.start <= 30 for p in parts)
    heard = [w for text in texts for w in words(text)]
    for keyword, sentence in SENTENCES:  # every sentence once: none lost, none doubled at a seam
        assert times_heard(keyword, sentence, heard) == 1, (keyword, texts)


def times_heard(keyword: str, sentence: str, heard: list[str]) -> int:
    """How often a sentence was heard: its keyword's count, or, when tiny.en misread the
    keyword itself ("fridge" for "bridge"), 1 if the rest of the sentence stands together."""
    count = heard.count(keyword)
    if count:
        return count
    rest = [w for w in words(sentence) if w != keyword]
    size = len(rest) + 2
    return int(any(sum(w in heard[i : i + size] for w in rest) >= 0.8 * len(rest)
                   for i in range(max(1, len(heard) - size + 1))))


def test_interviewer_leaking_into_the_mic_is_not_repeated(
        vad: SileroVadModel, scheduler: DecodeScheduler, tmp_path: Path) -> None:
    question = np.concatenate([silence(0.5), speech(QUESTION, tmp_path, "q"), silence(1.0)])
    leaked = np.concatenate([silence(0.03), question[:-480] * 0.5])  # 30 ms later, quieter

    def run(guard: EchoGuard | None) -> tuple[list[TranscriptEvent], list[TranscriptEvent]]:
        heard: dict[Speaker, list[TranscriptEvent]] = {Speaker.INTERVIEWER: [],
                                                       Speaker.CANDIDATE: []}
        streams = {s: transcriber(vad, scheduler, heard[s], speaker=s, echo_guard=guard)
                   for s in heard}
        for offset in range(0, question.size, 320):  # both live at once, as in a session
            for speaker, audio in ((Speaker.INTERVIEWER, question),
                                   (Speaker.CANDIDATE, leaked)):
                streams[speaker].feed(audio[offset : offset + 320], offset / SR)
        for stream in streams.values():
            stream.finish()
        return heard[Speaker.INTERVIEWER], heard[Speaker.CANDIDATE]

    interviewer, candidate = run(None)
    assert finals(interviewer) and finals(candidate), "without the guard the mic repeats it"
    interviewer, candidate = run(EchoGuard())
    assert overlap(QUESTION, " ".join(e.segment.text for e in finals(interviewer))) >= 0.6
    assert candidate == []


class RecordingDecoder:
    """The real decoder, noting what each decode was given besides its audio."""

    def __init__(self, decoder: WhisperDecoder) -> None:
        self._decoder = decoder
        self.calls: list[tuple[int, str, str]] = []  # (lead samples, prefix, text)

    def decode(self, audio: np.ndarray, **kw: Any) -> Any:
        hypothesis = self._decoder.decode(audio, **kw)
        lead = kw.get("lead")
        self.calls.append((0 if lead is None else lead.size, kw.get("prefix", ""),
                           hypothesis.text))
        return hypothesis


@pytest.mark.parametrize("pause_s", [0.7, 2.5], ids=["continuation", "new thought"])
def test_a_continuation_is_heard_with_the_words_before_it(
        tiny_model: Any, vad: SileroVadModel, tmp_path: Path, pause_s: float) -> None:
    first = trimmed(speech("And so my fellow Americans.", tmp_path, "first"))
    second = trimmed(speech("Ask not what your country can do for you.", tmp_path, "second"))
    audio = np.concatenate([silence(0.5), first, silence(pause_s), second, silence(1.0)])
    decoder = RecordingDecoder(WhisperDecoder(tiny_model, language="en"))
    scheduler = DecodeScheduler(decoder).start()  # type: ignore[arg-type]
    events: list[TranscriptEvent] = []
    try:
        stream = transcriber(vad, scheduler, events)
        for offset in range(0, audio.size, 320):  # as if each decode took no time at all
            stream.feed(audio[offset : offset + 320], offset / SR)
            assert scheduler.wait_idle(timeout=30)
        stream.finish()
    finally:
        scheduler.stop()
    got = [e.segment.text for e in finals(events)]
    assert len(got) == 2, got
    assert overlap("and so my fellow americans", got[0]) >= 0.8, got
    assert overlap("ask not what your country can do for you", got[1]) >= 0.8, got
    assert not {"fellow", "americans"} & set(words(got[1])), "the lead's text is not repeated"
    with_lead = [(lead, prefix) for lead, prefix, _ in decoder.calls if lead]
    if pause_s < 1.5:
        # every decode of the second utterance heard the first one, told its final text
        assert with_lead and all(prefix == got[0] for _, prefix in with_lead)
        assert all(lead >= first.size for lead, _ in with_lead)
    else:
        assert with_lead == []  # too long a pause: a new thought, decoded alone


def test_finals_come_out_in_speaking_order_when_decoding_lags(
        vad: SileroVadModel, scheduler: DecodeScheduler, tmp_path: Path) -> None:
    """Fed faster than real time, decodes fall behind and a speculative text that looks cut
    short is decoded again after the next utterance's decode: the finals still keep order."""
    sentences = ["And so my fellow Americans", "ask not what your country can do for you",
                 "ask what you can do for your country", "thank you all very much"]
    pieces = [silence(0.5)]
    for index, sentence in enumerate(sentences):
        pieces += [trimmed(speech(sentence, tmp_path, f"p{index}")), silence(0.6)]
    events: list[TranscriptEvent] = []
    stream = transcriber(vad, scheduler, events)
    feed_all(stream, np.concatenate([*pieces, silence(1.0)]))
    stream.finish()
    got = finals(events)
    assert len(got) == len(sentences), [e.segment.text for e in got]
    starts = [e.segment.start for e in got]
    assert starts == sorted(starts)
    for event, sentence in zip(got, sentences, strict=True):
        assert overlap(sentence, event.segment.text) >= 0.6, (sentence, event.segment.text)
