"""`bench stream` plays real clips as a live conversation and prints its numbers (the full
run's numbers are in the README; this is the first two clips and 4 s of noise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.app.cli import main
from smart_interview.app.commands.bench_stream import HEADER


@pytest.mark.slow
def test_bench_stream_prints_a_row_per_model(app_home: Path, shared_data: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "stream", "--data", str(shared_data / "speech"), "--limit", "2",
                 "--noise-seconds", "4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == HEADER
    fields = lines[1].split()
    assert fields[0] == "tiny.en"
    clips, p50, p95, lag = int(fields[1]), float(fields[2]), float(fields[3]), float(fields[4])
    wer_stream, wer_offline = float(fields[5]), float(fields[6])
    assert clips == 2  # both clips produced a final for their last words
    assert 0.4 <= p50 <= p95 < 5.0  # the end needs 0.4 s of silence to be sure
    assert 0.0 < lag < 5.0
    assert wer_stream < 30.0 and wer_offline < 30.0  # the JFK clips, read by tiny.en
    assert fields[-2:] == ["0", "0"]  # no words on silence or noise


def test_bench_stream_without_references_says_where_to_point_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "stream", "--data", str(tmp_path)]) == 2
    assert "references.tsv" in capsys.readouterr().err
