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


def test_lost_finals_counts_utterances_with_partials_and_no_final_or_covering_revision() -> None:
    from smart_interview.app.commands.bench_stream_run import lost_finals

    def event(kind: str, utterance: int, start: float, end: float,
              speaker: str = "interviewer") -> dict[str, object]:
        return {"type": kind, "speaker": speaker, "utterance": utterance, "start": start,
                "end": end}

    events = [event("partial", 1, 0.0, 1.0), event("final", 1, 0.0, 2.0),
              event("partial", 2, 3.0, 4.0),  # no final: lost
              event("partial", 3, 6.0, 7.0), event("revised", 4, 5.5, 9.0),  # covered
              event("partial", 5, 10.0, 11.0, "candidate"),  # lost
              event("revised", 6, 10.0, 12.0)]  # the other speaker's: does not cover it
    assert lost_finals(events) == 2
    assert lost_finals(events[:2]) == 0


def test_a_perturbed_copy_differs_only_by_inaudible_noise() -> None:
    import numpy as np

    from smart_interview.app.commands.bench_stream_run import perturbed

    tracks = {"interviewer": np.zeros(16_000, np.float32),
              "candidate": np.full(16_000, 0.1, np.float32)}
    assert perturbed(tracks, 0) is tracks
    one, two = perturbed(tracks, 1), perturbed(tracks, 2)
    added = one["interviewer"] - tracks["interviewer"]
    level_db = 20 * np.log10(np.sqrt(np.mean(added.astype(np.float64) ** 2)))
    assert -71.0 < level_db < -69.0
    assert not np.array_equal(one["candidate"], two["candidate"])
    assert one["candidate"].dtype == np.float32
