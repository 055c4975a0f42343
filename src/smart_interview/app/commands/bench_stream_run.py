"""One `bench stream` measurement in this process: the clips of a set under one condition,
played as a two-person conversation in real time into one `LiveSession`, then silence and
noise. `bench_stream` runs it in a child process per model and condition and prints rows."""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from smart_interview.app import wiring
from smart_interview.app.commands.bench_conditions import render_clip, render_tracks
from smart_interview.app.commands.bench_holdout import HOLDOUT_VOICES, load_holdout
from smart_interview.app.commands.bench_timing import last_word_end
from smart_interview.app.errors import CliError
from smart_interview.app.resources import peak_rss_mb

SR = 16_000
_WORD_END_MARGIN_S = 0.3
"""The energy end of the last word is looked for up to this long after Silero's end."""


@dataclass(frozen=True)
class Clip:
    audio: np.ndarray
    timing: np.ndarray
    reference: str
    question: bool = False


@dataclass(frozen=True)
class Placed:
    speaker: str
    offset: float
    duration: float
    vad_end: float | None
    word_end: float | None
    reference: str
    question: bool


def load_clips(data: Path | None, set_name: str, condition: str, limit: int | None
               ) -> list[Clip]:
    from smart_interview.transcription.audio_file import read_audio
    from smart_interview.transcription.errors import TranscriptionError
    from smart_interview.transcription.reference_clips import load_reference_clips

    if set_name == "holdout":
        from smart_interview.app.commands.bench_conditions import espeak

        rows = load_holdout()[:limit]
        # each speaker keeps one voice, never one of the `voices` condition's
        voices = {"interviewer": HOLDOUT_VOICES[0], "candidate": HOLDOUT_VOICES[1]}
        spoken = [espeak(r.text, voices[r.speaker]) for r in rows]
        clips = [Clip(a, a, r.text, r.speaker == "interviewer") for a, r in zip(
            spoken, rows, strict=True)]
        return [_rendered(c, condition, i) for i, c in enumerate(clips)]
    if data is None:
        raise CliError("no references.tsv found; pass --data DIR (e.g. ../shared/data/speech)")
    refs = load_reference_clips(data / "references.tsv")[:limit]
    try:
        audios = [read_audio(c.path) for c in refs]
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc
    return [_rendered(Clip(a, a, r.transcript), condition, i)
            for i, (a, r) in enumerate(zip(audios, refs, strict=True))]


def _rendered(clip: Clip, condition: str, index: int) -> Clip:
    out = render_clip(condition, clip.audio, clip.reference, index)
    return Clip(out.audio, out.timing, clip.reference, clip.question)


