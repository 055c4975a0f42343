"""One Whisper decode of one utterance, and the shared decode worker that serves every stream.

`WhisperDecoder` runs faster-whisper's model one level below `WhisperModel.transcribe`: log-mel
features, encoder, greedy generation with the recent final text as prompt, no timestamps, no
temperature fallback. Its one speed trick is the encoder window. Whisper pads every input to
30 s, so a decode costs the same for 2 s as for 30 s (encoding alone ~0.65 s with tiny.en on 2
busy cores). CTranslate2 also accepts a shorter window: the utterance plus 3 s of silence, at
least 10 s, encodes in ~0.1 s. Measured on the referenced clips up to 29 s: WER 3.6 % against
3.4 % with the full window; windows of 5-7 s made tiny.en loop and drop words (7-11 %), hence
the 10 s floor. `trim_encoder=False` restores Whisper's 30 s window. The number of new tokens
is capped by the audio's length, so a loop stops early (and `guards` trims it).

`DecodeScheduler` owns the decode threads. Requests wait in a priority queue (interviewer
finals, then candidate finals, then interviewer partials, then candidate partials, then
revisions of finished turns) and a partial request replaces the one its stream already has
waiting, so stale partials never pile up. CTranslate2 cannot stop a decode once it runs, so
with a single thread a final that arrives during a partial of a long utterance waited up to a
second. Live sessions therefore load the model with two workers of one thread each
(`registry.load(..., workers=2)`) and run two lanes: one is always free for a final (partials
and revisions share the other). Greedy decoding is also faster on one thread than on two (6.7
against 9.0 ms a token with tiny.en; the matrices are too small to share), while the encoder
gains from two (0.09 against 0.14 s for a 10 s window).
"""

from __future__ import annotations

import itertools
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

SAMPLE_RATE = 16_000
_HOP = 160
_MAX_FRAMES = 3000
_MAX_PROMPT_TOKENS = 223


@dataclass(frozen=True)
class Hypothesis:
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    audio_s: float
    decode_s: float

    @property
    def confidence(self) -> float:
        return float(min(1.0, max(0.0, np.exp(self.avg_logprob))))


