"""Call-like versions of the benchmark's speech, made at run time from the clips themselves.

Each condition is how the interviewer's voice really reaches the app through a call, or what
the microphone really hears:

- `clean`: the clips as they are;
- `opus`: encoded and decoded with libopus at 16 kbit/s (PyAV, which faster-whisper needs);
- `phone`: narrowband: resampled to 8 kHz and back, then band-passed to 300-3400 Hz;
- `noise`: café/street noise at 10 dB SNR over the whole track: far babble of other clips at
  a low level, pink noise and clattering transients, seeded;
- `fast`: 1.25x tempo at the same pitch (sox `tempo -s`);
- `voices`: the reference texts spoken by espeak-ng in several English accents;
- `bleed`: the interviewer leaking into the microphone at -20 dB, 40 ms late.

Per-clip conditions change each clip (`render_clip`); `noise` and `bleed` change the finished
two-speaker tracks (`render_tracks`). Everything is 16 kHz mono float32.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from smart_interview.app.errors import CliError

SR = 16_000
CONDITIONS = ("clean", "opus", "phone", "noise", "fast", "voices", "bleed")
VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-029", "en-gb-x-rp")
"""Accents of the `voices` condition; the held-out set speaks with others."""
NOISE_SNR_DB = 10.0
BLEED_GAIN_DB = -20.0
BLEED_DELAY_S = 0.040
TEMPO = 1.25


@dataclass(frozen=True)
class Rendered:
    audio: np.ndarray
    """What the app hears."""
    timing: np.ndarray
    """The same speech before any noise or codec (for where its last word ends)."""


def render_clip(condition: str, audio: np.ndarray, text: str, index: int) -> Rendered:
    if condition in ("clean", "noise", "bleed"):
        return Rendered(audio, audio)
    if condition == "opus":
        return Rendered(opus_round_trip(audio), audio)
    if condition == "phone":
        return Rendered(narrowband(audio), audio)
    if condition == "fast":
        faster = change_tempo(audio, TEMPO)
        return Rendered(faster, faster)
    if condition == "voices":
        spoken = espeak(text, VOICES[index % len(VOICES)])
        return Rendered(spoken, spoken)
    raise CliError(f"unknown condition {condition!r}; choose from {', '.join(CONDITIONS)}")


def render_tracks(condition: str, tracks: dict[str, np.ndarray], clips: list[np.ndarray],
                  *, seed: int = 13) -> dict[str, np.ndarray]:
    """Track-wide conditions: `noise` on both tracks, `bleed` from interviewer to candidate."""
    if condition == "noise":
        rng = np.random.default_rng(seed)
        out = {}
        for speaker, track in tracks.items():
            noise = cafe_noise(track.size, clips, rng)
            out[speaker] = mix_at_snr(track, noise, NOISE_SNR_DB)
        return out
    if condition == "bleed":
        leak = delayed(tracks["interviewer"], BLEED_DELAY_S, BLEED_GAIN_DB)
        return {**tracks, "candidate": (tracks["candidate"] + leak).astype(np.float32)}
    return tracks


# ---- codecs and filters ----------------------------------------------------------------

def opus_round_trip(audio: np.ndarray, *, bitrate: int = 16_000) -> np.ndarray:
    """Encoded with libopus at `bitrate` in an Ogg stream and decoded back, same length."""
    import av

    pcm = np.clip(np.asarray(audio, dtype=np.float32) * 32767, -32768, 32767).astype(np.int16)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=SR)
        stream.layout = "mono"
        stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
        frame.sample_rate = SR
        for packet in (*stream.encode(frame), *stream.encode(None)):
            out.mux(packet)
    buffer.seek(0)
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SR)
    pieces = []
    with av.open(buffer, "r") as decoded:
        for got in decoded.decode(audio=0):
            pieces += [f.to_ndarray().reshape(-1) for f in resampler.resample(got)]
        pieces += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return _fit(np.concatenate(pieces) if pieces else np.zeros(0, np.float32), audio.size)


def narrowband(audio: np.ndarray, *, low_hz: float = 300.0, high_hz: float = 3400.0
               ) -> np.ndarray:
    """A telephone channel: 8 kHz sampling and a 300-3400 Hz band."""
    import soxr

    down = soxr.resample(np.asarray(audio, dtype=np.float32), SR, 8_000)
    up = _fit(soxr.resample(down, 8_000, SR).astype(np.float32), audio.size)
    return band_pass(up, low_hz, high_hz)


def band_pass(audio: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    """Zero-phase band-pass with 100 Hz raised-cosine edges (FFT)."""
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(audio.size, 1 / SR)
    edge = 100.0
    gain = np.clip((freqs - (low_hz - edge)) / edge, 0, 1) * np.clip(
        ((high_hz + edge) - freqs) / edge, 0, 1)
    gain = 0.5 - 0.5 * np.cos(np.pi * gain)
    return np.fft.irfft(spectrum * gain, n=audio.size).astype(np.float32)


def change_tempo(audio: np.ndarray, factor: float) -> np.ndarray:
    """The same speech `factor` times as fast at the same pitch (sox's WSOLA `tempo`)."""
    import soundfile

    if shutil.which("sox") is None:
        raise CliError("the `fast` condition needs sox (apt-get install sox)")
    with tempfile.TemporaryDirectory(prefix="si-tempo-") as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        soundfile.write(str(src), audio, SR, subtype="FLOAT")
        subprocess.run(["sox", str(src), str(dst), "tempo", "-s", str(factor)], check=True,
                       capture_output=True)
        data, _ = soundfile.read(str(dst), dtype="float32")
    return np.asarray(data, dtype=np.float32).reshape(-1)


def espeak(text: str, voice: str, *, wpm: int = 165) -> np.ndarray:
    """`text` spoken by espeak-ng's `voice`, at 16 kHz."""
    import soundfile
    import soxr

    if shutil.which("espeak-ng") is None:
        raise CliError("synthetic voices need espeak-ng (apt-get install espeak-ng)")
    done = subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "--stdout", text],
                          check=True, capture_output=True)
    data, rate = soundfile.read(io.BytesIO(done.stdout), dtype="float32")
    mono = np.asarray(data, dtype=np.float32).reshape(len(data), -1).mean(axis=1)
    return soxr.resample(mono, rate, SR).astype(np.float32) if rate != SR else mono


