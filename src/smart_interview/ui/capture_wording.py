"""What to tell the user about a capture "error", worded by its cause.

The audio sources report several different things as "error": the device is gone, the
machine was too busy to collect audio in time (WASAPI overflow), transcription fell behind
and blocks were dropped, or the OS denied access. Only the first is about cables or
Bluetooth; telling someone whose laptop is busy with Whisper to check the cable sends them
after a working device.
"""

from __future__ import annotations

_CAUSES = (
    ("permission", ("Privacy & Security", "denies Smart Interview", "permission")),
    ("overflow", ("too busy to collect",)),
    ("dropped", ("consumer too slow", "frames dropped")),
    ("internal", ("cannot process audio", "on_chunk raised")),
)


def capture_error_cause(message: str) -> str:
    """"permission", "overflow", "dropped", "internal" or "device" (gone or failing)."""
    for cause, markers in _CAUSES:
        if any(marker in message for marker in markers):
            return cause
    return "device"


def capture_error_banner(name: str, message: str) -> tuple[str, str]:
    """(short device-status text, banner text) for an "error" from the source `name`."""
    cause = capture_error_cause(message)
    if cause == "permission":
        return f"● {name}: not allowed", f"{name}: {message}"
    if cause == "overflow":
        return (f"● {name}: busy", f"{name}: the computer was too busy to collect the "
                f"audio in time ({message}). The device is fine; close heavy apps or choose a "
                "smaller speech model in Settings.")
    if cause == "dropped":
        return (f"● {name}: audio skipped", f"{name}: transcription fell behind and some "
                f"audio was skipped ({message}). The device is fine; choose a smaller speech "
                "model in Settings.")
    if cause == "internal":
        return (f"● {name}: error", f"{name}: an internal error while processing audio "
                f"({message}). Capture continues.")
    return (f"● {name}: lost", f"{name} dropped out ({message}). Reconnecting by itself; check "
            "the cable or Bluetooth, or pick another device in Settings.")
