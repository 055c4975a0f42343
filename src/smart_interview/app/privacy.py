"""Turns off every third-party phone-home in this process, before any library starts.

Some libraries the app depends on contact their vendor or write files outside the app's own
folders unless told not to, and most of them read that choice from the environment once, when
they initialise. `apply_process_privacy()` therefore runs first thing in every entry point and
overrides whatever the inherited environment says:

- onnxruntime (Silero VAD) on Linux and macOS sends usage events to
  mobile.events.data.microsoft.com and keeps a device id and an event database under
  `~/.cache/Microsoft/DeveloperTools/.onnxruntime/` as soon as a session is created.
  `onnxruntime.disable_telemetry_events()` does not stop that; `ORT_DISABLE_TELEMETRY=1` in the
  environment before the library initialises does. On Windows its events go to ETW, which the
  call does turn off, so there it is made as well (only if onnxruntime is installed, and without
  importing it before it is needed).
- huggingface_hub (used by faster-whisper only to fetch models): offline, no telemetry, no update
  check, no implicit use of a stored Hugging Face token. `smart-interview models download` is
  the one place that may reach the hub: the CLI calls `allow_model_hub()` for it, before
  anything loads.
- FastAPI (the embedded backend) adds OpenTelemetry exporters when FASTAPI_OTEL_AUTO_CONFIGURE
  and an OTLP endpoint are set: both are overridden so server traces never leave the device.
- DO_NOT_TRACK=1 is the cross-tool convention (https://donottrack.sh) a few libraries honour.

Libraries checked and found quiet: faster-whisper and CTranslate2 (local model paths only),
tokenizers (no network unless asked for a hub tokenizer), uvicorn, keyring, bm25s (its hub
helpers are never imported), PyAV, sounddevice, PySide6/Qt.

Nothing here runs at import time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

PRIVATE_ENVIRONMENT: dict[str, str] = {
    "ORT_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "OTEL_SDK_DISABLED": "true",
    "FASTAPI_OTEL_AUTO_CONFIGURE": "false",
}
"""Set in every process of the app; values inherited from the environment are overridden."""

MODEL_HUB_OFFLINE = "HF_HUB_OFFLINE"


class PrivacyError(RuntimeError):
    """A privacy setting could not take effect (a library initialised before it was set)."""


def apply_process_privacy(environ: MutableMapping[str, str] | None = None) -> None:
    """Sets `PRIVATE_ENVIRONMENT` in this process (child processes inherit it) and, on
    Windows, turns off onnxruntime's ETW events. Call it before anything else runs."""
    env = os.environ if environ is None else environ
    env.update(PRIVATE_ENVIRONMENT)
    if sys.platform == "win32":
        disable_onnxruntime_events()


def disable_onnxruntime_events() -> bool:
    """Calls `onnxruntime.disable_telemetry_events()` when onnxruntime is installed; True if
    it was called. Importing onnxruntime here is fine: the environment is already set."""
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None:
        return False
    import onnxruntime

    onnxruntime.disable_telemetry_events()
    return True


def allow_model_hub(environ: MutableMapping[str, str] | None = None) -> None:
    """Lets this process download models from the Hugging Face hub (telemetry stays off).
    Must run before huggingface_hub is imported, since it reads the setting once."""
    if "huggingface_hub.constants" in sys.modules:
        raise PrivacyError(
            "huggingface_hub was loaded before model downloads were allowed; "
            "allow_model_hub() must run first"
        )
    env = os.environ if environ is None else environ
    env[MODEL_HUB_OFFLINE] = "0"
