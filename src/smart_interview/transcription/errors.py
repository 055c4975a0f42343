"""Errors of the transcription package.

TranscriptionError
├── ModelUnavailable     the model is not on this device, or cannot be loaded; says how to get it
│   └── ModelAssemblyError   a split model's parts did not assemble to the expected bytes
├── ModelCancelled       the user cancelled preparing a model
└── AudioDecodeError     an audio file could not be read or decoded
"""

from __future__ import annotations


class TranscriptionError(Exception):
    """Base of every error this package raises."""


class ModelUnavailable(TranscriptionError):
    pass


class ModelAssemblyError(ModelUnavailable):
    pass


class ModelCancelled(TranscriptionError):
    pass


class AudioDecodeError(TranscriptionError):
    pass