def measure(name: str, clips: list[Clip], *, condition: str, gap: float, noise_seconds: float,
            options: Any = None, lanes: int = 2, minutes: float = 0.0) -> dict[str, Any]:
    from smart_interview.answers.question_detector import QuestionDetector
    from smart_interview.transcription.errors import TranscriptionError
    from smart_interview.transcription.file_transcriber import as_text, transcribe_samples
    from smart_interview.transcription.vad import SileroVadModel, speech_regions
    from smart_interview.transcription.word_error_rate import corpus_wer

    paths = wiring.app_paths()
    try:
        registry = wiring.model_registry(paths)
        model = (wiring.load_live_model(registry, name, 2) if lanes == 2
                 else registry.load(name, cpu_threads=2))
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc
    vad = SileroVadModel.load()
    if minutes > 0:  # a long conversation: the clips again and again
        total = sum(c.audio.size / SR + gap for c in clips)
        clips = clips * max(1, int(np.ceil(minutes * 60 / total)))
    placed, tracks = _conversation(clips, vad, speech_regions, gap)
    tracks = render_tracks(condition, tracks, [c.audio for c in clips])
    heard = [tracks[p.speaker][round(p.offset * SR): round(p.offset * SR) + c.audio.size]
             for p, c in zip(placed, clips, strict=True)]
    transcribe_samples(model, heard[0][:SR], language="en")  # warm-up

    with tempfile.TemporaryDirectory(prefix="si-bench-stream-") as tmp:
        talk = _play(model, vad, tracks, Path(tmp), "talk", options)
        quiet = (_play(model, vad, _noise_tracks(noise_seconds), Path(tmp), "noise", options)
                 if noise_seconds > 0 else {"events": []})

    events, origin = talk["events"], talk["origin"]
    revised = _apply_revisions(events)
    detector = QuestionDetector()
    vad_lat, word_lat, first, after, asked, caught = [], [], [], [], 0, 0
    by_clip: list[tuple[float, float]] = []
    for clip in placed:
        zero = origin[clip.speaker] + clip.offset

        def in_clip(e: dict[str, Any], clip: Placed = clip, zero: float = zero) -> bool:
            return (e["speaker"] == clip.speaker and
                    zero - 0.5 <= e["start"] < zero + clip.duration + gap / 2)

        finals = [e for e in events if e["type"] == "final" and in_clip(e)]
        first.append(" ".join(e["text"] for e in finals))
        after.append(" ".join(e["text"] for e in revised if in_clip(e)))
        if clip.question:
            asked += 1
            caught += any(detector.detect(e["text"]).is_question for e in finals)
        if not finals:
            continue
        emitted = max(e["emitted_at"] for e in finals)
        if clip.vad_end is not None:
            vad_lat.append(emitted - zero - clip.vad_end)
        if clip.word_end is not None:
            word_lat.append(emitted - zero - clip.word_end)
            by_clip.append((clip.offset, emitted - zero - clip.word_end))
    lags = [e["emitted_at"] - e["audio_end"] for e in events if e["type"] == "partial"]
    refs = [c.reference for c in placed]
    offline = [as_text(transcribe_samples(model, a, language="en", fallback=False))
               for a in heard]
    sampled = [as_text(transcribe_samples(model, a, language="en")) for a in heard]
    words = {s: sum(len(e["text"].split()) for e in quiet["events"]
                    if e["type"] == "final" and e["speaker"] == s)
             for s in ("interviewer", "candidate")}
    result = {
        "model": name, "condition": condition, "clips": len(placed),
        "timed": len(word_lat),
        **_percentiles("final", vad_lat), **_percentiles("word", word_lat),
        "partial_lag": float(np.mean(lags)) if lags else float("nan"),
        "wer_stream": corpus_wer(refs, first) * 100,
        "wer_revised": corpus_wer(refs, after) * 100,
        "wer_offline": corpus_wer(refs, offline) * 100,
        "wer_fallback": corpus_wer(refs, sampled) * 100,
        "fallback_changed": sum(a != b for a, b in zip(offline, sampled, strict=True)),
        "revisions": sum(1 for e in events if e["type"] == "revised"),
        "question_recall": caught / asked if asked else None,
        "cpu_percent": talk["cpu_percent"],
        "peak_rss_mb": max(peak_rss_mb(), talk["rss_peak_mb"]),
        "words_silence": words["interviewer"], "words_noise": words["candidate"],
        "clips_detail": [{"ref": r, "stream": s, "revised": v, "offline": o}
                         for r, s, v, o in zip(refs, first, after, offline, strict=True)],
    }
    if minutes > 0:
        result.update(_soak(by_clip, talk["rss_series"]))
    return result


def _percentiles(name: str, values: list[float]) -> dict[str, float]:
    if not values:
        return {f"{name}_p50": float("nan"), f"{name}_p95": float("nan")}
    return {f"{name}_p50": float(np.percentile(values, 50)),
            f"{name}_p95": float(np.percentile(values, 95))}


def _soak(by_clip: list[tuple[float, float]], rss: list[tuple[float, float]]
          ) -> dict[str, float]:
    """Latency of the first and last 5 minutes, RSS after 1 minute and at the end."""
    end = max((at for at, _ in by_clip), default=0.0)
    head = [v for at, v in by_clip if at < 300]
    tail = [v for at, v in by_clip if at >= end - 300]
    after_minute = [mb for at, mb in rss if at >= 60]
    return {"soak_first_p50": float(np.median(head)) if head else float("nan"),
            "soak_last_p50": float(np.median(tail)) if tail else float("nan"),
            "rss_1min_mb": after_minute[0] if after_minute else float("nan"),
            "rss_end_mb": rss[-1][1] if rss else float("nan")}


