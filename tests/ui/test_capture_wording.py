"""Capture errors are worded by their cause: only a lost device is about cables."""

from __future__ import annotations

import pytest

from smart_interview.audio.macos import PERMISSION_GUIDANCE
from smart_interview.ui.capture_wording import capture_error_banner, capture_error_cause

# the messages the audio sources emit (windows_loopback, source, mic, linux_loopback)
OVERFLOW = ("loopback: the machine was too busy to collect system audio in time; 3 block(s) "
            "of 100 ms lost so far")
DROPPED = "loopback: consumer too slow, capture buffer full; 48000 device frames dropped so far"
GONE = "Headphones [Loopback] (system audio) stopped: the device was removed or its format changed"


@pytest.mark.parametrize(("message", "cause"), [
    (OVERFLOW, "overflow"), (DROPPED, "dropped"), (f"mic: {PERMISSION_GUIDANCE}", "permission"),
    (GONE, "device"), ("Interviewer-Speakers disappeared", "device"),
    ("loopback: cannot process audio: ValueError()", "internal"),
], ids=["overflow", "dropped", "permission", "gone", "disappeared", "internal"])
def test_each_cause_is_recognised(message: str, cause: str) -> None:
    assert capture_error_cause(message) == cause


def test_only_a_lost_device_mentions_cables() -> None:
    for message in (OVERFLOW, DROPPED, f"mic: {PERMISSION_GUIDANCE}"):
        status, banner = capture_error_banner("Interviewer", message)
        assert "cable" not in banner and "Bluetooth" not in banner and "lost" not in status
    status, banner = capture_error_banner("Interviewer", GONE)
    assert "cable or Bluetooth" in banner and status.endswith("lost")


def test_busy_machine_and_permission_say_what_to_do() -> None:
    _, busy = capture_error_banner("Interviewer", OVERFLOW)
    assert "too busy" in busy and "device is fine" in busy and "smaller speech model" in busy
    _, slow = capture_error_banner("Interviewer", DROPPED)
    assert "fell behind" in slow
    _, denied = capture_error_banner("You", f"mic: {PERMISSION_GUIDANCE}")
    assert "System Settings → Privacy & Security → Microphone" in denied
