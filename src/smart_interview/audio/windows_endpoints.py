"""The default Windows output, asked from the Windows audio service itself.

PortAudio reads its device list only in `Pa_Initialize`, and only when no other instance of
it is alive in the process (`pa_front.c`: later calls just count up); PyAudioWPatch does not
expose `PaWasapi_UpdateDeviceList`. So while the loopback stream holds its PyAudio instance,
no new PyAudio instance sees a changed default output. This module asks the MMDevice API
(``IMMDeviceEnumerator::GetDefaultAudioEndpoint(eRender, eConsole)``, then the endpoint's
``PKEY_Device_FriendlyName``, the name PortAudio's WASAPI host API gives the device) through
plain ctypes COM calls. Windows only; imported on first use.

Call apps on a headset usually play to the *communications* default (ERole
``eCommunications``), not the console one, so both roles can be asked. And since a call app
can play to any endpoint it likes, `render_endpoint_peaks` reads every active render
endpoint's peak meter (``IMMDeviceEnumerator::EnumAudioEndpoints(eRender,
DEVICE_STATE_ACTIVE)``, then ``IMMDevice::Activate(IID_IAudioMeterInformation)`` and
``IAudioMeterInformation::GetPeakValue``): the loopback uses it to find where the call really
plays when the captured output stays silent.
"""

from __future__ import annotations

import ctypes
import uuid
from typing import Any

_CLSID_MM_DEVICE_ENUMERATOR = uuid.UUID("BCDE0395-E52F-467C-8E3D-C4579291692E")
_IID_IMM_DEVICE_ENUMERATOR = uuid.UUID("A95664D2-9614-4F35-A746-DE8DB63617E6")
_PKEY_DEVICE_FRIENDLY_NAME = (uuid.UUID("A45C254E-DF1C-4EFD-8020-67D146A850E0"), 14)
_IID_IAUDIO_METER_INFORMATION = uuid.UUID("C02216F6-8C67-4B5B-9D00-D008E73E0064")
_CLSCTX_ALL = 0x17
_E_RENDER = 0
ROLES = {"console": 0, "multimedia": 1, "communications": 2}  # ERole
_DEVICE_STATE_ACTIVE = 0x1
_STGM_READ = 0
_VT_LPWSTR = 31
_RPC_E_CHANGED_MODE = -2147417850  # COM already initialised in another mode: still usable


class _Guid(ctypes.Structure):
    _fields_ = [("data", ctypes.c_ubyte * 16)]

    @classmethod
    def of(cls, value: uuid.UUID) -> _Guid:
        guid = cls()
        ctypes.memmove(guid.data, value.bytes_le, 16)
        return guid


class _PropertyKey(ctypes.Structure):
    _fields_ = [("fmtid", _Guid), ("pid", ctypes.c_ulong)]


class _PropVariant(ctypes.Structure):
    _fields_ = [("vt", ctypes.c_ushort), ("reserved", ctypes.c_ushort * 3),
                ("value", ctypes.c_void_p), ("extra", ctypes.c_void_p)]


def _call(obj: ctypes.c_void_p, index: int, *args: Any) -> int:
    """Calls method `index` of a COM interface's vtable; returns the HRESULT."""
    vtable = ctypes.cast(obj, ctypes.POINTER(ctypes.POINTER(ctypes.c_void_p))).contents
    prototype = ctypes.WINFUNCTYPE(ctypes.c_long, ctypes.c_void_p,  # type: ignore[attr-defined]
                                   *[type(a) for a in args])
    return int(prototype(vtable[index])(obj, *args))


def _release(obj: ctypes.c_void_p) -> None:
    if obj:
        vtable = ctypes.cast(obj, ctypes.POINTER(ctypes.POINTER(ctypes.c_void_p))).contents
        release = ctypes.WINFUNCTYPE(ctypes.c_ulong, ctypes.c_void_p)  # type: ignore[attr-defined]
        release(vtable[2])(obj)


