"""A revised turn replaces its lines in the live transcript in place: one line for the turn,
a small "revised" mark whose tooltip holds the earlier text, one redraw, and the reader's
place kept (at the bottom it stays at the bottom; scrolled up, the text on screen holds
still)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint

from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate
from smart_interview.ui.transcript_view import TranscriptView

FIRST, SECOND = "We moved the ledger to Kafka", "in about sick weeks."
REVISED = "We moved the ledger to Kafka in about six weeks."


def final(speaker: str, text: str, start: float, utterance: int) -> TranscriptUpdate:
    return TranscriptUpdate(Segment(Speaker(speaker), text, start, start + 1.0, final=True),
                            emitted_at=start + 1.4, utterance=utterance)


def revision(speaker: str, text: str, start: float, end: float,
             replaces: tuple[int, ...]) -> TranscriptUpdate:
    return TranscriptUpdate(Segment(Speaker(speaker), text, start, end, final=False),
                            emitted_at=end + 2.0, utterance=replaces[-1], replaces=replaces)


@pytest.fixture
def view(qtbot: Any) -> TranscriptView:
    widget = TranscriptView()
    widget.resize(420, 240)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def conversation(view: TranscriptView, turns: int) -> None:
    """`turns` turns, alternating speakers, each of two finals (utterances 2n and 2n+1)."""
    for n in range(turns):
        speaker = "interviewer" if n % 2 == 0 else "candidate"
        view.add_event(final(speaker, f"turn {n} begins here and says something", 10.0 * n, n))
        view.add_event(final(speaker, f"turn {n} ends here.", 10.0 * n + 2, 100 + n))


def mark_point(view: TranscriptView) -> QPoint:
    """Where the "revised" mark is drawn, in viewport coordinates."""
    found = view.browser.document().find("revised")
    assert not found.isNull()
    found.setPosition(found.selectionStart() + 2)
    return view.browser.cursorRect(found).center()


def test_a_revision_becomes_one_marked_line_in_place_of_its_finals(
        view: TranscriptView, qtbot: Any) -> None:
    view.add_event(final("interviewer", "Tell me about the ledger migration.", 0.5, 0))
    view.add_event(final("candidate", FIRST, 3.0, 0))
    view.add_event(final("candidate", SECOND, 5.2, 1))
    view.add_event(final("interviewer", "Why Kafka?", 8.0, 1))
    view.mark_question("Tell me about the ledger migration.")
    partial = TranscriptUpdate(Segment(Speaker.CANDIDATE, "Because", 11.0, 11.5, final=False),
                               emitted_at=11.6, utterance=2)
    view.add_event(partial)

    with qtbot.waitSignal(view.browser.textChanged, timeout=1000):
        view.add_event(revision("candidate", REVISED, 3.0, 6.2, (0, 1)))

    assert [line.text for line in view.lines] == [
        "Tell me about the ledger migration.", REVISED, "Why Kafka?"]
    assert view.lines[1].revised and not view.lines[0].revised
    assert view.lines[0].question  # the question mark stays where it was
    assert view.partials["candidate"].text == "Because"  # the speaker's new speech stays
    document = view.browser.document()
    assert document.blockCount() == 4  # three lines and the partial, one block each
    assert FIRST not in document.toPlainText().replace(REVISED, "")
    assert view.plain_text().splitlines()[1] == f"[00:03] You: {REVISED}"

    point = mark_point(view)
    assert view.revised_note_at(point) == f"Revised. Heard first as: {FIRST} {SECOND}"
    assert view.revised_note_at(QPoint(2, 2)) == ""


def test_a_revision_is_drawn_once_and_a_same_text_one_drops_the_mark(
        view: TranscriptView) -> None:
    view.add_event(final("candidate", "I led the team.", 1.0, 0))
    view.add_event(final("candidate", "We shipped it.", 3.0, 1))
    redraws: list[int] = []
    view.browser.textChanged.connect(lambda: redraws.append(1))
    view.add_event(revision("candidate", "I led the team.  We shipped it.", 1.0, 4.0, (0, 1)))
    assert len(redraws) == 1, "the turn must change in one redraw, not line by line"
    assert [line.text for line in view.lines] == ["I led the team.  We shipped it."]
    assert not view.lines[0].revised and "revised" not in view.browser.toPlainText()


def test_a_reader_at_the_bottom_stays_at_the_bottom(view: TranscriptView) -> None:
    conversation(view, 12)
    bar = view.browser.verticalScrollBar()
    assert view.following and bar.maximum() > 0 and bar.value() == bar.maximum()
    view.add_event(revision("candidate", "turn 11 begins and ends in one longer sentence "
                            "that wraps onto a second line of the narrow view.",
                            110.0, 113.0, (11, 111)))
    assert bar.value() == bar.maximum() and view.following
    view.add_event(revision("interviewer", "turn 10.", 100.0, 103.0, (10, 110)))
    assert bar.value() == bar.maximum() and view.following


@pytest.mark.parametrize("new_text", ["turn 2 said.", "turn 2 said something far longer, "
                                      "long enough to wrap over several lines of this narrow "
                                      "view, so the turn grows instead of shrinking."])
def test_a_reader_scrolled_up_keeps_the_text_on_screen_still(
        view: TranscriptView, new_text: str) -> None:
    conversation(view, 16)
    bar = view.browser.verticalScrollBar()
    document = view.browser.document()
    layout = document.documentLayout()
    # scroll so that turn 6 is at the top: turn 2 (blocks 4 and 5) is above the screen
    bar.setValue(round(layout.blockBoundingRect(document.findBlockByNumber(12)).top()) + 5)
    assert not view.following and view.jump_button.isVisibleTo(view)
    top_text = view.browser.cursorForPosition(QPoint(20, 20)).block().text()
    below_top = view.browser.cursorRect(view.browser.cursorForPosition(QPoint(20, 20))).top()
    assert "turn 6 begins" in top_text

    view.add_event(revision("interviewer", new_text, 20.0, 23.0, (2, 102)))

    assert [line.text for line in view.lines][4] == new_text and len(view.lines) == 31
    assert view.browser.cursorForPosition(QPoint(20, 20)).block().text() == top_text
    after = view.browser.cursorRect(view.browser.cursorForPosition(QPoint(20, 20))).top()
    assert abs(after - below_top) <= 1, "the text on screen moved"
    assert not view.following and view.jump_button.isVisibleTo(view)


def test_a_reader_scrolled_into_the_revised_turn_keeps_the_line_below_still(
        view: TranscriptView) -> None:
    conversation(view, 16)
    bar = view.browser.verticalScrollBar()
    document = view.browser.document()
    layout = document.documentLayout()
    # the second final of turn 5 (block 11) at the top, turn 6 below it
    bar.setValue(round(layout.blockBoundingRect(document.findBlockByNumber(11)).top()))
    turn_six = layout.blockBoundingRect(document.findBlockByNumber(12)).top() - bar.value()

    view.add_event(revision("candidate", "turn 5 as one line.", 50.0, 53.0, (5, 105)))

    block = document.findBlockByNumber(11)  # turn 6 now (the turn above became one line)
    assert "turn 6 begins" in block.text()
    assert abs(layout.blockBoundingRect(block).top() - bar.value() - turn_six) <= 1
