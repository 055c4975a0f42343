"""Local interview history: saved on the device only when switched on, pruned by age."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate
from smart_interview.ui import history


def test_save_and_prune(tmp_path: Path) -> None:
    from smart_interview.ui.answer_panel import AnsweredQuestion
    from smart_interview.ui.transcript_view import Line

    path = history.save_interview(
        tmp_path, transcript=[Line("interviewer", "Why us?", 1.0, True)],
        answers=[AnsweredQuestion(id="q1", text="Why us?", answer="Because.")],
        dossier_title="Engineer at Contoso")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["transcript"][0]["text"] == "Why us?"
    assert record["questions"][0]["answer"] == "Because."
    assert record["dossier"] == "Engineer at Contoso"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    old = time.time() - 10 * 86_400
    os.utime(path, (old, old))
    assert history.prune(tmp_path, retention_days=30) == []
    assert history.prune(tmp_path, retention_days=7) == [path]
    assert not path.exists()


def test_interview_is_kept_only_when_history_is_on(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    interview = window.interview
    folder = history.history_dir(window.context.paths.data_dir)
    interview.transcript.add_event(TranscriptUpdate(
        Segment(Speaker.INTERVIEWER, "Tell me about yourself.", 0.5, 1.5, final=True), 1.6))
    interview._on_finished()
    assert interview.history_job is None and not folder.exists()

    window.context.settings.ui.history_enabled = True
    interview._on_finished()
    job = interview.history_job
    assert job is not None
    qtbot.waitUntil(lambda: folder.is_dir() and any(folder.glob("interview-*.json")))
    saved = next(folder.glob("interview-*.json"))
    assert "Tell me about yourself." in saved.read_text(encoding="utf-8")
