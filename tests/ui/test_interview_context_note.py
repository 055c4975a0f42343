"""The Interview page says where talking points come from: the dossier, the CV, or nothing."""

from __future__ import annotations

from typing import Any

from tests.ui.documents import CV_LINES


def test_without_cv_or_dossier_the_page_asks_for_the_cv(make_window: Any) -> None:
    window = make_window()
    window.interview.reload_settings()
    text = window.interview.dossier_label.text()
    assert "talking points come from your CV" not in text
    assert "No CV and no dossier" in text and "Profile & CV" in text


def test_with_a_cv_and_no_dossier_talking_points_come_from_the_cv(make_window: Any) -> None:
    window = make_window()
    account = window.context.services.account()
    account.upload_cv(account.preview_cv_text("\n".join(CV_LINES)))
    window.interview.reload_settings()
    assert window.interview.dossier_label.text().startswith(
        "No dossier selected: talking points come from your CV")
