"""`smart-interview bench stream [--model NAME]...`: streaming latency, accuracy and cost.

The referenced clips become a two-person conversation: clip 1 is the interviewer, clip 2 the
candidate, clip 3 the interviewer again..., each after the previous one plus `--gap` seconds
of silence, written as two tracks of equal length. Both tracks play through `FileSource` in
real time into one `LiveSession`, so decoding competes with the clock exactly as it would
live (the clock runs while decoding). Then 60 s of silence (interviewer) and 60 s of noise
(candidate: white noise, keyboard clicks, breathing, music) play the same way.

Measures (docs/streaming.md says how each is defined):
- final latency: per clip, the emission time of the final that covers the clip's last speech
  minus the moment that speech ended. "Speech ended" is where offline Silero VAD on the clip
  alone puts the end of its last speech region (first frame below 0.35 after the last frame
  above 0.5, frame-accurate, no padding);
- partial lag: per partial event, its emission time minus the end of the audio it was
  decoded from;
- WER of the finals per clip against the references, and of offline transcription
  (`transcribe_samples`, as `bench wer`) of the same clips;
- CPU: process CPU time over wall time during the conversation, as % of all cores;
- peak RSS of the process (each model runs in its own process).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from smart_interview.app import wiring
from smart_interview.app.errors import CliError
from smart_interview.app.resources import peak_rss_mb, shared_speech_dir

SR = 16_000
HEADER = (f"{'model':<8} {'clips':>5} {'final p50':>9} {'p95':>5} {'partial lag':>11} "
          f"{'WER stream %':>12} {'WER offline %':>13} {'CPU % (2 cores)':>15} "
          f"{'peak RSS MB':>11} {'words silence':>13} {'words noise':>11}")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("stream", help="streaming latency/WER/CPU on two live sources")
    parser.add_argument("--model", action="append", help="model name (repeatable; default tiny.en)")
    parser.add_argument("--data", type=Path, help="folder holding references.tsv")
    parser.add_argument("--limit", type=int, help="only the first N clips")
    parser.add_argument("--gap", type=float, default=1.0, help="silence between turns, seconds")
    parser.add_argument("--noise-seconds", type=float, default=60.0)
    parser.add_argument("--end-silence", type=float, help="silence that ends an utterance, s")
    parser.add_argument("--partial-interval", type=float, help="seconds between partials")
    parser.add_argument("--speculate-after", type=float,
                        help="silence before the speculative final decode, seconds")
    parser.add_argument("--prompt-chars", type=int, help="recent final text used as prompt")
    parser.add_argument("--prompt-gap", type=float,
                        help="longest pause after which earlier text is still the prompt")
    parser.add_argument("--no-speculative", action="store_true",
                        help="decode the final only once the end is confirmed")
    parser.add_argument("--full-window", action="store_true",
                        help="encode the full 30 s window (Whisper's default)")
    parser.add_argument("--no-audio-context", action="store_true",
                        help="decode a continuation without the audio of the final before it")
    parser.add_argument("--one-lane", action="store_true",
                        help="one decode thread with two CPU threads (finals wait for partials)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    data = args.data or shared_speech_dir()
    if data is None or not (data / "references.tsv").is_file():
        raise CliError("no references.tsv found; pass --data DIR (e.g. ../shared/data/speech)")
    models = args.model or ["tiny.en"]
    if len(models) > 1 or not args.json:
        print(HEADER, flush=True)
        for name in models:  # one process per model: clean peak-RSS figures
            cmd = [sys.executable, "-m", "smart_interview.app.cli", "bench", "stream", "--json",
                   "--model", name, "--data", str(data), "--gap", str(args.gap),
                   "--noise-seconds", str(args.noise_seconds)]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            for flag, value in _lever_flags(args):
                cmd += [flag] if value is None else [flag, str(value)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise CliError(f"benchmark of {name} failed: {done.stderr.strip()[-500:]}")
            print(_row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)
        return 0
    print(json.dumps(measure(models[0], data, limit=args.limit, gap=args.gap,
                             noise_seconds=args.noise_seconds, options=_options(args),
                             lanes=1 if args.one_lane else 2)))
    return 0


def _lever_flags(args: argparse.Namespace) -> list[tuple[str, object]]:
    flags: list[tuple[str, object]] = []
    for name in ("end_silence", "partial_interval", "speculate_after", "prompt_chars",
                 "prompt_gap"):
        value = getattr(args, name)
        if value is not None:
            flags.append(("--" + name.replace("_", "-"), value))
    flags += [("--no-speculative", None)] if args.no_speculative else []
    flags += [("--full-window", None)] if args.full_window else []
    flags += [("--no-audio-context", None)] if args.no_audio_context else []
    flags += [("--one-lane", None)] if args.one_lane else []
    return flags


def _options(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from smart_interview.app.live_session import LiveOptions
    from smart_interview.transcription.streaming import StreamingOptions

    streaming = StreamingOptions()
    endpoint = streaming.endpoint
    if args.end_silence is not None:
        endpoint = replace(endpoint, end_silence_s=args.end_silence)
    if args.partial_interval is not None:
        endpoint = replace(endpoint, partial_interval_s=args.partial_interval)
    if args.speculate_after is not None:
        endpoint = replace(endpoint, speculate_after_s=args.speculate_after)
    streaming = replace(streaming, endpoint=endpoint, speculative=not args.no_speculative)
    if args.prompt_chars is not None:
        streaming = replace(streaming, prompt_chars=args.prompt_chars)
    if args.prompt_gap is not None:
        streaming = replace(streaming, prompt_gap_s=args.prompt_gap)
    if args.no_audio_context:
        streaming = replace(streaming, audio_context_s=0.0)
    return LiveOptions(streaming=streaming, trim_encoder=not args.full_window)


def _row(r: dict[str, Any]) -> str:
    return (f"{r['model']:<8} {r['clips']:>5} {r['final_p50']:>9.2f} {r['final_p95']:>5.2f} "
            f"{r['partial_lag']:>11.2f} {r['wer_stream']:>12.1f} {r['wer_offline']:>13.1f} "
            f"{r['cpu_percent']:>15.0f} {r['peak_rss_mb']:>11.0f} {r['words_silence']:>13} "
            f"{r['words_noise']:>11}")


@dataclass(frozen=True)
class _Placed:
    index: int
    speaker: str
    offset: float
    duration: float
    speech_end: float | None
    reference: str


def measure(name: str, data: Path, *, limit: int | None, gap: float,
            noise_seconds: float, options: Any = None, lanes: int = 2) -> dict[str, Any]:
    from smart_interview.transcription.audio_file import read_audio
    from smart_interview.transcription.errors import TranscriptionError
    from smart_interview.transcription.file_transcriber import as_text, transcribe_samples
    from smart_interview.transcription.reference_clips import load_reference_clips
    from smart_interview.transcription.vad import SileroVadModel, speech_regions
    from smart_interview.transcription.word_error_rate import corpus_wer

    clips = load_reference_clips(data / "references.tsv")[:limit]
    paths = wiring.app_paths()
    try:
        registry = wiring.model_registry(paths)
        model = (wiring.load_live_model(registry, name, 2) if lanes == 2
                 else registry.load(name, cpu_threads=2))
        audios = [read_audio(c.path) for c in clips]
    except TranscriptionError as exc:
        raise CliError(str(exc)) from exc
    vad = SileroVadModel.load()
    placed, tracks = _conversation(clips, audios, vad, speech_regions, gap)
    transcribe_samples(model, audios[0][:SR], language="en")  # warm-up

    with tempfile.TemporaryDirectory(prefix="si-bench-stream-") as tmp:
        conversation = _play(model, vad, tracks, Path(tmp), "talk", options)
        quiet = _play(model, vad, _noise_tracks(noise_seconds), Path(tmp), "noise", options)

    latencies, hypotheses = [], []
    for clip in placed:
        finals = [e for e in conversation["events"] if e["type"] == "final"
                  and e["speaker"] == clip.speaker
                  and clip.offset - 0.5 <= e["start"] - conversation["origin"][clip.speaker]
                  < clip.offset + clip.duration + gap / 2]
        hypotheses.append(" ".join(e["text"] for e in finals))
        if finals and clip.speech_end is not None:
            ended = conversation["origin"][clip.speaker] + clip.offset + clip.speech_end
            latencies.append(max(e["emitted_at"] for e in finals) - ended)
    lags = [e["emitted_at"] - e["audio_end"] for e in conversation["events"]
            if e["type"] == "partial"]
    offline = [as_text(transcribe_samples(model, a, language="en")) for a in audios]
    refs = [c.transcript for c in clips]
    words = {
        speaker: sum(len(e["text"].split()) for e in quiet["events"]
                     if e["type"] == "final" and e["speaker"] == speaker)
        for speaker in ("interviewer", "candidate")
    }
    return {
        "model": name,
        "clips": len(latencies),
        "final_p50": float(np.percentile(latencies, 50)) if latencies else float("nan"),
        "final_p95": float(np.percentile(latencies, 95)) if latencies else float("nan"),
        "partial_lag": float(np.mean(lags)) if lags else float("nan"),
        "wer_stream": corpus_wer(refs, hypotheses) * 100,
        "wer_offline": corpus_wer(refs, offline) * 100,
        "cpu_percent": conversation["cpu_percent"],
        "peak_rss_mb": max(peak_rss_mb(), conversation["rss_peak_mb"]),
        "words_silence": words["interviewer"],
        "words_noise": words["candidate"],
        "latencies": [round(x, 3) for x in latencies],
        "clips_detail": [{"ref": r, "stream": h, "offline": o}
                         for r, h, o in zip(refs, hypotheses, offline, strict=True)],
        "noise_events": quiet["events"],
    }


def _conversation(clips: list[Any], audios: list[np.ndarray], vad: Any, regions: Any,
                  gap: float) -> tuple[list[_Placed], dict[str, np.ndarray]]:
    placed, cursor = [], 1.0
    for index, (clip, audio) in enumerate(zip(clips, audios, strict=True)):
        found = regions(vad.probabilities(audio))
        speaker = "interviewer" if index % 2 == 0 else "candidate"
        duration = audio.size / SR
        placed.append(_Placed(index, speaker, cursor, duration,
                              found[-1][1] if found else None, clip.transcript))
        cursor += duration + gap
    total = int((cursor + 2.0) * SR)
    tracks = {s: np.zeros(total, dtype=np.float32) for s in ("interviewer", "candidate")}
    for clip, audio in zip(placed, audios, strict=True):
        at = round(clip.offset * SR)
        tracks[clip.speaker][at : at + audio.size] = audio
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
          tag: str, options: Any) -> dict[str, Any]:
    import psutil
    import soundfile

    from smart_interview.app.live_session import LiveSession
    from smart_interview.audio.file_source import FileSource
    from smart_interview.models.transcript import Speaker

    t0 = time.monotonic()

    def clock() -> float:
        return time.monotonic() - t0

    events: list[dict[str, Any]] = []

    def on_event(event: Any) -> None:
        events.append({**event.as_json(), "audio_end": event.audio_end})

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
    peak = [0.0]
    stop = threading.Event()

    def sample_rss() -> None:
        while not stop.wait(0.25):
            peak[0] = max(peak[0], process.memory_info().rss / 1e6)

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
    return {"events": events, "origin": origin, "rss_peak_mb": peak[0],
            "cpu_percent": 100 * cpu / wall / (psutil.cpu_count() or 1)}
