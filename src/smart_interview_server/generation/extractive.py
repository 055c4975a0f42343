"""The non-AI methods, used when no provider key is configured. Documented in docs/server.md.

- CV summary, method ``extractive``: the CV's first lines (name and headline), the section
  headings found, and the known skills the CV mentions. Only text copied from the CV, no wording
  of its own beyond the labels.
- Candidate Match, method ``keyword-match``: the known skills the job description mentions;
  each is *matched* when the CV mentions it too (evidence: that CV line) or *missing*
  (evidence: the job-description line asking for it). Score = matched / asked, in percent.
- Cover letter: a fill-in template built from the matched skills and their CV lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUMMARY_METHOD = "extractive"
MATCH_METHOD = "keyword-match"

SKILLS: tuple[str, ...] = (
    # languages
    "Python",
    "Java",
    "JavaScript",
    "TypeScript",
    "C",
    "C++",
    "C#",
    "Go",
    "Golang",
    "Rust",
    "Ruby",
    "PHP",
    "Kotlin",
    "Swift",
    "Objective-C",
    "Scala",
    "R",
    "MATLAB",
    "SQL",
    "Bash",
    "Perl",
    "Haskell",
    "Elixir",
    "Dart",
    "Lua",
    "Julia",
    "HTML",
    "CSS",
    "Sass",
    ".NET",
    # web and frameworks
    "React",
    "Angular",
    "Vue",
    "Next.js",
    "Node.js",
    "Express",
    "Django",
    "Flask",
    "FastAPI",
    "Spring",
    "Spring Boot",
    "Rails",
    "Laravel",
    "jQuery",
    "Redux",
    "GraphQL",
    "REST",
    "gRPC",
    "WebSockets",
    "Tailwind",
    "Bootstrap",
    "Qt",
    "PySide6",
    # data and ML
    "PostgreSQL",
    "MySQL",
    "SQLite",
    "Oracle",
    "MongoDB",
    "Redis",
    "Cassandra",
    "Elasticsearch",
    "Kafka",
    "RabbitMQ",
    "Spark",
    "Hadoop",
    "Airflow",
    "dbt",
    "Snowflake",
    "BigQuery",
    "Pandas",
    "NumPy",
    "scikit-learn",
    "TensorFlow",
    "PyTorch",
    "Keras",
    "NLP",
    "Machine Learning",
    "Deep Learning",
    "Computer Vision",
    "LLM",
    "Data Analysis",
    "Statistics",
    "Tableau",
    "Power BI",
    "Excel",
    # infrastructure
    "AWS",
    "Azure",
    "GCP",
    "Google Cloud",
    "Docker",
    "Kubernetes",
    "Terraform",
    "Ansible",
    "Linux",
    "Git",
    "GitHub",
    "GitLab",
    "CI/CD",
    "Jenkins",
    "Microservices",
    "Serverless",
    "Nginx",
    "Prometheus",
    "Grafana",
    # practice and people
    "Agile",
    "Scrum",
    "Kanban",
    "Jira",
    "TDD",
    "Unit Testing",
    "Code Review",
    "DevOps",
    "Security",
    "Accessibility",
    "UX",
    "UI",
    "Figma",
    "Product Management",
    "Roadmap",
    "Stakeholder Management",
    "Project Management",
    "Leadership",
    "Mentoring",
    "Communication",
    "Teamwork",
    "Problem Solving",
    "Customer Service",
    "Sales",
    "Negotiation",
    "Marketing",
    "SEO",
    "Accounting",
    "Budgeting",
    "Forecasting",
    "Financial Analysis",
    "Auditing",
    "Payroll",
    "Nursing",
    "Patient Care",
    "CAD",
    "AutoCAD",
    "SolidWorks",
    "Mechanical Engineering",
    "Electrical Engineering",
)

SECTION_HEADINGS: tuple[str, ...] = (
    "summary",
    "profile",
    "about me",
    "objective",
    "experience",
    "work experience",
    "professional experience",
    "employment",
    "employment history",
    "education",
    "skills",
    "technical skills",
    "core skills",
    "projects",
    "certifications",
    "certificates",
    "publications",
    "awards",
    "languages",
    "interests",
    "volunteering",
    "references",
    "achievements",
    "training",
    "courses",
)


_TOKEN = re.compile(r"\.?[A-Za-z0-9][A-Za-z0-9+#]*(?:[./\-][A-Za-z0-9+#]+)*")


def _normalise(words: str) -> str:
    return words.lower().replace("-", " ")


# Short names are too ambiguous in lower case ("go", "r", "c"): they must match exactly.
_EXACT: dict[str, str] = {skill: skill for skill in SKILLS if len(skill) <= 2}
_BY_NAME: dict[str, str] = {_normalise(skill): skill for skill in SKILLS if skill not in _EXACT}
# Multi-word skills by their first word, e.g. "spring" -> [("spring boot", 2)].
_PHRASES: dict[str, list[tuple[str, int]]] = {}
for _name in _BY_NAME:
    _words = _name.split()
    if len(_words) > 1:
        _PHRASES.setdefault(_words[0], []).append((_name, len(_words)))


def _lines(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", line).strip(" •*-–·\t") for line in text.splitlines()]


def _line_at(text: str, position: int, *, limit: int = 240) -> str:
    """The (whitespace-tidied) line around ``position``, cut to about ``limit`` characters."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    end = len(text) if end < 0 else end
    if end - start > limit:  # a very long line: keep the part around the mention
        start = max(start, position - limit // 2)
        end = min(end, start + limit)
    return _lines(text[start:end])[0] if end > start else ""


def find_skills(text: str, *, with_lines: bool = True) -> list[tuple[str, str]]:
    """Known skills in ``text`` with the line of their first mention, in order of mention.

    One pass over the words, each looked up in the skill list (phrases only when their first
    word matches), so the cost grows with the text, not with the number of skills.
    """
    found: dict[str, int] = {}
    words: list[str] = []
    positions: list[int] = []
    for match in _TOKEN.finditer(text):
        words.append(match.group())
        positions.append(match.start())
    lowered = [_normalise(word) for word in words]
    for index, word in enumerate(lowered):
        skill = _EXACT.get(words[index]) or _BY_NAME.get(word)
        if skill is not None and skill not in found:
            found[skill] = positions[index]
        for phrase, size in _PHRASES.get(word.split(" ", 1)[0], ()):
            if " ".join(lowered[index : index + size]) == phrase:
                skill = _BY_NAME[phrase]
                if skill not in found:
                    found[skill] = positions[index]
    ordered = sorted(found.items(), key=lambda item: item[1])
    if not with_lines:
        return [(skill, "") for skill, _position in ordered]
    return [(skill, _line_at(text, position)) for skill, position in ordered]


def _clip(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summarise_cv(cv_text: str) -> str:
    lines = [line for line in _lines(cv_text) if line]
    headline = [_clip(line, 160) for line in lines[:2]]
    sections = []
    for line in lines:
        name = line.rstrip(":").strip().lower()
        if name in SECTION_HEADINGS and line.rstrip(":").strip().title() not in sections:
            sections.append(line.rstrip(":").strip().title())
    skills = [skill for skill, _line in find_skills(cv_text, with_lines=False)]
    parts = [
        "Headline: " + (" — ".join(headline) if headline else "(none found)"),
        "Sections: " + (", ".join(sections) if sections else "(none recognised)"),
        "Skills: " + (", ".join(skills[:40]) if skills else "(none recognised)"),
        f"Length: {len(cv_text.split())} words",
    ]
    return "\n".join(parts)


@dataclass(frozen=True)
class KeywordMatch:
    score: int
    matched: list[dict[str, str]]
    missing: list[dict[str, str]]
    summary: str


def match_keywords(*, cv_text: str, job_description: str) -> KeywordMatch:
    asked = find_skills(job_description)
    in_cv = dict(find_skills(cv_text))
    matched = [
        {"skill": skill, "evidence": _clip(in_cv[skill])}
        for skill, _line in asked
        if skill in in_cv
    ]
    missing = [
        {"skill": skill, "evidence": "Job description: " + _clip(line)}
        for skill, line in asked
        if skill not in in_cv
    ]
    score = round(100 * len(matched) / len(asked)) if asked else 0
    if asked:
        summary = (
            f"Keyword match (non-AI): the CV mentions {len(matched)} of the {len(asked)} "
            f"known skills the job description asks for ({score}%)."
        )
    else:
        summary = (
            "Keyword match (non-AI): no known skills were recognised in the job description, "
            "so no score could be computed."
        )
    return KeywordMatch(score=score, matched=matched, missing=missing, summary=summary)


def cover_letter_template(*, job_title: str, company: str, match: KeywordMatch) -> str:
    strengths = match.matched[:4]
    lines = [
        f"Dear {company} hiring team,",
        "",
        f"I am applying for the {job_title} position at {company}.",
    ]
    if strengths:
        lines.append("The role asks for skills my CV shows:")
        lines.extend(f"- {item['skill']}: {item['evidence']}" for item in strengths)
    else:
        lines.append("[Describe the experience that fits this role best.]")
    if match.missing:
        gaps = ", ".join(item["skill"] for item in match.missing[:3])
        lines.append(f"[Say how you would grow into: {gaps}.]")
    lines += ["", f"[Why {company}, in your own words.]", "", "Kind regards,", "[Your name]"]
    return "\n".join(lines)
