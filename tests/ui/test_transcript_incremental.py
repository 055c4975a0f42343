"""The transcript rewrites only the lines that changed, and the document it ends with is the
one a full redraw would make, after any sequence of partials, finals, revisions and question
marks (checked block by block against a document written in one go)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextDocument

from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate
from smart_interview.ui.transcript_view import TranscriptView

WORDS = ["we", "moved", "billing", "to", "Kafka", "why", "Rust", "tell", "me", "about", "it"]
step = st.tuples(st.sampled_from(["partial", "final", "empty", "revise", "question"]),
                 st.sampled_from(["interviewer", "candidate"]),
                 st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))


def full_redraw(view: TranscriptView) -> str:
    document = QTextDocument()
    document.setDocumentMargin(view.browser.document().documentMargin())
    document.setDefaultFont(view.browser.document().defaultFont())
    shown = [*view.lines, *view.partials.values()]
    document.setHtml("".join(view._line_html(line, n) for n, line in enumerate(shown))
                     or view.browser.document().toHtml())
    return document.toHtml()


def apply(view: TranscriptView, kind: str, speaker: str, words: list[str], n: int) -> None:
    text = " ".join(words)
    if kind == "question":
        view.mark_question(text)
        return
    utterance = n
    replaces: tuple[int, ...] = ()
    if kind == "revise":
        mine = [line.utterance for line in view.lines if line.speaker == speaker]
        replaces = tuple(mine[-2:]) or (n,)
    final = kind in ("final", "empty", "revise")
    segment = Segment(Speaker(speaker), "" if kind == "empty" else text, float(n), n + 0.5,
                      final=final)
    view.add_event(TranscriptUpdate(segment, emitted_at=n + 0.6, utterance=utterance,
                                    replaces=replaces))


@settings(max_examples=40, deadline=None)
@given(st.lists(step, min_size=1, max_size=25))
def test_incremental_rendering_equals_a_full_redraw(qapp: Any, steps: list[Any]) -> None:
    view = TranscriptView()
    view.resize(500, 300)
    for n, (kind, speaker, words) in enumerate(steps):
        apply(view, kind, speaker, words, n)
        shown = [*view.lines, *view.partials.values()]
        document = view.browser.document()
        assert document.blockCount() == max(1, len(shown))
        if shown:
            assert document.toHtml() == full_redraw(view), (n, kind)
    view.deleteLater()


def test_a_partial_after_hundreds_of_lines_rewrites_only_the_tail(qapp: Any) -> None:
    view = TranscriptView()
    for n in range(300):
        apply(view, "final", "interviewer" if n % 2 else "candidate", ["line", str(n)], n)
    first_block = view.browser.document().firstBlock()
    marker = first_block.userState()
    first_block.setUserState(4242)  # survives only if the block is not rewritten
    apply(view, "partial", "interviewer", ["still", "talking"], 300)
    apply(view, "final", "interviewer", ["still", "talking", "now"], 300)
    assert view.browser.document().firstBlock().userState() == 4242
    assert view.browser.document().blockCount() == 301
    assert view.final_texts()[-1] == "still talking now"
    first_block.setUserState(marker)
    view.deleteLater()
