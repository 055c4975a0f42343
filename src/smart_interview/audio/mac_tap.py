"""System audio on macOS 14.2+ without a virtual driver: a Core Audio process tap.

How it is built (Apple, "Capturing system audio with Core Audio taps"; CoreAudio
`AudioHardware.h`, `AudioHardwareTapping.h`, `CATapDescription.h`), through
pyobjc-framework-CoreAudio, imported only when the source opens:

1. `CATapDescription initStereoGlobalTapButExcludeProcesses:` with this app's own process
   object (``kAudioHardwarePropertyTranslatePIDToProcessObject``), private, unmuted: every
   other app's output, mixed to stereo; the app's own test tone and sounds are left out.
2. `AudioHardwareCreateProcessTap` → the tap's AudioObjectID.
3. A private aggregate device (`AudioHardwareCreateAggregateDevice`) whose main sub-device is
   the current default output (its UID) and whose tap list holds the tap's UUID; the output
   gives the tap a clock. The dictionary keys are the C strings of `AudioHardware.h`, which
   pyobjc exposes as bytes: they are decoded, since CFDictionary keys must be CFStrings.
4. `AudioDeviceCreateIOProcIDWithBlock` on the aggregate, with a serial dispatch queue of our
   own: Core Audio runs the block on that queue, not on its real-time IO thread. The block only
   copies the samples out to numpy and hands them to the capture thread.

A watcher thread (`tap-watch-<label>`) then checks every `poll_interval` seconds:
- the default output changed (AirPods connected): tap and aggregate are destroyed and rebuilt
  on the new output ("device_changed");
- no IOProc call for `silent_ioproc_after` seconds: Core Audio accepted the device but never
  ran it; reported as an "error" and rebuilt by the reopen loop;
- every sample since the tap opened is 0.0 for `permission_after` seconds while another app is
  playing (``kAudioProcessPropertyIsRunningOutput``): that is how a denied "System Audio
  Recording" permission looks — Core Audio returns silence, not an error. The "error" event
  says exactly where to allow it.

The tap and the aggregate are destroyed on stop, on every rebuild, when opening fails half-way,
and at interpreter exit; both are private, so the HAL also removes them if the process dies.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import struct
import threading
import weakref
from typing import Any

import numpy as np

from smart_interview.audio.errors import BackendUnavailable, DeviceOpenError
from smart_interview.audio.source import CaptureSource

TAP_PERMISSION_GUIDANCE = (
    "macOS gives Smart Interview only silence from other apps while they play: System Audio "
    "Recording is not allowed. Open System Settings → Privacy & Security → Screen & System "
    "Audio Recording, turn Smart Interview on under \"System Audio Recording Only\", then "
    "restart the interview.")
FIRST_TAP_MACOS = (14, 2)
_SYSTEM_OBJECT = 1  # kAudioObjectSystemObject
_KNOWN_STATUS = {"nope": "kAudioHardwareIllegalOperationError: the operation was refused",
                 "!obj": "kAudioHardwareBadObjectError", "who?": "kAudioHardwareUnknownProperty"
                 "Error", "!dev": "kAudioHardwareBadDeviceError", "stop":
                 "kAudioHardwareNotRunningError"}


_OPEN_TAPS: weakref.WeakSet[MacProcessTap] = weakref.WeakSet()


@atexit.register
def _destroy_all() -> None:
    """No tap or aggregate device outlives the interpreter."""
    for source in list(_OPEN_TAPS):
        source._destroy()


def fourcc(text: str) -> int:
    return int.from_bytes(text.encode("latin-1"), "big")


def describe_status(status: int) -> str:
    """An OSStatus as Core Audio's four-character code, with its name when known."""
    code = int(status) & 0xFFFFFFFF
    text = code.to_bytes(4, "big").decode("latin-1")
    if all(32 <= ord(c) < 127 for c in text) and text.strip():
        return f"'{text}'" + (f" ({_KNOWN_STATUS[text]})" if text in _KNOWN_STATUS else "")
    return str(int(status))


