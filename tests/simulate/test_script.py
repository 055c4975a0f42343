"""The simulate script format, the strace reader and the report, without audio."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.app.commands.simulate import measure, render_report
from smart_interview.app.commands.simulate_observer import inet_connections
from smart_interview.app.commands.simulate_script import parse_script, render
from smart_interview.app.errors import CliError
from smart_interview.models.answers import AnswerDelta, QuestionDetected, TalkingPointsReady
from smart_interview.models.transcript import Segment, Speaker, TranscriptUpdate

SCRIPT = Path(__file__).with_name("interview.tsv")


def test_the_example_script_parses() -> None:
    lines = parse_script(SCRIPT.read_text(encoding="utf-8"))
    assert [line.speaker for line in lines] == ["interviewer", "candidate"] * 2 + ["interviewer"]
    assert [line.question for line in lines] == [False, False, True, False, True]
    assert lines[2].pause_s == 3.0 and lines[2].number == 4


@pytest.mark.parametrize(("text", "message"), [
    ("boss\tHello?", "'interviewer' or 'candidate'"),
    ("interviewer", "expected 'speaker<TAB>text"),
    ("candidate\tHi\tsoon", "is not a number"),
    ("candidate\t \t1", "nothing to say"),
    ("# only a comment\n\n", "has no lines"),
])
def test_bad_scripts_say_which_line_and_why(text: str, message: str) -> None:
    with pytest.raises(CliError, match=message):
        parse_script(text, source="s.tsv")


def test_strace_lines_become_addresses() -> None:
    trace = "\n".join([
        '812 connect(5, {sa_family=AF_UNIX, sun_path="/run/pulse/native"}, 110) = 0',
        '813 connect(7, {sa_family=AF_INET, sin_port=htons(41234), '
        'sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '814 connect(9, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
        'inet_pton(AF_INET6, "2606:4700::1", &sin6_addr), sin6_scope_id=0}, 28) '
        '= -1 EINPROGRESS',
    ])
    assert [c["address"] for c in inet_connections(trace)] == [
        "127.0.0.1:41234", "[2606:4700::1]:443"]


def test_latencies_are_measured_from_the_end_of_each_question(tmp_path: Path) -> None:
    lines = parse_script("interviewer\tWhy here?\t1\ncandidate\tBecause.\t1\n"
                         "interviewer\tAnd then?\t1\n")
    tracks = render(lines, tmp_path)
    first, _, second = tracks.lines
    played = 10.0
    events = [
        TranscriptUpdate(Segment(Speaker.INTERVIEWER, "Why here?", 0.5, 1.0, final=True), 11),
        QuestionDetected(emitted_at=played + first.end_s + 0.2, id="q1", text="Why here?",
                         kind="x"),
        TalkingPointsReady(emitted_at=played + first.end_s + 0.3, question_id="q1"),
        AnswerDelta(emitted_at=played + first.end_s + 0.9, question_id="q1", text="Be"),
        AnswerDelta(emitted_at=played + first.end_s + 1.5, question_id="q1", text="cause"),
    ]
    report = measure(tracks, events, played_at=played, network=[
        {"host": "127.0.0.1:9", "purpose": "answer", "method": "POST", "path": "/v1",
         "bytes_sent": 1200, "bytes_received": 300, "status": 200}])
    assert report["questions_expected"] == 2 and report["questions_detected"] == 1
    assert report["questions"][0]["talking_points_s"] == pytest.approx(0.3, abs=1e-3)
    assert report["questions"][0]["first_token_s"] == pytest.approx(0.9, abs=1e-3)
    assert report["questions"][1]["detected"] is None
    assert second.start_s > first.end_s
    report["observed"] = {"connections": [], "addresses": {"127.0.0.1:9": {
        "connects": 2, "bytes_sent": 1200, "unparsed": [],
        "requests": [{"method": "POST", "path": "/v1", "headers": {}, "body": "{}"}]}}}
    text = render_report(report)
    assert "Questions: 2 expected, 1 detected (1 matched to the script)" in text
    assert "End of question → talking points: p50 0.30 s, p95 0.30 s (1 questions)" in text
    assert "127.0.0.1:9  2 connect(), 1 requests, 1200 B sent" in text
    assert " 1 × POST /v1  (answer; bodies 2 B)" in text
    assert "The app's network log lists the same requests." in text
    assert "WER: interviewer 50.0 %, candidate 100.0 %" in text
