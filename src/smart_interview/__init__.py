"""Smart Interview: an on-device interview assistant."""

__version__ = "0.1.0"
