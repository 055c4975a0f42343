"""What the egress audit checks in a `simulate --json` report (tests/simulate)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

ALLOWED_SECTIONS = {"Conversation so far (latest last)",
                    "Most relevant from the candidate's CV and dossier", "Candidate summary",
                    "The role", "CV", "Job description", "Cover letter"}
"""The blocks `answers.context.ContextBuilder` may send besides the question itself."""


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z']{3,}", text)}


def body_text(body: str) -> str:
    """The text a request body carries: a JSON body's string values (its keys are the API's
    words, not the user's), any other body as it is."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for child in item.values():
                walk(child)
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(value)
    return "\n".join(found)


def spoken_words_in(bodies: Iterable[str], spoken: set[str]) -> dict[str, set[str]]:
    """Each body (by position) that contains any of `spoken`, with the words found."""
    found = {}
    for index, body in enumerate(bodies):
        hits = words(body_text(body)) & spoken
        if hits:
            found[str(index)] = hits
    return found


def distinctive_spoken_words(report: dict[str, Any], said: Iterable[str]) -> set[str]:
    """Words said in the interview or heard by the transcriber that appear nowhere in the CV,
    the job description or the dossier the account uploaded."""
    account = report["account"]
    known = words(account["cv_text"]) | words(account["job_description"]) | words(
        json.dumps(account))
    heard = [line for lines in report["finals"].values() for line in lines]
    return (words(" ".join(said)) | words(" ".join(heard))) - known


def requests_to(report: dict[str, Any], address: str) -> list[dict[str, Any]]:
    return list(report["observed"]["addresses"].get(address, {}).get("requests", []))


def answer_request_problems(body: str, report: dict[str, Any]) -> list[str]:
    """Why one request to the model server sends more than the question and its context
    (empty when it is fine): the question must be a detected one, every block one the context
    builder may send, every conversation line a line the transcriber produced, every CV line
    from the uploaded CV."""
    problems = []
    messages = json.loads(body)["messages"]
    roles = [m["role"] for m in messages]
    if roles != ["system", "user"]:
        return [f"unexpected messages {roles}"]
    user = messages[1]["content"]
    asked = re.search(r'The interviewer just asked: "(.*)"\nWrite the candidate\'s answer\.$',
                      user)
    detected = set(report.get("detected_texts", [])) | {
        q["detected"] for q in report["questions"] if q["detected"]}
    if asked is None or asked.group(1) not in detected:
        problems.append("does not end by asking a detected question")
    heard = {f"{speaker.title()}: {line}" for kind in ("finals", "revised")
             for speaker, lines in report.get(kind, {}).items() for line in lines}
    cv = report["account"]["cv_text"]
    for block in user.split("\n\n## ")[0:]:
        title, _, text = block.removeprefix("## ").partition("\n")
        if block.startswith("The interviewer just asked"):
            continue
        if title.split(": ", 1)[0] not in ALLOWED_SECTIONS:
            problems.append(f"a block the pipeline never sends: {title!r}")
        elif title.startswith("Conversation"):
            problems += [f"not a transcribed line: {line!r}" for line in text.splitlines()
                         if line.strip() and not _transcribed(line.strip(), heard)]
        elif title == "CV":
            problems += [f"not from the CV: {line!r}" for line in text.splitlines()
                         if line.strip() and line.strip().rstrip("…") not in cv]
    return problems


def conversation_sent(body: str) -> str:
    """The transcript lines one request to the model server carried."""
    user = json.loads(body)["messages"][-1]["content"]
    for block in user.split("\n\n## "):
        title, _, text = block.removeprefix("## ").partition("\n")
        if title.startswith("Conversation so far"):
            return text
    return ""


def _transcribed(line: str, heard: set[str]) -> bool:
    """The line is one the transcriber produced, or a stretch of one (a revised turn's text
    is split where a question it holds was asked)."""
    if line in heard:
        return True
    speaker, _, said = line.partition(": ")
    return bool(said) and any(h.startswith(f"{speaker}: ") and said in h for h in heard)
