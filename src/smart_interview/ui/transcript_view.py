"""The live two-speaker transcript.

Partials are dimmed and replaced as they grow; finals are solid. When a speaker's turn has
ended, the transcriber may decode it again in one piece: that revision replaces the turn's
lines in place with one line, marked "revised" (its tooltip holds the earlier text). The view
follows new text while the user is at the bottom and stops following when they scroll up (a
"Jump to latest" button brings them back); while scrolled up, a line that changes above or
around what is on screen does not move the text the user is reading. The current question is
highlighted.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QHelpEvent, QTextCursor, QTextDocument, QTextDocumentFragment
from PySide6.QtWidgets import QTextBrowser, QToolTip, QVBoxLayout, QWidget

from smart_interview.models.transcript import TranscriptUpdate
from smart_interview.ui.theme import CANDIDATE_COLOUR, INTERVIEWER_COLOUR, button

_NAMES = {"interviewer": "Interviewer", "candidate": "You"}
_EMPTY = "<p style='color:#5b647a'>The conversation appears here once you press Start.</p>"
_COLOURS = {"interviewer": INTERVIEWER_COLOUR, "candidate": CANDIDATE_COLOUR}


@dataclass(eq=False)
class Line:
    """One line of the view (compared by identity: two lines may say the same)."""

    speaker: str
    text: str
    start: float
    final: bool
    question: bool = False
    utterance: int = -1
    """The stream's utterance number (a revision: the last one it replaces)."""
    revised: bool = False
    """A finished turn decoded again; `earlier` holds the text of the lines it replaced."""
    earlier: str = ""


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class TranscriptView(QWidget):
    follow_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[Line] = []
        self.partials: dict[str, Line] = {}
        self._shown: list[Line] = []
        """The lines in the document's blocks, one block each, in order."""
        self._html: list[str] = []
        """The HTML each of those blocks was written from (what a render compares against)."""
        self._tooltips: dict[str, str] = {}
        self._follow = True
        self._rendering = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.document().setDocumentMargin(10)
        self.browser.document().setUndoRedoEnabled(False)  # edits below keep no history
        column.addWidget(self.browser, 1)
        self.jump_button = button("↓ Jump to latest", kind="primary")
        self.jump_button.setVisible(False)
        self.jump_button.clicked.connect(self.scroll_to_latest)
        column.addWidget(self.jump_button, 0, Qt.AlignmentFlag.AlignHCenter)
        bar = self.browser.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
        self.browser.viewport().installEventFilter(self)
        self._render()

    # -- content ---------------------------------------------------------------------------

    @property
    def following(self) -> bool:
        return self._follow

    def clear(self) -> None:
        self.lines.clear()
        self.partials.clear()
        self._follow = True
        self.jump_button.setVisible(False)
        self._render()

    def add_event(self, event: TranscriptUpdate) -> None:
        """Partial text replaces that speaker's previous partial; a final replaces it for good;
        a revision replaces the finals it lists."""
        if event.replaces:
            self._revise(event)
            return
        segment = event.segment
        speaker = segment.speaker.value
        text = segment.text.strip()
        if not segment.final:
            if text:
                self.partials[speaker] = Line(speaker, text, segment.start, False)
            else:
                self.partials.pop(speaker, None)
        else:
            self.partials.pop(speaker, None)
            if text:
                self.lines.append(Line(speaker, text, segment.start, True,
                                       utterance=event.utterance))
        self._render()

    def _revise(self, event: TranscriptUpdate) -> None:
        """The revised turn takes the place of the first line it replaces; the others go. A
        turn none of whose lines is shown (all were empty) is inserted in time order."""
        segment = event.segment
        text = segment.text.strip()
        spanned = [line for line in self.lines
                   if line.final and event.revises(line.speaker, line.utterance)]
        if not text:
            return
        earlier = " ".join(line.earlier or line.text for line in spanned)
        revised = Line(segment.speaker.value, text, segment.start, True,
                       question=any(line.question for line in spanned),
                       utterance=event.utterance,
                       revised=bool(spanned) and _normalised(earlier) != _normalised(text),
                       earlier=earlier)
        if not spanned:
            at = next((i for i, line in enumerate(self.lines) if line.start > revised.start),
                      len(self.lines))
            self.lines.insert(at, revised)
            self._render()
            return
        if len(spanned) == 1 and not revised.revised:
            return  # same text, same one line: nothing to redraw
        at = self.lines.index(spanned[0])
        self.lines = [line for line in self.lines if line not in spanned]
        self.lines.insert(at, revised)
        self._render(replaced={id(line): revised for line in spanned})

    def mark_question(self, text: str) -> None:
        """Highlights the interviewer line(s) the question came from (the latest match)."""
        wanted = _words(text)
        for line in self.lines:
            line.question = False
        for line in reversed(self.lines):
            if line.speaker == "interviewer" and _words(line.text) & wanted:
                line.question = True
                if wanted <= _words(line.text) or len(_words(line.text) & wanted) >= \
                        max(1, len(wanted) // 2):
                    break
        self._render()

    def final_texts(self, speaker: str | None = None) -> list[str]:
        return [line.text for line in self.lines if speaker in (None, line.speaker)]

    def plain_text(self) -> str:
        return "\n".join(f"[{_clock(line.start)}] {_NAMES.get(line.speaker, line.speaker)}: "
                         f"{line.text}" for line in self.lines)

    # -- rendering -------------------------------------------------------------------------

    def _render(self, replaced: dict[int, Line] | None = None) -> None:
        """Draws every line again in one go (no paint in between, so nothing flickers). At
        the bottom it stays at the bottom; scrolled up, the first line on screen that is not
        replaced keeps its place on screen (`replaced`: old line id → the line now there)."""
        shown = [*self.lines, *self.partials.values()]
        self._tooltips = {}
        parts = [self._line_html(line, number) for number, line in enumerate(shown)]
        bar = self.browser.verticalScrollBar()
        keep = bar.value()
        anchor = None if self._follow else self._screen_anchor(replaced or {})
        self._rendering = True
        self.browser.setUpdatesEnabled(False)
        try:
            self._write(parts)
            self._shown = shown
            if self._follow:
                bar.setValue(bar.maximum())
            elif anchor is not None and anchor[0] in shown:
                top = self._block_top(shown.index(anchor[0]))
                bar.setValue(min(max(0, round(top - anchor[1])), bar.maximum()))
            else:
                bar.setValue(min(keep, bar.maximum()))
        finally:
            self.browser.setUpdatesEnabled(True)
            self._rendering = False

    def _write(self, parts: list[str]) -> None:
        """Puts one block per line in the document, rewriting only from the first line whose
        HTML changed: a new partial costs the same after an hour as after a minute."""
        same = 0
        for old, new in zip(self._html, parts, strict=False):
            if old != new:
                break
            same += 1
        if same == 0:
            self.browser.setHtml("".join(parts) or _EMPTY)
        elif same < len(self._html) or same < len(parts):
            document = self.browser.document()
            cursor = QTextCursor(document)
            kept = document.findBlockByNumber(same - 1)
            cursor.setPosition(kept.position() + kept.length() - 1)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            if same < len(parts):
                tail = QTextDocument()
                tail.setHtml("".join(parts[same:]))
                first = tail.firstBlock()  # a new block takes the format of the one above
                cursor.insertBlock(first.blockFormat(), first.charFormat())
                cursor.insertFragment(QTextDocumentFragment(tail))
        self._html = parts

    def _screen_anchor(self, replaced: dict[int, Line]) -> tuple[Line, float] | None:
        """The line to hold still and how far below the top of the view its top is: the first
        line on screen that stays as it is, else the line that replaces the first one."""
        top = self.browser.verticalScrollBar().value()
        bottom = top + self.browser.viewport().height()
        fallback: tuple[Line, float] | None = None
        for index, line in enumerate(self._shown):
            rect = self._block_rect(index)
            if rect is None or rect[1] <= top:
                continue
            if rect[0] >= bottom:
                break
            if id(line) not in replaced:
                return line, rect[0] - top
            if fallback is None:
                fallback = replaced[id(line)], max(0.0, rect[0] - top)
        return fallback

    def _block_rect(self, index: int) -> tuple[float, float] | None:
        document = self.browser.document()
        block = document.findBlockByNumber(index)
        if not block.isValid():
            return None
        rect = document.documentLayout().blockBoundingRect(block)
        return rect.top(), rect.bottom()

    def _block_top(self, index: int) -> float:
        rect = self._block_rect(index)
        return rect[0] if rect is not None else 0.0

    def revised_note_at(self, pos: QPoint) -> str:
        """The tooltip of the "revised" mark at `pos` in the viewport ("" elsewhere)."""
        return self._tooltips.get(self.browser.anchorAt(pos), "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.browser.viewport() and event.type() == QEvent.Type.ToolTip \
                and isinstance(event, QHelpEvent):
            note = self.revised_note_at(event.pos())
            if note:
                QToolTip.showText(event.globalPos(), note, self.browser.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().eventFilter(watched, event)

    def _line_html(self, line: Line, number: int = -1) -> str:
        colour = _COLOURS.get(line.speaker, "#e6e9f2")
        name = _NAMES.get(line.speaker, line.speaker.title())
        text_colour = "#e6e9f2" if line.final else "#6f7890"
        style = f"color:{text_colour};"
        if not line.final:
            style += "font-style:italic;"
        block = "margin:0 0 8px 0;"
        if line.question:
            block += "background-color:#2a2410;"
            style = "color:#ffe7a8;font-weight:600;"
        tag = " &nbsp;<span style='color:#ffd479'>● question</span>" if line.question else ""
        if line.revised:
            href = f"revised:{number}"
            self._tooltips[href] = f"Revised. Heard first as: {line.earlier}"
            tag += (f" &nbsp;<a href='{href}' style='color:#5b647a;text-decoration:none;"
                    f"font-size:small'>revised</a>")
        return (
            f"<p style='{block}'><span style='color:#5b647a'>{_clock(line.start)}</span> "
            f"&nbsp;<span style='color:{colour};font-weight:600'>{name}</span>{tag}<br>"
            f"<span style='{style}'>{html.escape(line.text)}</span></p>"
        )

    # -- following -------------------------------------------------------------------------

    def _scrolled(self, value: int) -> None:
        if self._rendering:
            return
        at_bottom = value >= self.browser.verticalScrollBar().maximum() - 4
        if at_bottom != self._follow:
            self._follow = at_bottom
            self.jump_button.setVisible(not at_bottom)
            self.follow_changed.emit(at_bottom)

    def scroll_to_latest(self) -> None:
        self._follow = True
        self.jump_button.setVisible(False)
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())
        self.follow_changed.emit(True)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _words(text: str) -> set[str]:
    return {w.strip(".,?!;:\"'").lower() for w in text.split() if len(w) > 2}
