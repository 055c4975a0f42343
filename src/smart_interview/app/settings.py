"""The app's one typed settings object.

Built by the app, saved as JSON in the config dir, passed down to whoever needs a value.
Secrets (tokens, API keys) never live here: they are in the OS keyring (see `sync.secrets`).
Unknown keys in the file are ignored and missing ones take their defaults, so a settings file
from an older or newer version still loads.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class AudioSettings:
    mic_device: str | None = None
    """Input device name or index; None is the OS default microphone."""
    loopback_device: str | None = None
    """Output (sink) whose sound is the interviewer; None follows the OS default output."""


@dataclass
class TranscriptionSettings:
    model: str = "tiny.en"
    language: str | None = "en"
    """ISO 639-1 code, or None to detect it (multilingual models only)."""
    cpu_threads: int = 2


@dataclass
class AnswerSettings:
    provider: str = "none"
    """"none" (talking points only), "openai", "anthropic" or "openai_compatible"."""
    model: str = ""
    base_url: str = ""
    """Only for "openai_compatible": e.g. http://127.0.0.1:11434/v1 for Ollama."""
    style: str = "bullets"
    """"bullets", "spoken" (first-person paragraph) or "star" (behavioural answers)."""
    share: str = "question"
    """What a cloud provider receives per question: "question" (and the job title),
    "question_transcript" (also recent conversation lines) or "question_transcript_context"
    (also CV and dossier excerpts). A server on this device always gets the full context."""
    cloud_consent: dict[str, str] = field(default_factory=dict)
    """"provider@host" → the largest share choice the user agreed to send there."""
    speculate: str = "auto"
    """Ask for the answer while the interviewer pauses, before the question is final: "on",
    "off", or "auto" (on for a model server on this device, off for paid cloud providers)."""


@dataclass
class SyncSettings:
    server_url: str = ""
    """Empty: the app runs its own local backend on 127.0.0.1 (local account)."""


@dataclass
class UiSettings:
    first_run_done: bool = False
    overlay_opacity: float = 0.9
    overlay_click_through: bool = False
    hide_from_capture: bool = True
    hotkeys: dict[str, str] = field(
        default_factory=lambda: {
            "toggle_overlay": "Ctrl+Alt+O",
            "next_answer": "Ctrl+Alt+Right",
            "previous_answer": "Ctrl+Alt+Left",
            "pause_listening": "Ctrl+Alt+P",
        }
    )
    history_enabled: bool = False
    history_retention_days: int = 30
    selected_dossier_id: str | None = None


@dataclass
class Settings:
    audio: AudioSettings = field(default_factory=AudioSettings)
    transcription: TranscriptionSettings = field(default_factory=TranscriptionSettings)
    answers: AnswerSettings = field(default_factory=AnswerSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    ui: UiSettings = field(default_factory=UiSettings)

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            # A damaged settings file must not stop the app; keep it aside for support.
            path.replace(path.with_suffix(".damaged.json"))
            return cls()
        return _from_dict(cls, raw if isinstance(raw, dict) else {})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2, sort_keys=True)
        os.replace(tmp, path)


def _from_dict(cls: type[T], raw: dict[str, Any]) -> T:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in raw:
            continue
        value = raw[f.name]
        default = f.default_factory() if callable(f.default_factory) else None  # type: ignore[misc]
        if is_dataclass(default) and isinstance(value, dict):
            value = _from_dict(type(default), value)
        elif isinstance(default, dict) and isinstance(value, dict):
            value = {**default, **value}
        kwargs[f.name] = value
    return cls(**kwargs)
