"""The live two-speaker transcript.

Partials are dimmed and replaced as they grow; finals are solid. The view follows new text
while the user is at the bottom and stops following when they scroll up (a "Jump to latest"
button brings them back). The current question is highlighted.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from smart_interview.models.transcript import TranscriptUpdate
from smart_interview.ui.theme import CANDIDATE_COLOUR, INTERVIEWER_COLOUR, button

_NAMES = {"interviewer": "Interviewer", "candidate": "You"}
_COLOURS = {"interviewer": INTERVIEWER_COLOUR, "candidate": CANDIDATE_COLOUR}


@dataclass
class Line:
    speaker: str
    text: str
    start: float
    final: bool
    question: bool = False


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class TranscriptView(QWidget):
    follow_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines: list[Line] = []
        self.partials: dict[str, Line] = {}
        self._follow = True
        self._rendering = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.document().setDocumentMargin(10)
        column.addWidget(self.browser, 1)
        self.jump_button = button("↓ Jump to latest", kind="primary")
        self.jump_button.setVisible(False)
        self.jump_button.clicked.connect(self.scroll_to_latest)
        column.addWidget(self.jump_button, 0, Qt.AlignmentFlag.AlignHCenter)
        bar = self.browser.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
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
        """Partial text replaces that speaker's previous partial; a final replaces it for good."""
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
                self.lines.append(Line(speaker, text, segment.start, True))
        self._render()

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

    def _render(self) -> None:
        parts: list[str] = []
        if not self.lines and not self.partials:
            parts.append("<p style='color:#5b647a'>The conversation appears here once you "
                         "press Start.</p>")
        for line in self.lines:
            parts.append(self._line_html(line))
        for line in self.partials.values():
            parts.append(self._line_html(line))
        bar = self.browser.verticalScrollBar()
        keep = bar.value()
        self._rendering = True
        self.browser.setHtml("".join(parts))
        if self._follow:
            bar.setValue(bar.maximum())
        else:
            bar.setValue(min(keep, bar.maximum()))
        self._rendering = False

    def _line_html(self, line: Line) -> str:
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


def _words(text: str) -> set[str]:
    return {w.strip(".,?!;:\"'").lower() for w in text.split() if len(w) > 2}