class WhisperDecoder:
    """Greedy, timestamp-free decoding of one utterance (at most 30 s) with a text prompt."""

    def __init__(
        self,
        model: WhisperModel,
        *,
        language: str | None = "en",
        trim_encoder: bool = True,
        tail_pad_s: float = 3.0,
        min_window_s: float = 10.0,
        max_new_tokens: int = 200,
        max_tokens_per_s: float = 7.0,
        tail_noise_s: float = 0.4,
    ) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._model = model
        multilingual = bool(model.model.is_multilingual)
        self._tokenizer = Tokenizer(
            model.hf_tokenizer,
            multilingual,
            task="transcribe",
            language=(language or "en") if multilingual else None,
        )
        self._suppress = list(get_suppressed_tokens(self._tokenizer, (-1,)) or ())
        self._trim = trim_encoder
        self._tail_pad = int(tail_pad_s * SAMPLE_RATE)
        self._min_frames = int(min_window_s * SAMPLE_RATE / _HOP)
        self._max_new_tokens = max_new_tokens
        self._max_tokens_per_s = max_tokens_per_s
        self._tail_noise = int(tail_noise_s * SAMPLE_RATE)

    def decode(self, audio: np.ndarray, *, prompt: str = "", lead: np.ndarray | None = None,
               prefix: str = "", beam_size: int = 1) -> Hypothesis:
        """Text of `audio`. With `lead` (the audio just before it, whose text is `prefix`),
        both are heard and the decoder is made to write `prefix` first: only what follows
        it is returned. Greedy unless `beam_size` > 1 (deterministic either way)."""
        started = time.perf_counter()
        audio = np.asarray(audio, dtype=np.float32)
        forced: list[int] = []
        if lead is not None and lead.size and prefix.strip():
            audio = np.concatenate([np.asarray(lead, dtype=np.float32), audio])
            forced = self._tokenizer.encode(" " + prefix.strip())
        audio = audio[: 30 * SAMPLE_RATE]
        features = self._features(audio)
        tokens = self._prompt_tokens(prompt) + forced
        # Speech runs at 2-5 tokens a second; a cap stops a runaway repetition early.
        seconds = audio.size / SAMPLE_RATE
        budget = min(self._max_new_tokens, int(8 + self._max_tokens_per_s * seconds))
        # Thread-safe: CTranslate2 runs concurrent calls on the model's workers (or queues them).
        encoded = self._model.encode(features)
        result = self._model.model.generate(
            encoded,
            [tokens],
            beam_size=beam_size,
            max_length=len(tokens) + budget,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=self._suppress,
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < self._tokenizer.eot]
        if forced and ids[: len(forced)] == forced:
            ids = ids[len(forced) :]
        text = self._tokenizer.decode(ids).strip()
        if forced:  # a full stop the decoder added to the prefix belongs to the lead
            text = text.lstrip(".,;:!?… ")
        length = len(result.sequences_ids[0])
        avg_logprob = float(result.scores[0]) * length / (length + 1) if length else -10.0
        return Hypothesis(
            text=text,
            avg_logprob=avg_logprob,
            no_speech_prob=float(result.no_speech_prob),
            compression_ratio=_compression_ratio(text),
            audio_s=audio.size / SAMPLE_RATE,
            decode_s=time.perf_counter() - started,
        )

    def _features(self, audio: np.ndarray) -> np.ndarray:
        extractor = self._model.feature_extractor
        if not self._trim:
            features = extractor(audio)
            return _fit(features, _MAX_FRAMES)
        padded = np.concatenate([audio, self._room_tone(audio),
                                 np.zeros(self._tail_pad, dtype=np.float32)])
        features = extractor(padded)
        frames = max(self._min_frames, features.shape[1])
        frames = min(_MAX_FRAMES, frames + frames % 2)
        return _fit(features, frames)

    def _room_tone(self, audio: np.ndarray) -> np.ndarray:
        """Noise at the level of the quietest recent 32 ms of `audio`.

        A speculative final is decoded 64 ms after the speech ended. Followed straight by
        digital silence, tiny.en dropped the last word of 4 of 34 clips ("...doesn't give her"
        for "...give her asthma"); followed by 0.4 s of the room's own noise level it keeps it,
        as it does when it hears 0.4 s of the real silence after the speech."""
        tail = audio[-10 * 512 :]
        frames = tail[: tail.size // 512 * 512].reshape(-1, 512)
        if frames.size == 0 or self._tail_noise == 0:
            return np.zeros(0, dtype=np.float32)
        floor = float(np.sqrt(np.mean(frames**2, axis=1)).min())
        rng = np.random.default_rng(audio.size)  # one per call: decodes run concurrently
        return (rng.standard_normal(self._tail_noise) * floor).astype(np.float32)

    def _prompt_tokens(self, prompt: str) -> list[int]:
        previous = self._tokenizer.encode(" " + prompt.strip()) if prompt.strip() else []
        result: list[int] = []
        if previous:
            result.append(self._tokenizer.sot_prev)
            result.extend(previous[-_MAX_PROMPT_TOKENS:])
        result.extend(self._tokenizer.sot_sequence)
        result.append(self._tokenizer.no_timestamps)
        return result


def _fit(features: np.ndarray, frames: int) -> np.ndarray:
    if features.shape[1] >= frames:
        return np.ascontiguousarray(features[:, :frames])
    # Log-mel of digital silence after Whisper's normalisation is the array minimum.
    fill = float(features.min()) if features.size else 0.0
    pad = np.full((features.shape[0], frames - features.shape[1]), fill, dtype=features.dtype)
    return np.ascontiguousarray(np.concatenate([features, pad], axis=1))


def _compression_ratio(text: str) -> float:
    if not text:
        return 0.0
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw))


@dataclass(frozen=True)
class DecodeContext:
    """What the decoder is told besides the audio: earlier text as Whisper's prompt, and
    optionally the audio just before (`lead`) with its known text (`prefix`)."""

    prompt: str = ""
    lead: np.ndarray | None = None
    prefix: str = ""
    beam_size: int = 1


class Priority(IntEnum):
    """Lower runs first."""

    INTERVIEWER_FINAL = 0
    CANDIDATE_FINAL = 1
    INTERVIEWER_PARTIAL = 2
    CANDIDATE_PARTIAL = 3
    REVISION = 4
    """A finished turn decoded again: only on a lane partials could use, after them."""


DecodeDone = Callable[[Hypothesis | None, BaseException | None], None]


@dataclass
class DecodeTicket:
    """A queued request; `cancel()` drops it if it has not started yet."""

    priority: Priority
    stream: str
    coalesce: bool
    audio: np.ndarray
    context: Callable[[], DecodeContext]
    done: DecodeDone
    cancelled: bool = False
    started: bool = False

    def cancel(self) -> bool:
        """True if the request will not run (it had not started)."""
        self.cancelled = True
        return not self.started


