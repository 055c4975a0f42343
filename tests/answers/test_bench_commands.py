"""The benchmark commands print their numbers (the numbers themselves are in the README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.app.cli import main
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD


def test_bench_questions_prints_scores(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "questions"]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "F1" in out and "latency per segment" in out
    assert "questions.tsv (404 utterances" in out


def test_bench_questions_on_a_given_file(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "mine.tsv"
    data.write_text("label\ttext\nq\thave you used go\nn\tcan you hear me\nq\twhy\n")
    assert main(["bench", "questions", "--data", str(data), "--show-errors"]) == 0
    assert "F1 1.000" in capsys.readouterr().out


def test_bench_questions_rejects_a_bad_file(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "bad.tsv"
    data.write_text("label\ttext\nmaybe\thello\n")
    assert main(["bench", "questions", "--data", str(data)]) == 2
    assert "label must be 'q' or 'n'" in capsys.readouterr().err


def test_bench_answers_measures_against_the_local_server(
        tmp_path: Path, app_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cv, jd = tmp_path / "cv.txt", tmp_path / "jd.txt"
    cv.write_text(SAMPLE_CV)
    jd.write_text(SAMPLE_JD)
    assert main(["bench", "answers", "--text", "--cv", str(cv), "--jd", str(jd),
                 "--questions", "3", "--ttft-ms", "100"]) == 0
    out = capsys.readouterr().out
    assert "3 questions, server TTFT 100 ms" in out
    assert "question final → talking points" in out and "minus server TTFT" in out


def test_bench_answers_plays_a_spoken_interview_through_the_pipelines(
        tmp_path: Path, app_home: Path, shared_data: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cv, jd = tmp_path / "cv.txt", tmp_path / "jd.txt"
    cv.write_text(SAMPLE_CV)
    jd.write_text(SAMPLE_JD)
    assert main(["bench", "answers", "--cv", str(cv), "--jd", str(jd), "--questions", "1",
                 "--statements", "2", "--clips", "2", "--ttft", "0.3", "--gap", "1.0",
                 "--data", str(shared_data / "speech")]) == 0
    out = capsys.readouterr().out
    # one espeak-ng question; recorded: the question clip and one statement
    assert "3 interviewer lines (2 questions, 1 statements; 2 recorded clips" in out
    rows = {line[6:17].strip(): line.split("|") for line in out.splitlines()
            if line.startswith(" 0.3  ")}
    assert set(rows) == {"finals only", "spec off", "spec on"}
    for cells in rows.values():
        requests, _discarded, missed, false, _withdrawn = cells[2].split()
        assert float(requests) >= 1.0 and int(missed) <= 1 and int(false) <= 1
    assert "word overlap, pause partial vs its final" in out
