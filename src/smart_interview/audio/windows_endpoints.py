"""The default Windows output, asked from the Windows audio service itself.

PortAudio reads its device list only in `Pa_Initialize`, and only when no other instance of
it is alive in the process (`pa_front.c`: later calls just count up); PyAudioWPatch does not
expose `PaWasapi_UpdateDeviceList`. So while the loopback stream holds its PyAudio instance,
no new PyAudio instance sees a changed default output. This module asks the MMDevice API
(``IMMDeviceEnumerator::GetDefaultAudioEndpoint(eRender, eConsole)``, then the endpoint's
``PKEY_Device_FriendlyName``, the name PortAudio's WASAPI host API gives the device) through
plain ctypes COM calls. Windows only; imported on first use.
"""

from __future__ import annotations

import ctypes
import uuid
from typing import Any

_CLSID_MM_DEVICE_ENUMERATOR = uuid.UUID("BCDE0395-E52F-467C-8E3D-C4579291692E")
_IID_IMM_DEVICE_ENUMERATOR = uuid.UUID("A95664D2-9614-4F35-A746-DE8DB63617E6")
_PKEY_DEVICE_FRIENDLY_NAME = (uuid.UUID("A45C254E-DF1C-4EFD-8020-67D146A850E0"), 14)
_CLSCTX_ALL = 0x17
_E_RENDER, _E_CONSOLE = 0, 0
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


def default_output_name() -> str | None:
    """Friendly name of the default render endpoint (console role); None if there is none."""
    ole32 = ctypes.windll.ole32  # type: ignore[attr-defined]
    initialised = ole32.CoInitializeEx(None, 0)  # COINIT_MULTITHREADED
    if initialised < 0 and initialised != _RPC_E_CHANGED_MODE:
        raise OSError(f"CoInitializeEx failed: {initialised:#x}")
    enumerator, device, store = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    try:
        clsid = _Guid.of(_CLSID_MM_DEVICE_ENUMERATOR)
        iid = _Guid.of(_IID_IMM_DEVICE_ENUMERATOR)
        hr = ole32.CoCreateInstance(ctypes.byref(clsid), None, _CLSCTX_ALL, ctypes.byref(iid),
                                    ctypes.byref(enumerator))
        if hr < 0:
            raise OSError(f"MMDeviceEnumerator unavailable: {hr & 0xFFFFFFFF:#x}")
        # IMMDeviceEnumerator::GetDefaultAudioEndpoint; E_NOTFOUND when no output exists
        if _call(enumerator, 4, ctypes.c_int(_E_RENDER), ctypes.c_int(_E_CONSOLE),
                 ctypes.pointer(device)) < 0:
            return None
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
        for obj in (store, device, enumerator):
            _release(obj)
        if initialised >= 0:
            ole32.CoUninitialize()