def _apply_revisions(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The finished transcript: finals, each turn's replaced by its revision if it has one."""
    replaced = {(e["speaker"], n) for e in events if e["type"] == "revised"
                for n in e["replaces"]}
    kept = [e for e in events
            if e["type"] == "revised"
            or (e["type"] == "final" and (e["speaker"], e["utterance"]) not in replaced)]
    return sorted(kept, key=lambda e: e["start"])


def _conversation(clips: list[Clip], vad: Any, regions: Any, gap: float
                  ) -> tuple[list[Placed], dict[str, np.ndarray]]:
    placed, cursor = [], 1.0
    for index, clip in enumerate(clips):
        found = regions(vad.probabilities(clip.timing))
        speaker = "interviewer" if index % 2 == 0 else "candidate"
        duration = clip.audio.size / SR
        vad_end = found[-1][1] if found else None
        word_end = last_word_end(clip.timing, not_after=None if vad_end is None
                                 else vad_end + _WORD_END_MARGIN_S)
        placed.append(Placed(speaker, cursor, duration, vad_end, word_end, clip.reference,
                             clip.question))
        cursor += duration + gap
    total = int((cursor + 2.0) * SR)
    tracks = {s: np.zeros(total, dtype=np.float32) for s in ("interviewer", "candidate")}
    for spot, clip in zip(placed, clips, strict=True):
        at = round(spot.offset * SR)
        tracks[spot.speaker][at : at + clip.audio.size] = clip.audio
    return placed, tracks


def _noise_tracks(seconds: float) -> dict[str, np.ndarray]:
    """Interviewer: near-silence (-80 dBFS dither). Candidate: four kinds of non-speech."""
    rng = np.random.default_rng(7)
    n = int(seconds * SR)
    part = n // 4
    t = np.arange(part) / SR
    white = rng.normal(0, 0.03, part)
    clicks = np.zeros(part)
    for at in rng.integers(0, part - 800, size=int(seconds / 4 * 6)):
        clicks[at : at + 800] += rng.normal(0, 0.3, 800) * np.exp(-np.arange(800) / 80)
    bursts = np.convolve(rng.normal(0, 1, part), np.ones(40) / 40, mode="same")
    breath = 0.15 * bursts * (0.5 - 0.5 * np.cos(2 * np.pi * t / 3.5)) ** 2
    chords = [(220.0, 277.2, 329.6), (196.0, 246.9, 293.7), (174.6, 220.0, 261.6)]
    music = np.zeros(part)
    for i, chord in enumerate(chords * int(1 + part / SR / 2)):
        lo, hi = int(i * 2 * SR), min(part, int((i + 1) * 2 * SR))
        if lo >= part:
            break
        tt = t[lo:hi]
        music[lo:hi] = sum(0.05 * np.sin(2 * np.pi * f * k * tt) / k for f in chord
                           for k in (1, 2, 3))
    noise = np.concatenate([white, clicks, breath, music, np.zeros(n - 4 * part)])
    silence = rng.normal(0, 1e-4, n)
    return {"interviewer": silence.astype(np.float32), "candidate": noise.astype(np.float32)}


def _play(model: Any, vad: Any, tracks: dict[str, np.ndarray], tmp: Path,
          tag: str, options: Any, *, listener: Any = None,
          clock: Any = None) -> dict[str, Any]:
    """Plays `tracks` in real time through one `LiveSession`; `listener`, when given, also
    gets each `TranscriptEvent` as it comes (on the session's thread), timed by `clock`."""
    import psutil
    import soundfile

    from smart_interview.app.live_session import LiveSession
    from smart_interview.audio.file_source import FileSource
    from smart_interview.models.transcript import Speaker

    t0 = time.monotonic()

    def own_clock() -> float:
        return time.monotonic() - t0

    clock = clock or own_clock
    events: list[dict[str, Any]] = []

    def on_event(event: Any) -> None:
        events.append({**event.as_json(), "audio_end": event.audio_end})
        if listener is not None:
            listener(event)

    session = LiveSession(model=model, vad=vad, clock=clock, on_event=on_event, options=options)
    origin: dict[str, float] = {}
    sources = {}
    for speaker in (Speaker.INTERVIEWER, Speaker.CANDIDATE):
        path = tmp / f"{tag}-{speaker.value}.wav"
        soundfile.write(str(path), tracks[speaker.value], SR, subtype="FLOAT")

        def factory(on_chunk: Any, on_notice: Any, path: Path = path,
                    speaker: Speaker = speaker) -> Any:
            def first(chunk: Any) -> None:
                origin.setdefault(speaker.value, chunk.start)
                on_chunk(chunk)

            return FileSource(path, on_chunk=first, on_event=on_notice, clock=clock,
                              label=speaker.value)

        sources[speaker] = session.attach(speaker, factory)
    process = psutil.Process()
    series: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample_rss() -> None:
        while not stop.wait(0.25):
            series.append((clock(), process.memory_info().rss / 1e6))

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    cpu_before, wall_before = sum(process.cpu_times()[:2]), time.monotonic()
    session.start()
    for source in sources.values():
        source.wait()  # type: ignore[attr-defined]
    session.stop()
    wall = time.monotonic() - wall_before
    cpu = sum(process.cpu_times()[:2]) - cpu_before
    stop.set()
    sampler.join()
    if session.errors:
        raise CliError(f"streaming failed: {session.errors[0]!r}")
    return {"events": events, "origin": origin, "rss_series": series,
            "rss_peak_mb": max((mb for _, mb in series), default=0.0),
            "cpu_percent": 100 * cpu / wall / (psutil.cpu_count() or 1)}
