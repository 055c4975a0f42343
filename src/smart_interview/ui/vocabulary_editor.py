""""Listening for: …": the words the transcriber is told to expect, with a field to add a word
or take one out. The terms come from the CV, job description and dossier when an interview
starts; the user's own additions and removals are saved in the settings and apply from the
next interview on. The Interview page and Settings each hold one; a change in either shows in
both (`UiContext.settings_changed`)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from smart_interview.app.vocabulary import merge_terms
from smart_interview.ui.context import UiContext
from smart_interview.ui.theme import button, label

_SHOWN = 40


class VocabularyEditor(QWidget):
    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.session_terms: tuple[str, ...] | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.listening = label("", role="hint", wrap=True)
        column.addWidget(self.listening)
        row = QHBoxLayout()
        self.word = QLineEdit()
        self.word.setPlaceholderText("A word to listen for, or to stop listening for")
        self.word.returnPressed.connect(self.add_word)
        self.add_button = button("Add")
        self.add_button.clicked.connect(self.add_word)
        self.remove_button = button("Remove")
        self.remove_button.clicked.connect(self.remove_word)
        row.addWidget(self.word, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        column.addLayout(row)
        context.settings_changed.connect(self.refresh)
        self.refresh()

    def set_session_terms(self, terms: tuple[str, ...] | None) -> None:
        """What the running interview listens for (None: no interview running)."""
        self.session_terms = terms
        self.refresh()

    def terms(self) -> tuple[str, ...]:
        settings = self.context.settings.transcription
        return merge_terms(self.session_terms or (), added=settings.vocabulary_added,
                           removed=settings.vocabulary_removed)

    def refresh(self) -> None:
        terms = self.terms()
        shown = ", ".join(terms[:_SHOWN]) + (" …" if len(terms) > _SHOWN else "")
        if self.session_terms is None:
            documents = "the terms of your CV, job description and dossier (listed when the " \
                        "interview starts)"
            text = f"{shown}, and {documents}" if shown else documents
        else:
            text = shown or "nothing yet: add the words of your field"
        self.listening.setText(f"Listening for: {text}")
        removed = self.context.settings.transcription.vocabulary_removed
        self.listening.setToolTip("Not listening for: " + ", ".join(removed) if removed else "")

    def add_word(self) -> None:
        self._edit(add=True)

    def remove_word(self) -> None:
        self._edit(add=False)

    def _edit(self, *, add: bool) -> None:
        word = " ".join(self.word.text().split())
        if not word:
            return
        settings = self.context.settings.transcription
        key = word.lower()
        added = [w for w in settings.vocabulary_added if w.lower() != key]
        removed = [w for w in settings.vocabulary_removed if w.lower() != key]
        if add:
            added.append(word)
        else:
            removed.append(word)
        settings.vocabulary_added, settings.vocabulary_removed = added, removed
        self.word.clear()
        self.context.save_settings()  # emits settings_changed: every editor refreshes
