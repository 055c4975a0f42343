"""What the macOS sources ask the system, through ctypes (nothing is loaded until first use,
so importing this module is safe everywhere).

- `microphone_authorization`: ``[AVCaptureDevice authorizationStatusForMediaType:
  AVMediaTypeAudio]``. Every Core Audio input counts as the microphone, a virtual loopback
  device such as BlackHole included; a denied app records zeros and gets no error.
- `CoreAudio.output_activity`: whether the default output device is running
  (``kAudioDevicePropertyDeviceIsRunningSomewhere``) and whether it feeds the captured device
  (it is that device, or an aggregate / Multi-Output Device whose active sub-devices include
  it, ``kAudioAggregateDevicePropertyActiveSubDeviceList``).
- `ObjCRuntime`: message sending through libobjc, also used to set an NSWindow's sharing type.

Every query answers None when it cannot tell (not macOS, a framework missing, a call failing):
the callers then fall back to what they can see in the audio itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from dataclasses import dataclass
from typing import Any

AUTHORIZATION = {0: "not_determined", 1: "restricted", 2: "denied", 3: "authorized"}
"""AVAuthorizationStatus values (AVFoundation, macOS 10.14+)."""

PERMISSION_GUIDANCE = (
    "macOS denies Smart Interview access to audio input, so it records only silence (a "
    "virtual device such as BlackHole counts as a microphone too). Open System Settings → "
    "Privacy & Security → Microphone, turn Smart Interview on, then restart the interview.")


@dataclass(frozen=True)
class OutputActivity:
    active: bool | None
    """The default output device is running (some app plays to it)."""
    routed: bool | None
    """The default output feeds the captured device, so what plays is what is captured."""


UNKNOWN_ACTIVITY = OutputActivity(active=None, routed=None)


class ObjCRuntime:
    """``objc_msgSend`` with a prototype per call (arguments are ctypes instances)."""

    def __init__(self, library: Any = None) -> None:
        self._lib = library

    def _library(self) -> Any:
        if self._lib is None:
            self._lib = ctypes.cdll.LoadLibrary(ctypes.util.find_library("objc")
                                                or "/usr/lib/libobjc.A.dylib")
            self._lib.objc_getClass.restype = ctypes.c_void_p
            self._lib.objc_getClass.argtypes = [ctypes.c_char_p]
            self._lib.sel_registerName.restype = ctypes.c_void_p
            self._lib.sel_registerName.argtypes = [ctypes.c_char_p]
        return self._lib

    def load_framework(self, path: str) -> None:
        ctypes.cdll.LoadLibrary(path)

    def cls(self, name: str) -> int | None:
        return self._library().objc_getClass(name.encode())

    def send(self, receiver: int | None, selector: str, *args: Any,
             restype: Any = ctypes.c_void_p) -> Any:
        lib = self._library()
        prototype = ctypes.CFUNCTYPE(restype, ctypes.c_void_p, ctypes.c_void_p,
                                     *[type(a) for a in args])
        function = prototype(("objc_msgSend", lib))
        return function(receiver, lib.sel_registerName(selector.encode()), *args)


def microphone_authorization(runtime: Any = None) -> str | None:
    """"authorized", "denied", "restricted" or "not_determined"; None when unknown."""
    if runtime is None:
        if sys.platform != "darwin":
            return None
        runtime = ObjCRuntime()
    try:
        runtime.load_framework("/System/Library/Frameworks/AVFoundation.framework/AVFoundation")
        device_class, string_class = runtime.cls("AVCaptureDevice"), runtime.cls("NSString")
        if not device_class or not string_class:
            return None  # a message to nil would answer 0, "not determined": say unknown
        media_type = runtime.send(string_class, "stringWithUTF8String:",
                                  ctypes.c_char_p(b"soun"))  # AVMediaTypeAudio is @"soun"
        status = runtime.send(device_class, "authorizationStatusForMediaType:",
                              ctypes.c_void_p(media_type), restype=ctypes.c_long)
    except Exception:
        return None
    return None if status is None else AUTHORIZATION.get(int(status))


def _fourcc(code: str) -> int:
    return int.from_bytes(code.encode("ascii"), "big")


class _Address(ctypes.Structure):
    _fields_ = [("selector", ctypes.c_uint32), ("scope", ctypes.c_uint32),
                ("element", ctypes.c_uint32)]


SYSTEM_OBJECT = 1
DEFAULT_OUTPUT_DEVICE = _fourcc("dOut")
DEVICE_IS_RUNNING_SOMEWHERE = _fourcc("gone")
ACTIVE_SUB_DEVICES = _fourcc("agrp")
OBJECT_NAME = _fourcc("lnam")
SCOPE_GLOBAL = _fourcc("glob")


class CoreAudio:
    """The few Core Audio HAL properties the macOS loopback needs."""

    def __init__(self, *, hal: Any = None, cf: Any = None) -> None:
        self._hal = hal
        self._cf = cf

    def _load(self) -> tuple[Any, Any]:
        if self._hal is None:
            self._hal = ctypes.cdll.LoadLibrary(
                "/System/Library/Frameworks/CoreAudio.framework/CoreAudio")
            self._cf = ctypes.cdll.LoadLibrary(
                "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation")
        return self._hal, self._cf

    def _get(self, obj: int, selector: int, ctype: Any, count: int = 1) -> list[Any] | None:
        hal, _ = self._load()
        address = _Address(selector, SCOPE_GLOBAL, 0)
        size = ctypes.c_uint32(ctypes.sizeof(ctype) * count)
        buffer = (ctype * count)()
        status = hal.AudioObjectGetPropertyData(ctypes.c_uint32(obj), ctypes.byref(address),
                                                ctypes.c_uint32(0), None, ctypes.byref(size),
                                                buffer)
        if status != 0:
            return None
        return list(buffer)[: size.value // ctypes.sizeof(ctype)]

    def _name(self, device: int) -> str | None:
        _, cf = self._load()
        found = self._get(device, OBJECT_NAME, ctypes.c_void_p)
        if not found or not found[0]:
            return None
        text = ctypes.create_string_buffer(512)
        cf.CFStringGetCString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_long,
                                          ctypes.c_uint32]
        ok = cf.CFStringGetCString(ctypes.c_void_p(found[0]), text, 512, 0x08000100)  # UTF-8
        cf.CFRelease.argtypes = [ctypes.c_void_p]
        cf.CFRelease(ctypes.c_void_p(found[0]))
        return text.value.decode("utf-8", "replace") if ok else None

    def output_activity(self, captured_name: str | None) -> OutputActivity:
        if sys.platform != "darwin" and self._hal is None:
            return UNKNOWN_ACTIVITY
        try:
            output = self._get(SYSTEM_OBJECT, DEFAULT_OUTPUT_DEVICE, ctypes.c_uint32)
            if not output:
                return UNKNOWN_ACTIVITY
            running = self._get(output[0], DEVICE_IS_RUNNING_SOMEWHERE, ctypes.c_uint32)
            active = None if running is None else bool(running[0])
            routed = None
            if captured_name:
                feeds = [output[0], *(self._get(output[0], ACTIVE_SUB_DEVICES,
                                                ctypes.c_uint32, 64) or [])]
                routed = any(self._name(d) == captured_name for d in feeds)
        except Exception:
            return UNKNOWN_ACTIVITY
        return OutputActivity(active=active, routed=routed)
