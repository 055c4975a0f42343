"""Asks before a cloud provider first receives the interview: to which host, which fields and
how many tokens each question sends, and the example request itself, built by the same code
that builds the real ones from the user's own documents."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from smart_interview.app.answer_sharing import EXAMPLE_QUESTION, SendPreview
from smart_interview.ui.theme import label


class CloudConsentDialog(QDialog):
    def __init__(self, preview: SendPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        where = preview.where
        self.setWindowTitle(f"Send interview questions to {where.label}?")
        self.resize(640, 560)
        column = QVBoxLayout(self)
        column.addWidget(label(f"Each detected question will be sent to {where.label} at "
                               f"{where.host} over https.", role="h2", wrap=True))
        sent = "\n".join(f"•  {what} — about {tokens} tokens"
                         for what, tokens in preview.sent_labels)
        self.host_label = label(f"Host: {where.host}", wrap=True)
        column.addWidget(self.host_label)
        self.fields_label = label(f"What each question sends (about {preview.tokens} tokens "
                                  f"in all):\n{sent}", wrap=True)
        column.addWidget(self.fields_label)
        self.not_sent_label = label(
            "Stays on this device: " + (", ".join(preview.not_sent) or "nothing else") + ".",
            role="muted", wrap=True)
        column.addWidget(self.not_sent_label)
        column.addWidget(label(f"The request for an example question (\"{EXAMPLE_QUESTION}\"), "
                               "exactly as it would be sent:", role="hint", wrap=True))
        self.request_view = QPlainTextEdit()
        self.request_view.setReadOnly(True)
        self.request_view.setPlainText(f"[instructions]\n{preview.system}\n\n[message]\n"
                                       f"{preview.user}")
        column.addWidget(self.request_view, 1)
        column.addWidget(label(f"{where.label}'s own terms decide how long it keeps what it "
                               "receives. You can change what is sent, or choose a model "
                               "server on this device, in Settings → Answers.",
                               role="hint", wrap=True))
        self.buttons = QDialogButtonBox()
        self.allow_button = self.buttons.addButton(
            f"Send to {where.label}", QDialogButtonBox.ButtonRole.AcceptRole)
        self.decline_button = self.buttons.addButton(
            "Don't send", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self.decline_button.setDefault(True)
