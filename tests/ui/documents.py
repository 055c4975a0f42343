"""CV and job-description texts the UI tests own, and files made from them at test time."""

from __future__ import annotations

from pathlib import Path

CV_LINES = [
    "Dana Whitfield",
    "Senior Backend Engineer · dana.whitfield@example.org",
    "",
    "Experience",
    "Backend Engineer, Parcelwise (2019–2024)",
    "Designed a rate limiter in Go and Redis that cut API abuse by 80 percent.",
    "Led the migration from a monolith to six Python services on Kubernetes.",
    "Built PostgreSQL reporting pipelines processing 40 million rows a day.",
    "",
    "Skills",
    "Python, Go, PostgreSQL, Redis, Kubernetes, AWS, FastAPI",
]

JOB_DESCRIPTION = (
    "Senior Backend Engineer at Northwind Logistics. You will design Python and Go services, "
    "own our PostgreSQL data model, run workloads on Kubernetes in AWS, and mentor engineers. "
    "Experience with Redis, rate limiting and event-driven systems is a plus. Terraform is "
    "required."
)


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in CV_LINES:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def make_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
