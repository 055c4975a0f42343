"""Helpers the tests share: making speech, finding the shared data, requiring services."""
