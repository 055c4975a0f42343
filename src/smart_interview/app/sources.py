"""Opens the capture source of one speaker: a replayed file, the system audio (the
interviewer) or the microphone (the candidate). Sources are returned not started."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from smart_interview.models.transcript import Speaker

if TYPE_CHECKING:
    from smart_interview.audio.source import AudioChunk, CaptureEvent, CaptureSource

SOURCE_LABELS = {Speaker.INTERVIEWER: "loopback", Speaker.CANDIDATE: "mic"}
"""The label each speaker's source reports its chunks under."""


@dataclass(frozen=True)
class SourceOptions:
    """Where one speaker is heard: a device (None: the OS default) or a file to replay."""

    device: str | None = None
    file: Path | None = None
    realtime: bool = True
    """A file is replayed at the pace it was recorded (False: as fast as it can be read)."""


def open_source(speaker: Speaker, options: SourceOptions, *,
                on_chunk: Callable[[AudioChunk], None],
                on_event: Callable[[CaptureEvent], None] | None = None,
                clock: Callable[[], float] = time.monotonic) -> CaptureSource:
    label = SOURCE_LABELS[speaker]
    if options.file is not None:
        from smart_interview.audio.file_source import FileSource

        return FileSource(options.file, realtime=options.realtime, label=label,
                          on_chunk=on_chunk, on_event=on_event, clock=clock)
    if speaker is Speaker.INTERVIEWER:
        from smart_interview.audio.loopback import open_loopback

        return open_loopback(device=options.device, on_chunk=on_chunk, on_event=on_event,
                             label=label, clock=clock)
    from smart_interview.audio.microphone import open_microphone

    return open_microphone(device=options.device, on_chunk=on_chunk, on_event=on_event,
                           label=label, clock=clock)
