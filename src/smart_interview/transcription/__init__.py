"""Whisper model registry, voice activity detection and streaming transcription. No Qt."""
