"""Replaying files as if live: pacing, timestamps, formats, the end, and bad files."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr

from smart_interview.audio.errors import AudioFileError
from smart_interview.audio.file_source import FileSource, read_file
from tests.audio.conftest import RATE, sweep
from tests.audio.recorder import Recorder
from tests.audio.signals import correlation
from tests.support.speech import say


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return say("Please describe the architecture of your last system.",
               tmp_path_factory.mktemp("file") / "speech.wav")


def test_fast_replay_delivers_the_whole_file_with_file_timestamps(speech: Path) -> None:
    rec = Recorder()
    clock = [1000.0]
    source = FileSource(speech, realtime=False, on_chunk=rec.on_chunk, on_event=rec.on_event,
                        clock=lambda: clock[0])
    source.start()
    assert source.wait(timeout=10)
    original, _ = soundfile.read(str(speech), dtype="float32")
    assert np.array_equal(rec.samples(), original)
    assert rec.chunks[0].start == 1000.0
    assert all(c.start == pytest.approx(1000.0 + i * 0.02) for i, c in enumerate(rec.chunks))
    assert rec.events[-1].kind == "ended"
    assert source.level.peak > 0 or rec.chunks[-1].samples.max() == 0
    assert not source.running


def test_realtime_replay_is_paced_by_the_clock(tmp_path: Path) -> None:
    path = tmp_path / "sweep.wav"
    soundfile.write(str(path), sweep(1.0, 200, 2000), RATE)
    rec = Recorder()
    source = FileSource(path, on_chunk=rec.on_chunk, on_event=rec.on_event, chunk_ms=50)
    started = time.monotonic()
    source.start()
    assert source.wait(timeout=5)
    elapsed = time.monotonic() - started
    assert 0.95 <= elapsed < 1.5
    # each chunk arrives once its last sample "has been captured"
    lateness = np.array(rec.arrivals) - np.array([c.end for c in rec.chunks])
    assert lateness.min() >= -0.002 and np.median(lateness) < 0.05
    assert rec.chunks[0].start == pytest.approx(started, abs=0.05)


def test_stop_midway_ends_with_the_chunks_already_due(speech: Path) -> None:
    rec = Recorder()
    source = FileSource(speech, on_chunk=rec.on_chunk, on_event=rec.on_event)
    source.start()
    rec.wait_samples(0.4, timeout=5.0)
    source.stop()
    delivered = rec.samples().size / RATE
    assert 0.4 <= delivered <= 0.65
    assert rec.events[-1].kind == "ended"
    assert not source.running


def test_reads_other_rates_channels_and_formats(tmp_path: Path, speech: Path) -> None:
    reference = read_file(speech)
    for name, args in (("s.flac", ["-r", "44100", "-c", "2"]), ("s.ogg", ["-r", "48000"])):
        subprocess.run(["sox", str(speech), *args, str(tmp_path / name)], check=True)
    soundfile.write(str(tmp_path / "s.mp3"), soxr.resample(reference, RATE, 22_050), 22_050,
                    format="MP3")
    _write_m4a(tmp_path / "s.m4a", reference)  # soundfile cannot read it: FFmpeg does
    for name in ("s.flac", "s.ogg", "s.mp3", "s.m4a"):
        samples = read_file(tmp_path / name)
        assert samples.dtype == np.float32 and samples.ndim == 1
        corr, _ = correlation(np.concatenate([samples, np.zeros(RATE, np.float32)]),
                              reference)
        assert corr > 0.9, f"{name}: {corr:.3f}"


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(AudioFileError, match="no such file"):
        FileSource(tmp_path / "missing.wav", on_chunk=lambda c: None).start()
    junk = tmp_path / "notes.wav"
    junk.write_text("not audio at all")
    with pytest.raises(AudioFileError, match="not a readable audio file"):
        read_file(junk)


def _write_m4a(path: Path, samples: np.ndarray) -> None:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=RATE)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(samples[None, :], format="flt", layout="mono")
        frame.sample_rate = RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