class _Com:
    """COM initialised on this thread for the duration of a `with` block."""

    def __enter__(self) -> Any:
        self.ole32 = ctypes.windll.ole32  # type: ignore[attr-defined]
        self.initialised = self.ole32.CoInitializeEx(None, 0)  # COINIT_MULTITHREADED
        if self.initialised < 0 and self.initialised != _RPC_E_CHANGED_MODE:
            raise OSError(f"CoInitializeEx failed: {self.initialised:#x}")
        self.enumerator = ctypes.c_void_p()
        clsid = _Guid.of(_CLSID_MM_DEVICE_ENUMERATOR)
        iid = _Guid.of(_IID_IMM_DEVICE_ENUMERATOR)
        hr = self.ole32.CoCreateInstance(ctypes.byref(clsid), None, _CLSCTX_ALL,
                                         ctypes.byref(iid), ctypes.byref(self.enumerator))
        if hr < 0:
            self.__exit__()
            raise OSError(f"MMDeviceEnumerator unavailable: {hr & 0xFFFFFFFF:#x}")
        return self

    def __exit__(self, *_: object) -> None:
        _release(self.enumerator)
        if self.initialised >= 0:
            self.ole32.CoUninitialize()


def _friendly_name(ole32: Any, device: ctypes.c_void_p) -> str | None:
    store = ctypes.c_void_p()
    try:
        if _call(device, 4, ctypes.c_ulong(_STGM_READ), ctypes.pointer(store)) < 0:
            return None  # IMMDevice::OpenPropertyStore
        key = _PropertyKey(_Guid.of(_PKEY_DEVICE_FRIENDLY_NAME[0]), _PKEY_DEVICE_FRIENDLY_NAME[1])
        value = _PropVariant()
        if _call(store, 5, ctypes.pointer(key), ctypes.pointer(value)) < 0:
            return None  # IPropertyStore::GetValue
        try:
            if value.vt != _VT_LPWSTR or not value.value:
                return None
            return ctypes.wstring_at(value.value)
        finally:
            ole32.PropVariantClear(ctypes.byref(value))
    finally:
        _release(store)


def default_output_name(role: str = "console") -> str | None:
    """Friendly name of the default render endpoint for `role` ("console", "multimedia" or
    "communications"); None if there is none."""
    with _Com() as com:
        device = ctypes.c_void_p()
        try:
            # IMMDeviceEnumerator::GetDefaultAudioEndpoint; E_NOTFOUND when no output exists
            if _call(com.enumerator, 4, ctypes.c_int(_E_RENDER), ctypes.c_int(ROLES[role]),
                     ctypes.pointer(device)) < 0:
                return None
            return _friendly_name(com.ole32, device)
        finally:
            _release(device)


def communications_output_name() -> str | None:
    """The default communications output: where Teams, Zoom and Meet play on a headset."""
    return default_output_name("communications")


def _peak(device: ctypes.c_void_p) -> float | None:
    meter = ctypes.c_void_p()
    iid = _Guid.of(_IID_IAUDIO_METER_INFORMATION)
    try:  # IMMDevice::Activate(iid, CLSCTX_ALL, NULL, &meter)
        if _call(device, 3, ctypes.pointer(iid), ctypes.c_ulong(_CLSCTX_ALL), ctypes.c_void_p(),
                 ctypes.pointer(meter)) < 0:
            return None
        peak = ctypes.c_float()
        if _call(meter, 3, ctypes.pointer(peak)) < 0:  # IAudioMeterInformation::GetPeakValue
            return None
        return float(peak.value)
    finally:
        _release(meter)


def render_endpoint_peaks() -> dict[str, float]:
    """{friendly name: current peak 0..1} of every active render endpoint."""
    peaks: dict[str, float] = {}
    with _Com() as com:
        collection = ctypes.c_void_p()
        if _call(com.enumerator, 3, ctypes.c_int(_E_RENDER), ctypes.c_ulong(_DEVICE_STATE_ACTIVE),
                 ctypes.pointer(collection)) < 0:  # EnumAudioEndpoints
            return peaks
        try:
            count = ctypes.c_uint()
            if _call(collection, 3, ctypes.pointer(count)) < 0:  # IMMDeviceCollection::GetCount
                return peaks
            for index in range(count.value):
                device = ctypes.c_void_p()
                if _call(collection, 4, ctypes.c_uint(index), ctypes.pointer(device)) < 0:
                    continue  # IMMDeviceCollection::Item
                try:
                    name, peak = _friendly_name(com.ole32, device), _peak(device)
                    if name is not None and peak is not None:
                        peaks[name] = peak
                finally:
                    _release(device)
        finally:
            _release(collection)
    return peaks
