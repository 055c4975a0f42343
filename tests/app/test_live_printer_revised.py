"""`smart-interview live --no-gui` prints a revised turn as one line marked revised, after
the finals it replaces, and keeps it apart from partials (on a terminal and off one)."""

from __future__ import annotations

import io
import json

from smart_interview.app.commands.live import Printer
from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def turn() -> list[TranscriptUpdate]:
    candidate = Speaker.CANDIDATE
    return [
        TranscriptUpdate(Segment(candidate, "I moved the ledger", 3.0, 4.6, final=True),
                         emitted_at=5.0, utterance=0),
        TranscriptUpdate(Segment(candidate, "to cough car.", 5.2, 6.3, final=True),
                         emitted_at=6.7, utterance=1),
        TranscriptUpdate(Segment(Speaker.INTERVIEWER, "And", 8.0, 8.3, final=False),
                         emitted_at=8.4, utterance=2),
        TranscriptUpdate(Segment(candidate, "I moved the ledger to Kafka.", 3.0, 6.3,
                                 final=False), emitted_at=8.5, utterance=1, replaces=(0, 1)),
    ]


def test_text_mode_prints_the_revised_turn_as_one_marked_line() -> None:
    out = io.StringIO()
    printer = Printer(jsonl=False, stream=out)
    for event in turn():
        printer.event(event)
    assert out.getvalue().splitlines() == [
        "[   3.00]   CANDIDATE: I moved the ledger",
        "[   5.20]   CANDIDATE: to cough car.",
        "[   8.00] interviewer… And",
        "[   3.00]   CANDIDATE (revised, to 6.30): I moved the ledger to Kafka."]


def test_on_a_terminal_the_revision_does_not_overwrite_or_pass_for_a_partial() -> None:
    out = Terminal()
    printer = Printer(jsonl=False, stream=out)
    for event in turn():
        printer.event(event)
    text = out.getvalue()
    # the open partial line is cleared and the revision printed as a whole line of its own
    assert text.endswith("\r\x1b[K[   3.00]   CANDIDATE (revised, to 6.30): "
                         "I moved the ledger to Kafka.\n")
    assert text.count("\n") == 3


def test_jsonl_marks_the_revision_and_what_it_replaces() -> None:
    out = io.StringIO()
    printer = Printer(jsonl=True, stream=out)
    for event in turn():
        printer.event(event)
    last = json.loads(out.getvalue().splitlines()[-1])
    assert (last["type"], last["replaces"], last["text"]) == (
        "revised", [0, 1], "I moved the ledger to Kafka.")
