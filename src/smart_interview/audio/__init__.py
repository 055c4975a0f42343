"""Capture sources (microphone, system-audio loopback per OS, file replay) and conversion to
16 kHz mono float32. No Qt."""