def delayed(audio: np.ndarray, delay_s: float, gain_db: float) -> np.ndarray:
    shift = round(delay_s * SR)
    out = np.zeros_like(audio)
    out[shift:] = audio[: audio.size - shift] * 10 ** (gain_db / 20)
    return out


# ---- noise -----------------------------------------------------------------------------

def active_power(audio: np.ndarray, *, frame: int = 320, floor_db: float = 40.0) -> float:
    """Mean power of the 20 ms frames within `floor_db` of the loudest (the speech, not the
    pauses between it)."""
    usable = audio[: audio.size // frame * frame].reshape(-1, frame).astype(np.float64)
    power = np.mean(usable**2, axis=1)
    if power.size == 0 or power.max() <= 0:
        return 0.0
    return float(power[power >= power.max() * 10 ** (-floor_db / 10)].mean())


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """`speech` plus `noise` scaled so that active speech power / noise power = `snr_db`."""
    noise_power = float(np.mean(np.asarray(noise, dtype=np.float64) ** 2))
    target = active_power(speech) / 10 ** (snr_db / 10)
    gain = np.sqrt(target / noise_power) if noise_power > 0 else 0.0
    return (speech + gain * noise).astype(np.float32)


def cafe_noise(n: int, clips: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Unit-power café noise: far babble (twelve of `clips` at random offsets, looped), pink
    noise and clatter (short decaying bursts): 10, 80 and 10 % of the power.

    Babble is speech: with six voices at half the noise power Silero VAD heard speech in 96 %
    of the pauses and no utterance ever ended. Twelve voices 20 dB under the speech are the
    far tables of a café (0 % of the pauses above 0.5)."""
    babble = np.zeros(n)
    for _ in range(12):
        if not clips:
            break
        voice = clips[int(rng.integers(len(clips)))]
        if voice.size == 0:
            continue
        looped = np.resize(voice, n + voice.size)
        start = int(rng.integers(voice.size))
        babble += looped[start : start + n] / (np.sqrt(np.mean(voice**2)) or 1.0)
    pink = _pink(n, rng)
    clatter = np.zeros(n)
    for at in rng.integers(0, max(1, n - 1600), size=max(1, n // (2 * SR))):
        length = min(1600, n - int(at))
        clatter[at : at + length] += rng.normal(0, 1, length) * np.exp(
            -np.arange(length) / 200)
    parts = [(babble, 0.1), (pink, 0.8), (clatter, 0.1)]
    mixed = sum(_unit(part) * np.sqrt(share) for part, share in parts)
    return _unit(np.asarray(mixed)).astype(np.float32)


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.normal(0, 1, n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    return np.fft.irfft(spectrum, n=n)


def _unit(audio: np.ndarray) -> np.ndarray:
    power = float(np.mean(audio**2))
    return audio / np.sqrt(power) if power > 0 else audio


def _fit(audio: np.ndarray, size: int) -> np.ndarray:
    audio = np.asarray(audio, dtype=np.float32)
    if audio.size >= size:
        return audio[:size]
    return np.concatenate([audio, np.zeros(size - audio.size, dtype=np.float32)])
