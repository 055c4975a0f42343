"""`bench stream` plays real clips as a live conversation and prints its numbers (the full
run's numbers are in docs/streaming.md; this is the first two clips and 4 s of noise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.app.cli import main
from smart_interview.app.commands.bench_stream import HEADER


@pytest.mark.slow
def test_bench_stream_prints_a_row_for_the_opus_condition(
        app_home: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "stream", "--data", str(shared_data / "speech"), "--clips", "2",
                 "--condition", "opus", "--noise-seconds", "4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == HEADER
    fields = lines[1].split()
    assert fields[:3] == ["tiny.en", "opus", "2"]  # both clips gave a final for their end
    vad_p50, vad_p95, word_p50, word_p95 = (float(f) for f in fields[3:7])
    assert 0.4 <= vad_p50 <= vad_p95 < 5.0  # the end needs 0.4 s of silence to be sure
    assert 0.0 < word_p50 <= word_p95 < 5.0
    lag, wer_first, wer_revised, wer_offline, wer_fallback = (float(f) for f in fields[7:12])
    assert 0.0 < lag < 5.0
    # the JFK clips through a 16 kbit/s codec, read by tiny.en
    assert max(wer_first, wer_revised, wer_offline, wer_fallback) < 35.0
    assert fields[12] == "-"  # no question set
    assert fields[-2:] == ["0", "0"]  # no words on silence or noise


def test_bench_stream_without_references_says_where_to_point_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "stream", "--data", str(tmp_path)]) == 2
    assert "references.tsv" in capsys.readouterr().err


def test_bench_stream_refuses_an_unknown_condition(
        shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "stream", "--data", str(shared_data / "speech"),
                 "--condition", "underwater"]) == 2
    assert "opus" in capsys.readouterr().err


def test_the_revised_transcript_replaces_exactly_the_finals_a_revision_names() -> None:
    from smart_interview.app.commands.bench_stream_run import _apply_revisions

    def event(kind: str, speaker: str, number: int, text: str, start: float,
              replaces: list[int] | None = None) -> dict[str, object]:
        return {"type": kind, "speaker": speaker, "utterance": number, "text": text,
                "start": start, **({"replaces": replaces} if replaces else {})}

    events = [event("final", "interviewer", 1, "So just heart", 1.0),
              event("final", "interviewer", 2, "tell me.", 2.0),
              event("final", "candidate", 1, "Sure.", 4.0),
              event("revised", "interviewer", 2, "So to start, tell me.", 1.0, [1, 2]),
              event("final", "interviewer", 3, "Next one?", 6.0),
              event("partial", "interviewer", 4, "And", 8.0)]
    assert [e["text"] for e in _apply_revisions(events)] == [
        "So to start, tell me.", "Sure.", "Next one?"]
