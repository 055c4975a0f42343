"""What a `StreamingTranscriber` is told: endpointing, guards, prompts, the revision pass."""

from __future__ import annotations

from dataclasses import dataclass, field

from smart_interview.transcription.endpointing import EndpointOptions
from smart_interview.transcription.guards import GuardOptions
from smart_interview.transcription.turns import TurnOptions


@dataclass(frozen=True)
class StreamingOptions:
    endpoint: EndpointOptions = field(default_factory=EndpointOptions)
    guards: GuardOptions = field(default_factory=GuardOptions)
    speculative: bool = True
    prompt_chars: int = 200
    prompt_gap_s: float = 1.5
    """Earlier final text is the prompt only if it ended at most this long before the speech
    being decoded (a continuation, or the rest of a cut utterance). Older text, often another
    topic, biased the decoder into copying it ("You can call me Abigail Class 1.")."""
    audio_context_s: float = 8.0
    """A continuation (speech within `prompt_gap_s` of this speaker's last final) is decoded
    together with the audio of that final, whose text the decoder must write first, when
    both fit in this many seconds: a short piece heard alone reads worse ("As not!" for "ask
    not" after "And so my fellow Americans."). 0 turns it off."""
    turns: TurnOptions = field(default_factory=TurnOptions)
    """When a turn has ended and how it is decoded again (the revision pass)."""
