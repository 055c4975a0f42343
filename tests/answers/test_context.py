from __future__ import annotations

from pathlib import Path

from smart_interview.answers.context import ContextBuilder, TranscriptLine, estimate_tokens
from smart_interview.answers.context_sources import DossierContext, InterviewContext, cv_passages
from smart_interview.answers.retrieval import PassageIndex
from smart_interview.answers.talking_points import talking_points
from smart_interview.models.answers import Question
from tests.answers.conftest import SAMPLE_CV, SAMPLE_JD

DOSSIER = DossierContext(
    job_title="Staff Backend Engineer", company="Initech",
    match_summary="Strong match on distributed systems and Kafka; no Rust.",
    matched=(("Kafka", "Led the ledger migration to event-driven services on Kafka"),),
    missing=(("Rust", "No Rust experience listed"),),
    cover_letter="I have spent eight years on payment systems.\nI enjoy mentoring.",
)


def context() -> InterviewContext:
    return InterviewContext(cv_text=SAMPLE_CV, job_description=SAMPLE_JD, dossier=DOSSIER)


def test_cv_lines_keep_their_section_and_the_name_is_not_a_section() -> None:
    passages = cv_passages(SAMPLE_CV)
    by_text = {p.text: p.source for p in passages}
    assert by_text["Python, Go, PostgreSQL, Kafka, Kubernetes, Terraform, AWS"] == "CV: Skills"
    assert by_text["Mentored two junior developers through their first on-call rotations."] \
        == "CV: Experience"
    assert "CV: Jane Doe" not in by_text.values()


def test_dossier_passages_say_where_they_came_from() -> None:
    sources = {p.source for p in context().passages()}
    assert {"Dossier: match", "Dossier: gap", "Dossier: match summary",
            "Dossier: cover letter", "Job description", "CV: Experience"} <= sources


def test_dossier_from_backend_json() -> None:
    dossier = DossierContext.from_public({
        "job_title": "SRE", "company": "Hooli", "cover_letter": None,
        "match": {"score": 70, "summary": "Good", "matched": [{"skill": "Go", "evidence": "x"}],
                  "missing": []}})
    assert dossier.matched == (("Go", "x"),) and dossier.cover_letter == ""
    assert DossierContext.from_public({"match": None}).matched == ()


def test_talking_points_come_from_the_cv_with_sources() -> None:
    index = PassageIndex(context().passages())
    points = talking_points(index, "tell me about a time you had a conflict with a colleague")
    assert 2 <= len(points) <= 4
    assert points[0].source == "CV: Experience" and "disagreement" in points[0].text
    assert all(p.source and p.text for p in points)


def test_talking_points_mention_the_job_at_most_once() -> None:
    points = talking_points(PassageIndex(context().passages()), "have you worked with kafka")
    sources = [p.source for p in points]
    assert sources.count("Job description") <= 1
    assert any("Kafka" in p.text for p in points if p.source.startswith(("CV", "Dossier")))


def test_unrelated_question_still_gets_summary_points() -> None:
    ctx = InterviewContext(cv_text=SAMPLE_CV, cv_summary="Eight years of backend work. Calm.")
    points = talking_points(PassageIndex(ctx.passages()), "what is your favourite colour")
    assert len(points) == 2
    assert {p.source for p in points} == {"CV summary", "CV: Summary"}


def test_no_context_gives_no_points() -> None:
    assert talking_points(PassageIndex([]), "tell me about yourself") == []


def test_context_stays_within_budget_with_relevant_parts_first() -> None:
    big_cv = SAMPLE_CV + "\n".join(f"- Maintained internal tool number {i}" for i in range(400))
    ctx = InterviewContext(cv_text=big_cv, job_description=SAMPLE_JD, dossier=DOSSIER)
    builder = ContextBuilder(context=ctx, index=PassageIndex(ctx.passages()), budget_tokens=900,
                             share="question_transcript_context")
    question = Question("q1", "how did you reduce the latency of the payments api", "wh", 0, 1)
    transcript = [TranscriptLine("interviewer", "let's talk about performance"),
                  TranscriptLine("candidate", "sure, happy to")]
    request = builder.build(question, transcript)
    assert estimate_tokens(request.system) + estimate_tokens(request.user) <= 900
    user = request.user
    assert user.index("Conversation so far") < user.index("Most relevant") < user.index("## CV")
    assert user.index("Reduced p99 latency") < user.index("## CV")
    assert "Candidate: sure, happy to" in user
    assert user.rstrip().endswith("Write the candidate's answer.")
    assert "how did you reduce the latency" in user


def test_answer_styles_change_the_instructions() -> None:
    ctx = context()
    question = Question("q1", "tell me about a conflict", "prompt", 0, 1)
    systems = {style: ContextBuilder(context=ctx, index=PassageIndex(ctx.passages()),
                                     style=style).build(question, []).system
               for style in ("bullets", "spoken", "star")}
    assert "bullet" in systems["bullets"]
    assert "paragraph" in systems["spoken"]
    assert "Situation:" in systems["star"]


def test_real_cvs_give_sectioned_passages_and_points(shared_data: Path) -> None:
    from smart_interview.sync.cv_text import extract_text

    job = next(iter(sorted((shared_data / "jobs").rglob("*.txt"))))
    checked = 0
    for cv in sorted((shared_data / "cv").rglob("*")):
        if cv.suffix not in (".pdf", ".docx"):
            continue
        ctx = InterviewContext(cv_text=extract_text(cv), job_description=job.read_text())
        passages = ctx.passages()
        sections = {p.source for p in passages if p.source.startswith("CV: ")}
        points = talking_points(PassageIndex(passages), "tell me about your experience")
        assert sections, f"{cv.name}: no CV section found"
        assert 2 <= len(points) <= 4, f"{cv.name}: {points}"
        assert all(len(p.text) <= 170 for p in points)
        checked += 1
    assert checked >= 10