def tap_supported(version: tuple[int, ...]) -> bool:
    return tuple(version[:2]) >= FIRST_TAP_MACOS


def _key(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def copy_out(buffers: Any) -> np.ndarray:
    """The samples of an AudioBufferList (Float32; interleaved, or one buffer per channel)
    as a new frames × channels array. pyobjc's AudioBufferList is a sequence of AudioBuffers
    whose `mData` is a memoryview straight onto Core Audio's IO memory (NULL → None), valid
    only during the block: the samples are copied before it returns."""
    parts = []
    for index in range(len(buffers)):
        buffer = buffers[index]
        if buffer.mData is None:
            continue
        channels = max(1, int(buffer.mNumberChannels))
        count = int(buffer.mDataByteSize) // 4
        data = np.frombuffer(buffer.mData, dtype=np.float32, count=count)
        parts.append(data.reshape(-1, channels).copy())
    if not parts:
        return np.zeros((0, 2), np.float32)
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)


class MacProcessTap(CaptureSource):
    """Every other app's audio output, captured through a Core Audio process tap."""

    def __init__(self, *, coreaudio: Any = None, objc: Any = None, dispatch: Any = None,
                 pid: int | None = None, poll_interval: float = 0.5,
                 silent_ioproc_after: float = 3.0, permission_after: float = 3.0,
                 label: str = "loopback", **kw: Any) -> None:
        super().__init__(label=label, **kw)
        self._ca, self._objc, self._dispatch = coreaudio, objc, dispatch
        self._pid = os.getpid() if pid is None else pid
        self._poll_interval = poll_interval
        self._silent_ioproc_after = silent_ioproc_after
        self._permission_after = permission_after
        self._tap = self._aggregate = 0
        self._proc: Any = None
        self._queue_ref: Any = None
        self._output = 0  # the AudioObjectID of the output the aggregate is built on
        self._opened_at = 0.0
        self._last_call = 0.0
        self._calls = 0
        self._heard = False  # a non-zero sample since the tap opened
        self._permission_said = False
        self._watcher: threading.Thread | None = None
        _OPEN_TAPS.add(self)

    # ----- CaptureSource ----------------------------------------------------------------
    def start(self) -> None:
        super().start()
        self._watcher = threading.Thread(target=self._watch, daemon=True,
                                         name=f"tap-watch-{self.label}")
        self._watcher.start()

    def stop(self) -> None:
        super().stop()
        if self._watcher is not None:
            self._watcher.join(timeout=self._poll_interval + 5)
            self._watcher = None

    def _open(self) -> None:
        ca = self._modules()
        try:
            self._build(ca)
        except Exception as exc:
            self._destroy()  # nothing half-built is left behind
            if isinstance(exc, (BackendUnavailable, DeviceOpenError)):
                raise
            raise DeviceOpenError(f"cannot open the system-audio tap: {exc}") from exc

    def _close(self, *, drain: bool) -> None:
        self._destroy()

    # ----- building and tearing down ----------------------------------------------------
    def _modules(self) -> Any:
        if self._ca is None:
            try:
                import CoreAudio
                import dispatch
                import objc
            except ImportError as exc:
                raise BackendUnavailable(
                    "system audio without a virtual device needs pyobjc-framework-CoreAudio "
                    "and pyobjc-framework-libdispatch (installed with the app on macOS)"
                ) from exc
            self._ca, self._objc, self._dispatch = CoreAudio, objc, dispatch
        return self._ca

    def _check(self, status: int, what: str) -> None:
        if status != 0:
            raise DeviceOpenError(f"{what} failed: {describe_status(status)}")

    def _build(self, ca: Any) -> None:
        own = self._u32(_SYSTEM_OBJECT, ca.kAudioHardwarePropertyTranslatePIDToProcessObject,
                        qualifier=struct.pack("<i", self._pid))
        description = ca.CATapDescription.alloc().initStereoGlobalTapButExcludeProcesses_(
            [own] if own else [])
        description.setName_("Smart Interview system audio")
        description.setPrivate_(True)
        description.setMuteBehavior_(ca.CATapUnmuted)
        status, tap = ca.AudioHardwareCreateProcessTap(description, None)
        self._check(status, "AudioHardwareCreateProcessTap")
        self._tap = int(tap)
        rate, channels = self._tap_format(ca)
        self._output = self._u32(_SYSTEM_OBJECT, ca.kAudioHardwarePropertyDefaultOutputDevice)
        if not self._output:
            raise DeviceOpenError("macOS reports no default output device")
        output_uid = self._string(self._output, ca.kAudioDevicePropertyDeviceUID)
        tap_uid = str(description.UUID().UUIDString())
        composition = {
            _key(ca.kAudioAggregateDeviceNameKey): "Smart Interview tap",
            _key(ca.kAudioAggregateDeviceUIDKey): f"smart-interview-tap-{tap_uid}",
            _key(ca.kAudioAggregateDeviceMainSubDeviceKey): output_uid,
            _key(ca.kAudioAggregateDeviceIsPrivateKey): True,
            _key(ca.kAudioAggregateDeviceIsStackedKey): False,
            _key(ca.kAudioAggregateDeviceTapAutoStartKey): True,
            _key(ca.kAudioAggregateDeviceSubDeviceListKey):
                [{_key(ca.kAudioSubDeviceUIDKey): output_uid}],
            _key(ca.kAudioAggregateDeviceTapListKey):
                [{_key(ca.kAudioSubTapUIDKey): tap_uid,
                  _key(ca.kAudioSubTapDriftCompensationKey): True}],
        }
        status, aggregate = ca.AudioHardwareCreateAggregateDevice(composition, None)
        self._check(status, "AudioHardwareCreateAggregateDevice")
        self._aggregate = int(aggregate)
        self._queue_ref = self._dispatch.dispatch_queue_create(
            f"smart-interview.tap.{self.label}".encode(), None)
        self._begin_stream(rate=rate, channels=channels)
        self._opened_at = self._last_call = self._clock()
        self._calls, self._heard, self._permission_said = 0, False, False
        status, proc = ca.AudioDeviceCreateIOProcIDWithBlock(
            None, self._aggregate, self._queue_ref, self._io_block)
        self._check(status, "AudioDeviceCreateIOProcIDWithBlock")
        self._proc = proc
        self._check(ca.AudioDeviceStart(self._aggregate, proc), "AudioDeviceStart")
        self.name = f"{self._string(self._output, ca.kAudioObjectPropertyName)} (system audio)"

    def _destroy(self) -> None:
        ca = self._ca
        if ca is None:
            return
        aggregate, proc, tap = self._aggregate, self._proc, self._tap
        self._aggregate = self._tap = 0
        self._proc = None
        with contextlib.suppress(Exception):
            if aggregate and proc is not None:
                ca.AudioDeviceStop(aggregate, proc)  # returns after a block in progress
                ca.AudioDeviceDestroyIOProcID(aggregate, proc)
        with contextlib.suppress(Exception):
            if aggregate:
                ca.AudioHardwareDestroyAggregateDevice(aggregate)
        with contextlib.suppress(Exception):
            if tap:
                ca.AudioHardwareDestroyProcessTap(tap)

    # ----- properties -------------------------------------------------------------------
    def _get(self, obj: int, selector: int, size: int, qualifier: bytes | None = None) -> Any:
        ca = self._ca
        address = ca.AudioObjectPropertyAddress(selector, ca.kAudioObjectPropertyScopeGlobal,
                                                ca.kAudioObjectPropertyElementMain)
        status, _size, data = ca.AudioObjectGetPropertyData(
            obj, address, len(qualifier or b""), qualifier, size, None)
        if status != 0:
            raise DeviceOpenError(f"reading Core Audio property "
                                  f"{describe_status(selector)} of object {obj} failed: "
                                  f"{describe_status(status)}")
        return data

    def _u32(self, obj: int, selector: int, *, qualifier: bytes | None = None) -> int:
        return int(struct.unpack("<I", bytes(self._get(obj, selector, 4, qualifier))[:4])[0])

    def _string(self, obj: int, selector: int) -> str:
        """A CFString property: pyobjc hands back the CFStringRef's bytes; wrap the pointer."""
        pointer = int.from_bytes(bytes(self._get(obj, selector, 8))[:8], "little")
        return str(self._objc.objc_object(c_void_p=pointer))

    def _tap_format(self, ca: Any) -> tuple[int, int]:
        """(rate, channels) of the tap's AudioStreamBasicDescription (40 bytes)."""
        data = bytes(self._get(self._tap, ca.kAudioTapPropertyFormat, 40))
        rate, _format, _flags, _bpp, _fpp, _bpf, channels, _bits, _ = struct.unpack(
            "<dIIIIIIII", data[:40])
        if rate <= 0 or channels <= 0:
            raise DeviceOpenError(f"the tap reports an unusable format {rate} Hz x{channels}")
        return round(rate), int(channels)

    def _others_playing(self) -> bool:
        """Whether any other process is sending audio to an output right now."""
        ca = self._ca
        size = 4 * 256
        raw = bytes(self._get(_SYSTEM_OBJECT, ca.kAudioHardwarePropertyProcessObjectList, size))
        own = self._u32(_SYSTEM_OBJECT, ca.kAudioHardwarePropertyTranslatePIDToProcessObject,
                        qualifier=struct.pack("<i", self._pid))
        for (process,) in struct.iter_unpack("<I", raw[: len(raw) // 4 * 4]):
            if process and process != own and self._u32(
                    process, ca.kAudioProcessPropertyIsRunningOutput):
                return True
        return False

    # ----- the IO block, on our own dispatch queue -----------------------------------------
    def _io_block(self, now: Any, input_data: Any, input_time: Any, output_data: Any,
                  output_time: Any) -> None:
        frames = copy_out(input_data)
        self._calls += 1
        self._last_call = self._clock()
        if not self._heard and frames.size and bool(np.any(frames)):
            self._heard = True
        if frames.size:
            self._push_block(frames)

    # ----- the watcher ------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop_requested.wait(self._poll_interval):
            if not self._is_live or self._aggregate == 0:
                continue
            try:
                self._check_once()
            except Exception:
                continue  # Core Audio could not answer this time; ask again next poll

    def _check_once(self) -> None:
        now = self._clock()
        if now - self._last_call > self._silent_ioproc_after:
            what = "never delivered audio" if self._calls == 0 else "stopped delivering audio"
            self._fault(f"{self.name or 'the system-audio tap'}: Core Audio {what} "
                        f"for {now - self._last_call:.1f} s; rebuilding the tap")
            return
        output = self._u32(_SYSTEM_OBJECT, self._ca.kAudioHardwarePropertyDefaultOutputDevice)
        if output and output != self._output:
            self._rebuild()
            return
        if (not self._heard and not self._permission_said
                and now - self._opened_at >= self._permission_after and self._others_playing()):
            self._permission_said = True
            self._emit("error", f"{self.label}: {TAP_PERMISSION_GUIDANCE}")

    def _rebuild(self) -> None:
        with self._device_lock:
            if self._stop_requested.is_set() or not self._is_live:
                return
            previous = self.name
            self._close(drain=True)
            try:
                self._open()
            except Exception as exc:
                self._fault(f"cannot capture the new default output: {exc}")
                return
        self._emit("device_changed", f"now capturing {self.name} (was {previous})")


def mac_version() -> tuple[int, ...]:
    import platform

    release = platform.mac_ver()[0]
    return tuple(int(part) for part in release.split(".") if part.isdigit()) or (0,)

