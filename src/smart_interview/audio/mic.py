"""The candidate's microphone (or any input device) through sounddevice/PortAudio.

Timestamps come from PortAudio's callback time info where the host API reports it
consistently: the capture time of the block's first sample (`inputBufferAdcTime`) relative to
the stream clock (`currentTime`) gives how long ago the block was captured, which is placed on
the session clock. Otherwise (ALSA through PulseAudio) the block's arrival time is used; the
timeline's drift window absorbs the jitter either way.

Blocks are handed over every `block_ms`; the device buffer holds `buffer_s` (default 0.25 s)
so that a busy machine that runs the callback late loses nothing (a small ALSA buffer
overruns silently under load). It adds no delay while the machine keeps up: a block is
delivered as soon as it is full. After a stall the buffer may stay fuller (ALSA through
PulseAudio does), so blocks can arrive up to `buffer_s` later than captured without any loss:
the timeline takes that as slack rather than inserting silence.

A device that stops delivering (unplugged, driver reset) raises no exception in PortAudio:
the stream just goes quiet or finishes. Both are noticed (a finished callback that was not
asked for, or `stall_timeout` seconds without a block) and reported as an "error" event; the
source then looks for the device again by name. PortAudio only sees new devices after it is
re-initialised (`Pa_Initialize` reads the device list only at the first initialisation), and
terminating it closes every stream of the process. On macOS the microphone and the virtual
loopback device both hold sounddevice streams, so a reconnected headset would never be found
again: when the device sought is not in the list, the other open sources are closed for the
moment of the refresh and reopened right after (at most once every `REFRESH_EVERY` seconds;
they lose a few milliseconds and their timeline restarts where the clock is).

On macOS a denied microphone permission raises nothing either: every input records zeros.
The authorisation (`macos.microphone_authorization`, injectable as `authorization`) is read
at each open; "denied" or "restricted" gives an "error" event that says where to allow it.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from smart_interview.audio.conversion import CallbackTiming
from smart_interview.audio.devices import (
    DeviceInfo,
    choose_input_format,
    default_input_index,
    list_devices,
    match_device,
)
from smart_interview.audio.errors import AudioError, DeviceOpenError
from smart_interview.audio.macos import PERMISSION_GUIDANCE, microphone_authorization
from smart_interview.audio.source import CaptureSource

_open_streams = 0
_open_streams_lock = threading.Lock()
_live_sources: weakref.WeakSet[MicSource] = weakref.WeakSet()
_last_shared_refresh = float("-inf")
REFRESH_EVERY = 5.0


class MicSource(CaptureSource):
    def __init__(self, *, device: str | int | None = None, block_ms: int = 20,
                 buffer_s: float = 0.25, sounddevice: Any = None, label: str = "mic",
                 authorization: Callable[[], str | None] | None = None, **kw: Any) -> None:
        kw.setdefault("stall_timeout", 2.0)
        super().__init__(label=label, **kw)
        self._device_spec = device
        self._block_ms = block_ms
        self._buffer_s = buffer_s
        self._sd = sounddevice
        self._stream: Any = None
        self._stopping_stream = False
        self._ever_opened = False
        self.device: DeviceInfo | None = None
        self._timing = CallbackTiming(rate=16_000.0)
        self.overflows = 0  # blocks PortAudio reported as overflowed (frames lost upstream)
        self._authorization = authorization if authorization is not None else (
            microphone_authorization if sys.platform == "darwin" else lambda: None)
        self.permission_denied = False

    def _module(self) -> Any:
        if self._sd is None:
            from smart_interview.audio.devices import _sounddevice

            self._sd = _sounddevice()
        return self._sd

    def _open(self) -> None:
        self._check_permission()
        sd = self._module()
        if self._ever_opened:
            _refresh_portaudio(sd)
        try:
            self._open_stream(sd)
        except AudioError:
            # not listed, or listed before it was reconnected (a stale entry fails to open)
            if not (self._ever_opened and _refresh_shared_portaudio(sd, self)):
                raise
            self._open_stream(sd)

    def _open_stream(self, sd: Any) -> None:
        info = match_device(self._device_spec, list_devices(sd), kind="input",
                            default_index=default_input_index(sd))

        def supported(rate: float, channels: int) -> bool:
            try:
                sd.check_input_settings(device=info.index, samplerate=rate, channels=channels,
                                        dtype="float32")
            except Exception:
                return False
            return True

        rate, channels = choose_input_format(default_rate=info.default_samplerate,
                                             max_channels=info.max_input_channels,
                                             supported=supported)
        self._stopping_stream = False
        try:
            stream = sd.InputStream(device=info.index, samplerate=rate, channels=channels,
                                    dtype="float32", blocksize=int(rate * self._block_ms / 1000),
                                    latency=self._buffer_s,
                                    callback=self._callback,
                                    finished_callback=self._finished)
            self._begin_stream(rate=rate, channels=channels, slack=self._buffer_s)
            self._timing = CallbackTiming(rate=rate)
            stream.start()
        except Exception as exc:
            raise DeviceOpenError(f"cannot open {info.name}: {exc}") from exc
        global _open_streams
        with _open_streams_lock:
            _open_streams += 1
        self._stream = stream
        _live_sources.add(self)
        self._ever_opened = True
        self.device = info
        self.name = f"{info.name} ({info.host_api})"

    def _check_permission(self) -> None:
        status = self._authorization()
        denied = status in ("denied", "restricted")
        if denied and not self.permission_denied:
            self._emit("error", f"{self.label}: {PERMISSION_GUIDANCE}")
        self.permission_denied = denied

    def _close(self, *, drain: bool) -> None:
        stream, self._stream = self._stream, None
        _live_sources.discard(self)
        if stream is None:
            return
        self._stopping_stream = True
        with contextlib.suppress(Exception):
            if drain:
                stream.stop()  # returns after the last pending callback has run
            else:
                stream.abort()
        with contextlib.suppress(Exception):
            stream.close()
        global _open_streams
        with _open_streams_lock:
            _open_streams -= 1

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        now = self._clock()
        if status and status.input_overflow:
            self.overflows += 1
        try:
            age = self._timing.block_end_age(adc=float(time_info.inputBufferAdcTime),
                                             current=float(time_info.currentTime),
                                             frames=frames)
        except (AttributeError, TypeError, ValueError):
            age = None
        self._push_block(indata.copy(), observed_end=now if age is None else now - age)

    def _finished(self) -> None:
        if not self._stopping_stream:
            self._fault(f"{self.name or 'input device'} stopped")


def _refresh_portaudio(sd: Any) -> None:
    """Re-reads the device list, but only while no other stream depends on PortAudio."""
    with _open_streams_lock:
        if _open_streams > 0:
            return
        with contextlib.suppress(Exception):
            sd._terminate()
            sd._initialize()


def _refresh_shared_portaudio(sd: Any, requester: MicSource) -> bool:
    """Re-reads the device list although other sources hold streams: closes them, refreshes
    PortAudio and reopens them. False when it was not done (too soon after the last time, or
    another source is busy opening or closing its own device)."""
    global _last_shared_refresh
    others = [s for s in list(_live_sources) if s is not requester and s._sd is sd]
    now = time.monotonic()
    if not others or now - _last_shared_refresh < REFRESH_EVERY:
        return False
    held: list[MicSource] = []
    try:
        for other in others:
            if not other._device_lock.acquire(timeout=0.5):
                return False  # it is reopening itself; try again at the next attempt
            held.append(other)
        _last_shared_refresh = now
        paused = [other for other in held if other._stream is not None]
        for other in paused:
            other._close(drain=False)
        _refresh_portaudio(sd)
        for other in paused:
            try:
                other._open()
            except Exception as exc:  # its device went away meanwhile: the usual fault path
                other._fault(f"{other.name or other.label}: cannot reopen after the device "
                             f"list was refreshed: {exc}")
        return True
    finally:
        for other in held:
            other._device_lock.release()
