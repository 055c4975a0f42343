"""`bench talking-points`: its table on a set written here, and the project's labelled set."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.app.cli import main
from smart_interview.app.commands.bench_talking_points import DEFAULT_SET, load_rows, rank_of
from smart_interview.app.resources import shared_data_dir
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_the_three_rankings_and_the_misses(
        tmp_path: Path, app_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cv.txt").write_text(SAMPLE_CV)
    (tmp_path / "jd.txt").write_text(SAMPLE_JD)
    data = tmp_path / "set.tsv"
    data.write_text("cv\tjd\tquestion\tneeded\n"
                    "cv.txt\tjd.txt\thow did you make the payments service faster\tp99 latency\n"
                    "cv.txt\tjd.txt\tdo you enjoy sailing\tUniversity of Leeds\n")
    assert main(["bench", "talking-points", "--data", str(data), "--shared-data",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 questions over 1 CVs" in out
    for name in ("BM25", "embeddings", "hybrid"):
        assert any(line.startswith(name) for line in out.splitlines())
    assert "cv.txt: " in out and "passages" in out and "tokens" in out
    assert "'do you enjoy sailing' needs 'university of leeds'" in out


def test_bench_refuses_a_label_that_matches_no_passage(
        tmp_path: Path, app_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cv.txt").write_text(SAMPLE_CV)
    (tmp_path / "jd.txt").write_text(SAMPLE_JD)
    data = tmp_path / "set.tsv"
    data.write_text("cv\tjd\tquestion\tneeded\ncv.txt\tjd.txt\twhat about rust\tRust compiler\n")
    assert main(["bench", "talking-points", "--data", str(data), "--shared-data",
                 str(tmp_path)]) == 2
    assert "matches no passage" in capsys.readouterr().err


def test_bench_says_when_the_shared_data_is_absent(
        tmp_path: Path, app_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "talking-points", "--shared-data", str(tmp_path / "none")]) == 2
    assert "skipped" in capsys.readouterr().err


@pytest.mark.skipif(shared_data_dir() is None, reason="../shared/data (the real CVs) is absent")
def test_the_labelled_set_covers_four_cvs_and_every_label_names_a_passage() -> None:
    from smart_interview.answers.context_sources import InterviewContext
    from smart_interview.app.answer_wiring import read_document

    shared = shared_data_dir()
    assert shared is not None
    rows = load_rows(ROOT / DEFAULT_SET)
    assert len(rows) >= 80 and len({row.cv for row in rows}) >= 4
    texts: dict[tuple[str, str], list] = {}
    for row in rows:
        if (row.cv, row.jd) not in texts:
            texts[row.cv, row.jd] = InterviewContext(
                cv_text=read_document(shared / row.cv),
                job_description=read_document(shared / row.jd)).passages()
        assert rank_of(texts[row.cv, row.jd], row.needed) is not None, row.question
