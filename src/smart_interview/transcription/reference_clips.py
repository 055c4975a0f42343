"""The referenced speech clips used by the benchmarks (a `references.tsv` index)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReferenceClip:
    path: Path
    duration: float
    transcript: str


_SPEAKER_TAG = re.compile(r"\[[^\]]*\]")


def load_reference_clips(index: Path) -> list[ReferenceClip]:
    """Clips with a usable word reference.

    Speaker-attributed references (``[spk1] words [spk2] words``, AMI ``[t0-t1 s, id] WORDS |``)
    keep their words; references kept in a side file ("see ...") and per-channel references of
    overlapping stereo speakers ("LEFT: ... | RIGHT: ...") are skipped, as are clips without one.
    """
    clips = []
    with open(index, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            text = (row.get("transcript") or "").strip()
            if not text or text.lower().startswith("see ") or text.startswith("LEFT:"):
                continue
            text = _SPEAKER_TAG.sub(" ", text).replace("|", " ")
            text = " ".join(text.split())
            clips.append(
                ReferenceClip(index.parent / row["path"], float(row["duration_s"]), text)
            )
    return clips
