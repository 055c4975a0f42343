"""System audio on Linux: the monitor of a PulseAudio/PipeWire output, recorded with `parec`.

With no device given, the source follows the default output: when the user switches (say,
from laptop speakers to a Bluetooth headset), a "device_changed" event is sent and capture
moves to the new output's monitor. A `pactl subscribe` process reports server events as they
happen, so a removed output is noticed at once. When an output disappears PulseAudio moves
the recording to another source (often the microphone); the source closes the recording the
moment the removal is announced, so the interviewer's stream does not pick up the candidate.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from typing import Any

import numpy as np

from smart_interview.audio.errors import AudioError, DeviceNotFound
from smart_interview.audio.pulse import PulseSink, PulseTools, match_sink, parse_event
from smart_interview.audio.source import CaptureSource

_FRAME_BYTES = 4  # float32le


class LinuxPulseLoopback(CaptureSource):
    """Records the monitor of an output (a sink); `LinuxPulseMic` records an input."""

    _facility = "sink"

    def _default_name(self) -> str | None:
        return self._tools.default_sink()

    def _find(self, spec: str) -> PulseSink:
        return match_sink(spec, self._tools.sinks())

    def _describe(self, target: PulseSink) -> str:
        return f"{target.description} (system audio)"

    def __init__(self, *, device: str | None = None, server: str | None = None,
                 latency_ms: int = 20, tools: PulseTools | None = None,
                 label: str = "loopback", **kw: Any) -> None:
        kw.setdefault("fill_idle", True)  # a monitor sends nothing while nothing plays
        super().__init__(label=label, **kw)
        self._device = device
        self._tools = tools or PulseTools(server=server)
        self._latency_ms = latency_ms
        self._sink: PulseSink | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._closing = False  # we are ending the recording ourselves
        self._discard = False  # what parec still sends is not this output's audio
        self._idle_verdict: tuple[float, bool] | None = None  # (checked at, sink idle?)
        self._watcher: threading.Thread | None = None
        self._subscription: subprocess.Popen[str] | None = None

    @property
    def sink(self) -> PulseSink | None:
        return self._sink

    # ----- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self._tools.require()
        super().start()
        self._watcher = threading.Thread(target=self._watch, name=f"pulse-events-{self.label}",
                                         daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        super().stop()
        subscription = self._subscription
        if subscription is not None:
            with contextlib.suppress(OSError):
                subscription.kill()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    def _open(self) -> None:
        spec = self._device or self._default_name()
        if spec is None:
            raise AudioError(f"the sound server has no default {self._facility}")
        sink = self._find(spec)
        self._closing = self._discard = False
        proc = self._tools.record(source=sink.monitor, rate=sink.rate, channels=sink.channels,
                                  latency_ms=self._latency_ms,
                                  stream_name=f"{self.label} from {sink.name}")
        self._sink = sink
        self.name = self._describe(sink)
        self._proc = proc
        self._begin_stream(rate=sink.rate, channels=sink.channels)
        self._reader = threading.Thread(target=self._read, args=(proc, sink),
                                        name=f"parec-{self.label}", daemon=True)
        self._reader.start()

    def _close(self, *, drain: bool) -> None:
        self._closing = True
        if not drain:
            self._discard = True
        proc, reader = self._proc, self._reader
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if drain:
                proc.terminate()  # parec writes what it holds and exits; the reader reads to EOF
            else:
                proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=5)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._proc = self._reader = None

    # ----- threads -----------------------------------------------------------------------
    def _read(self, proc: subprocess.Popen[bytes], sink: PulseSink) -> None:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        frame = _FRAME_BYTES * sink.channels
        want = max(frame, int(sink.rate * self._latency_ms / 1000) * frame)
        pending = b""
        while True:
            try:
                data = os.read(fd, want)
            except OSError:
                data = b""
            if not data:
                break
            now = self._clock()
            pending += data
            usable = len(pending) - len(pending) % frame
            if not usable:
                continue
            frames = np.frombuffer(pending[:usable], dtype="<f4").reshape(-1, sink.channels)
            pending = pending[usable:]
            if not self._discard:
                self._idle_verdict = None
                self._push_block(frames.copy(), observed_end=now)
        if not self._closing and not self._discard and proc is self._proc:
            message = ""
            if proc.stderr is not None:
                with contextlib.suppress(OSError, ValueError):
                    message = proc.stderr.read().decode(errors="replace").strip()
            self._fault(f"recording {sink.monitor} stopped: {message or 'parec ended'}")

    def _idle_confirmed(self) -> bool:
        """A monitor sends nothing while nothing plays into its sink; but on a busy machine
        data can also just be late. Generate silence only when the pipe is empty and the
        server says nothing is playing (asked at most every half second)."""
        proc = self._proc
        if proc is None or proc.stdout is None or _pending_bytes(proc.stdout.fileno()) > 0:
            return False
        now = self._clock()
        verdict = self._idle_verdict
        if verdict is not None and (verdict[1] or now - verdict[0] < 0.5):
            return verdict[1]
        sink = self._sink
        try:
            state = (self._tools.sink_state(sink.name, facility=self._facility)
                     if sink is not None else None)
        except AudioError:
            state = None
        idle = state is not None and state != "RUNNING"
        self._idle_verdict = (now, idle)
        return idle

    def _watch(self) -> None:
        """Follows server events for the whole capture (restarting `pactl subscribe` when
        the server comes back)."""
        while not self._stop_requested.is_set():
            try:
                subscription = self._tools.subscribe()
            except OSError:
                self._stop_requested.wait(self._retry_interval)
                continue
            self._subscription = subscription
            assert subscription.stdout is not None
            for line in subscription.stdout:
                if self._stop_requested.is_set():
                    break
                event = parse_event(line)
                if event is not None:
                    self._on_server_event(event.action, event.facility, event.index)
            with contextlib.suppress(OSError):
                subscription.kill()
            subscription.wait()
            if not self._stop_requested.is_set():
                self._fault("lost the connection to the sound server")
                self._stop_requested.wait(self._retry_interval)

    def _on_server_event(self, action: str, facility: str, index: int) -> None:
        sink = self._sink
        if facility == self._facility and action == "remove" and sink is not None \
                and index == sink.index and self._is_live:
            self._discard = True  # parec is being moved to another source: drop what it reads
            self._fault(f"{sink.name} disappeared")
        elif facility == self._facility and action == "new" and not self._is_live:
            self._retry_soon()
        elif facility == "server" and action == "change" and self._device is None:
            self._follow_default()

    def _follow_default(self) -> None:
        try:
            default = self._default_name()
        except AudioError:
            return
        current = self._sink
        if default is None or current is None or default == current.name or not self._is_live:
            return
        with self._device_lock:
            if self._stop_requested.is_set() or not self._is_live:
                return
            self._close(drain=True)
            try:
                self._open()
            except AudioError as exc:
                self._proc = None
                self._fault(f"cannot record the new default {self._facility} {default}: {exc}")
                return
        self._emit("device_changed", f"now capturing {self.name}")


class LinuxPulseMic(LinuxPulseLoopback):
    """The microphone on Linux, recorded from a PulseAudio/PipeWire input with `parec`.

    Preferred over PortAudio there: PortAudio reaches PulseAudio only through ALSA's `pulse`
    plugin, whose buffer level wanders and which can drop audio silently on a busy machine.
    With no device given it follows the default input."""

    _facility = "source"

    def __init__(self, *, device: str | None = None, label: str = "mic", **kw: Any) -> None:
        kw.setdefault("fill_idle", True)  # a monitor used as an input can fall idle
        super().__init__(device=device, label=label, **kw)

    def _default_name(self) -> str | None:
        return self._tools.default_source()

    def _find(self, spec: str) -> PulseSink:
        sources = self._tools.sources()
        try:
            return match_sink(spec, sources)
        except DeviceNotFound as exc:
            names = ", ".join(s.name for s in sources) or "none"
            raise DeviceNotFound(f"no PulseAudio input named {spec!r}; inputs: {names}") from exc

    def _describe(self, target: PulseSink) -> str:
        return target.description


def _pending_bytes(fd: int) -> int:
    """Bytes waiting in a pipe (FIONREAD)."""
    import fcntl
    import termios

    buffer = bytearray(4)
    try:
        fcntl.ioctl(fd, termios.FIONREAD, buffer)
    except OSError:
        return 0
    return int.from_bytes(buffer, sys.byteorder)
