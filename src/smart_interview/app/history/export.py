"""A saved interview as Markdown (for reading) or JSON (for other tools)."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from smart_interview.app.history.records import Interview


def to_json(interview: Interview) -> str:
    return json.dumps(interview.as_json(), ensure_ascii=False, indent=2) + "\n"


def status_text(*, interrupted: bool, in_progress: bool = False) -> str:
    if in_progress:
        return "in progress (being recorded now)"
    if interrupted:
        return "interrupted (the app stopped before the interview ended)"
    return "complete"


def to_markdown(interview: Interview, *, in_progress: bool = False) -> str:
    title = interview.dossier_title or "Interview"
    lines = [f"# {title} — {format_time(interview.started_at)}", ""]
    status = status_text(interrupted=interview.interrupted, in_progress=in_progress)
    lines += [f"- Duration: {format_duration(interview.duration_s)}",
              f"- Questions: {len(interview.questions)}",
              f"- Status: {status}", "", "## Transcript", ""]
    for segment in interview.segments:
        mark = " _(revised)_" if segment.revised else ""
        lines.append(f"**{segment.speaker.capitalize()}** [{format_clock(segment.start)}]"
                     f"{mark}: {segment.text}")
        lines.append("")
    if interview.questions:
        lines += ["## Questions and answers", ""]
    for number, question in enumerate(interview.questions, 1):
        lines += [f"### {number}. {question.text}", ""]
        lines += [f"- {point}" for point in question.talking_points]
        if question.talking_points:
            lines.append("")
        if question.answer:
            lines += [question.answer, ""]
        if question.error:
            lines += [f"_No answer: {question.error}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M")


def format_duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def format_clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def write_private(path: Path, text: str) -> None:
    """Writes an export readable by this user only (mode 0600, also when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