class DecodeScheduler:
    """The decode threads ("lanes") shared by all streams of a session.

    With one lane every decode waits its turn. With two (the model loaded with two workers of
    one thread each, one per core), a final never waits behind a partial or a revision: they
    may use every lane but one between them, so one is always free for a final. A stream has
    at most one final decoding at a time, so its finals come out in order and each sees the
    text of the one before it as its prompt."""

    def __init__(self, decoder: WhisperDecoder, *, lanes: int = 1,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        if lanes < 1:
            raise ValueError("lanes must be at least 1")
        self._decoder = decoder
        self.lanes = lanes
        self._on_error = on_error
        self._waiting: list[tuple[int, int, DecodeTicket]] = []  # (priority, order, ticket)
        self._order = itertools.count()
        self._coalesced: dict[str, DecodeTicket] = {}
        self._cond = threading.Condition()
        self._running = False
        self._active: list[DecodeTicket] = []
        self._threads: list[threading.Thread] = []
        self.decodes = 0
        self.decode_seconds = 0.0
        self.most_at_once = 0

    def start(self) -> DecodeScheduler:
        with self._cond:
            if self._running:
                return self
            self._running = True
        self._threads = [
            threading.Thread(target=self._run, name=f"whisper-decode-{lane}", daemon=True)
            for lane in range(self.lanes)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def submit(
        self,
        *,
        priority: Priority,
        stream: str,
        audio: np.ndarray,
        context: Callable[[], DecodeContext],
        done: DecodeDone,
        coalesce: bool = False,
    ) -> DecodeTicket:
        """Queues a decode; with `coalesce`, it replaces this stream's waiting coalescable one.

        `context` is called when the decode starts, so it sees finals decoded just before."""
        ticket = DecodeTicket(priority, stream, coalesce, audio, context, done)
        with self._cond:
            if coalesce:
                previous = self._coalesced.get(stream)
                if previous is not None and not previous.started:
                    previous.cancelled = True
                self._coalesced[stream] = ticket
            self._waiting.append((int(priority), next(self._order), ticket))
            self._cond.notify_all()
        return ticket

    def idle(self) -> bool:
        with self._cond:
            return not self._active and not any(not t.cancelled for _, _, t in self._waiting)

    def wait_idle(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._active or any(not t.cancelled for _, _, t in self._waiting):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    def stop(self, *, timeout: float | None = 30.0) -> None:
        """Runs what is queued, then ends the threads."""
        self.wait_idle(timeout)
        with self._cond:
            self._running = False
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def _eligible(self, ticket: DecodeTicket) -> bool:
        if _is_final(ticket):
            return not any(_is_final(t) and t.stream == ticket.stream for t in self._active)
        partials = sum(1 for t in self._active if not _is_final(t))
        return self.lanes == 1 or partials < self.lanes - 1

    def _next(self) -> DecodeTicket | None:
        with self._cond:
            while True:
                self._waiting = [e for e in self._waiting if not e[2].cancelled]
                entry = min((e for e in self._waiting if self._eligible(e[2])), default=None)
                if entry is not None:
                    self._waiting.remove(entry)
                    ticket = entry[2]
                    ticket.started = True
                    if self._coalesced.get(ticket.stream) is ticket:
                        del self._coalesced[ticket.stream]
                    self._active.append(ticket)
                    self.most_at_once = max(self.most_at_once, len(self._active))
                    return ticket
                self._cond.notify_all()
                if not self._running:
                    return None
                self._cond.wait()

    def _run(self) -> None:
        while (ticket := self._next()) is not None:
            hypothesis: Hypothesis | None = None
            error: BaseException | None = None
            try:
                context = ticket.context()
                hypothesis = self._decoder.decode(ticket.audio, prompt=context.prompt,
                                                  lead=context.lead, prefix=context.prefix,
                                                  beam_size=context.beam_size)
            except Exception as exc:  # reported to the stream; the thread keeps serving
                error = exc
            try:
                ticket.done(hypothesis, error)
            except Exception as exc:
                if self._on_error is not None:
                    self._on_error(exc)
            with self._cond:
                if hypothesis is not None:
                    self.decodes += 1
                    self.decode_seconds += hypothesis.decode_s
                self._active.remove(ticket)
                self._cond.notify_all()


def _is_final(ticket: DecodeTicket) -> bool:
    return ticket.priority in (Priority.INTERVIEWER_FINAL, Priority.CANDIDATE_FINAL)


def describe(hypothesis: Hypothesis) -> dict[str, Any]:
    return {
        "text": hypothesis.text,
        "avg_logprob": round(hypothesis.avg_logprob, 3),
        "no_speech_prob": round(hypothesis.no_speech_prob, 3),
        "compression_ratio": round(hypothesis.compression_ratio, 2),
        "decode_s": round(hypothesis.decode_s, 3),
    }
