"""The held-out interview of `bench stream --set holdout`: 20 questions and answers written
for it (`tests/transcription/data/holdout_interview.tsv`), spoken at run time by espeak-ng
voices that neither the `voices` condition nor any tuning used."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from smart_interview.app.errors import CliError

HOLDOUT_SET = Path("tests") / "transcription" / "data" / "holdout_interview.tsv"
HOLDOUT_VOICES = ("en-us-nyc", "en-gb-x-gbclan")
"""Interviewer, candidate."""


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str


def load_holdout(path: Path | None = None) -> list[Line]:
    path = path or _default_path()
    if not path.is_file():
        raise CliError(f"held-out interview not found at {path}; run from the repository root")
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [Line(r["speaker"].strip(), r["text"].strip())
                for r in csv.DictReader(handle, delimiter="\t")]
    if any(r.speaker not in ("interviewer", "candidate") or not r.text for r in rows):
        raise CliError(f"{path}: every row needs speaker interviewer|candidate and a text")
    return rows


def _default_path() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / HOLDOUT_SET).is_file():
            return parent / HOLDOUT_SET
    return Path.cwd() / HOLDOUT_SET
