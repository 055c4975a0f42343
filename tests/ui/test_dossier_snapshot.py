"""The dossier page shows the CV snapshot a dossier keeps, labelled with the day it was taken,
also after the CV itself was deleted (embedded backend, real widgets offscreen)."""

from __future__ import annotations

from typing import Any

from tests.ui.documents import CV_LINES, JOB_DESCRIPTION

WAIT = 30_000


def test_snapshot_is_shown_after_the_cv_is_deleted(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    window.show()
    account = window.context.services.account()
    cv_text = "\n".join(CV_LINES)
    account.upload_cv(account.preview_cv_text(cv_text))
    made = account.create_dossier(job_title="Staff Engineer", company="Fabrikam",
                                  job_description=JOB_DESCRIPTION)
    account.wait_for_dossier(made.id, timeout=60)
    deletion = account.delete_cv()
    assert [d.id for d in deletion.dossiers_keeping_snapshot] == [made.id]
    assert account.cv(allow_cached=False) is None

    window.show_page("dossiers")
    view = window.dossiers
    qtbot.waitUntil(lambda: view.list_job is None and view.list.count() == 1, timeout=WAIT)
    view.list.setCurrentRow(0)
    detail = view.detail
    qtbot.waitUntil(lambda: detail.dossier is not None and detail.dossier.id == made.id,
                    timeout=WAIT)
    tab = [detail.tabs.tabText(i) for i in range(detail.tabs.count())].index("CV snapshot")
    detail.tabs.setCurrentIndex(tab)
    assert detail.snapshot_view.isVisibleTo(window)
    assert detail.snapshot_view.toPlainText().startswith(CV_LINES[0])
    assert all(line in detail.snapshot_view.toPlainText() for line in CV_LINES if line.strip())
    caption = detail.snapshot_caption.text()
    assert f"as used for this dossier ({made.created_at[:10]})" in caption
    assert "delete or replace your CV" in caption
