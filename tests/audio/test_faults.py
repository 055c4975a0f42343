"""Devices that go away mid-capture, a restarted sound server, and a user switching outputs:
the source reports it, comes back by itself, and the other source never stops."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from smart_interview.audio.linux_loopback import LinuxPulseLoopback
from smart_interview.audio.mic import MicSource
from tests.audio.conftest import RATE, PrivateServer, Pulse, tone
from tests.audio.recorder import Recorder

pytestmark = pytest.mark.pulse


@pytest.fixture(scope="module")
def beep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("beep") / "beep.wav"
    soundfile.write(str(path), tone(1.0, 660.0), RATE)
    return path


def test_output_removed_and_recreated(pulse: Pulse, scratch_sink: str, beep: Path) -> None:
    loop_rec, mic_rec = Recorder(), Recorder()
    loopback = LinuxPulseLoopback(device=scratch_sink, on_chunk=loop_rec.on_chunk,
                                  on_event=loop_rec.on_event, retry_interval=0.5)
    mic = MicSource(device="pulse", on_chunk=mic_rec.on_chunk, on_event=mic_rec.on_event)
    loopback.start()
    mic.start()
    try:
        # a null sink's monitor takes about 2 s to deliver its first block through ALSA:
        # within the first-block grace, and the outage starts once the microphone is flowing
        mic_rec.wait_samples(0.1, timeout=10)
        assert pulse.play(beep, scratch_sink).wait(timeout=10) == 0
        module = pulse.sink_module(scratch_sink)
        assert module is not None
        removed_at = time.monotonic()
        pulse.unload(module)
        error = loop_rec.wait_event("error", timeout=5)
        assert scratch_sink in error.message
        assert loopback.running  # still running: waiting for the output to come back
        # PulseAudio moves an orphaned recording to the default source (candidate_mic's
        # monitor): what plays there now must reach the microphone only
        assert pulse.play(beep, "candidate_mic").wait(timeout=10) == 0
        recreated_at = time.monotonic()
        pulse.load_sink(scratch_sink)
        reopened = loop_rec.wait_event("reopened", timeout=10)
        reopen_s = reopened.at - recreated_at
        player = pulse.play(beep, scratch_sink)
        loop_rec.wait_audio(since=reopened.at, peak=0.3, timeout=10)
        assert player.wait(timeout=10) == 0
    finally:
        loopback.stop()
        mic.stop()
    assert loopback.running is False
    assert reopen_s < 2.0, f"reopen took {reopen_s:.2f} s"
    # the microphone kept going, without a gap, through the loopback's outage
    assert not mic_rec.events
    assert mic_rec.max_gap() < 1e-6
    assert mic_rec.chunks[0].start < error.at and mic_rec.chunks[-1].end > reopened.at
    assert max(float(np.abs(c.samples).max()) for c in mic_rec.chunks
               if error.at < c.start < recreated_at) > 0.3
    # the loopback delivered nothing while its output was gone: no bleed from the mic
    outage = [c for c in loop_rec.chunks if error.at + 0.1 < c.end and c.start < recreated_at]
    assert all(float(np.abs(c.samples).max()) < 0.01 for c in outage)
    print(f"output removed: error event after {(error.at - removed_at) * 1000:.0f} ms; "
          f"reopened {reopen_s * 1000:.0f} ms after the output came back")


def test_follows_default_output_and_survives_server_restart(
        private_server: PrivateServer, beep: Path) -> None:
    server = Pulse(private_server.server)
    rec = Recorder()
    loopback = LinuxPulseLoopback(server=private_server.server, on_chunk=rec.on_chunk,
                                  on_event=rec.on_event, retry_interval=0.3)
    loopback.start()
    try:
        assert loopback.sink is not None and loopback.sink.name == "speakers"
        assert server.play(beep, "speakers").wait(timeout=10) == 0

        server.pactl("set-default-sink", "headset")  # the user puts on a headset
        changed = rec.wait_event("device_changed", timeout=5)
        assert loopback.sink.name == "headset"
        assert server.play(beep, "headset").wait(timeout=10) == 0
        rec.wait_audio(since=changed.at, peak=0.3, timeout=5)

        mark = len(rec.events)
        private_server.kill()  # the sound server crashes...
        rec.wait_event("error", timeout=5, after=mark)
        restarted_at = time.monotonic()
        private_server.start()  # ...and comes back
        reopened = rec.wait_event("reopened", timeout=10, after=mark)
        assert server.play(beep, "speakers").wait(timeout=10) == 0
        rec.wait_audio(since=reopened.at, peak=0.3, timeout=5)
    finally:
        loopback.stop()
    print(f"server restart: reopened {(reopened.at - restarted_at) * 1000:.0f} ms after "
          "the server was back")
    captured = rec.samples()
    assert float(np.abs(captured).max()) > 0.3
