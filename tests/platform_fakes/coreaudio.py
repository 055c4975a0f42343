"""A stand-in for the Core Audio HAL and CoreFoundation calls `smart_interview.audio.macos`
makes, following Apple's headers (AudioHardware.h / AudioHardwareBase.h):

- ``AudioObjectGetPropertyData(objectID, &address, 0, NULL, &ioDataSize, outData)`` returns
  0 (noErr) and writes the value and its size, or 'who?' (unknown property) / '!obj' (bad
  object) without writing;
- the system object (1) answers ``kAudioHardwarePropertyDefaultOutputDevice`` ('dOut');
- every device answers ``kAudioObjectPropertyName`` ('lnam', a CFStringRef the caller
  releases) and ``kAudioDevicePropertyDeviceIsRunningSomewhere`` ('gone', UInt32);
- an aggregate device (a Multi-Output Device) also answers
  ``kAudioAggregateDevicePropertyActiveSubDeviceList`` ('agrp', AudioObjectID[]).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any

from tests.platform_fakes.user32 import ForeignFunction


def fourcc(code: str) -> int:
    return int.from_bytes(code.encode("ascii"), "big")


UNKNOWN_PROPERTY = fourcc("who?")
BAD_OBJECT = fourcc("!obj")


@dataclass
class Device:
    name: str
    running: bool = False
    sub_devices: list[int] = field(default_factory=list)  # aggregate devices only


class CoreAudioHal:
    def __init__(self, devices: dict[int, Device], *, default_output: int) -> None:
        self.devices = devices
        self.default_output = default_output
        self.strings: dict[int, str] = {}
        self.released: list[int] = []
        self.AudioObjectGetPropertyData = ForeignFunction(self._get)
        self.CFStringGetCString = ForeignFunction(self._string)
        self.CFRelease = ForeignFunction(self._release)

    def _get(self, obj: Any, address: Any, qualifier_size: Any, qualifier: Any,
             size: Any, out: Any) -> int:
        object_id = obj.value
        selector = address._obj.selector
        values: list[int]
        if object_id == 1:
            if selector != fourcc("dOut"):
                return UNKNOWN_PROPERTY
            values = [self.default_output]
        elif object_id in self.devices:
            device = self.devices[object_id]
            if selector == fourcc("gone"):
                values = [int(device.running)]
            elif selector == fourcc("agrp") and device.sub_devices:
                values = list(device.sub_devices)
            elif selector == fourcc("lnam"):
                string = 0x9000 + len(self.strings)
                self.strings[string] = device.name
                values = [string]
            else:
                return UNKNOWN_PROPERTY
        else:
            return BAD_OBJECT
        item = ctypes.sizeof(out._type_)
        count = min(len(values), size._obj.value // item)
        for index in range(count):
            out[index] = values[index]
        size._obj.value = count * item
        return 0

    def _string(self, string: Any, buffer: Any, length: int, encoding: int) -> int:
        text = self.strings[string.value].encode("utf-8")
        if encoding != 0x08000100 or len(text) >= length:
            return 0
        buffer.value = text
        return 1

    def _release(self, string: Any) -> None:
        self.released.append(string.value)
