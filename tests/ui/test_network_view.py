"""The Network page lists the app's real requests as they happen, from any thread, and its
summary counts them by destination."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from smart_interview.app.benchmarks.llm_server import LlmServer
from smart_interview.app.network import Purpose


@pytest.fixture
def llm() -> Iterator[LlmServer]:
    with LlmServer() as server:
        yield server


def ask(door: Any, llm: LlmServer) -> None:
    with door.client(purpose=Purpose.ANSWER, timeout=10) as client:
        response = client.post(f"{llm.openai_base_url}/chat/completions",
                               json={"model": "m", "stream": True,
                                     "messages": [{"role": "user", "content": "Why us?"}]})
        assert response.status_code == 200


def test_a_request_from_another_thread_shows_up_as_a_row(
        make_window: Any, qtbot: Any, llm: LlmServer) -> None:
    window = make_window()
    page = window.network
    window.show_page("network")
    page.interview_started()

    worker = threading.Thread(target=ask, args=(window.context.services.door, llm))
    worker.start()
    host = f"127.0.0.1:{llm.port}"

    def answer_rows() -> list[list[str]]:
        # The window's own account job may talk to the local backend meanwhile: those rows
        # are listed too, so the answer request is found by its host.
        rows = (page.row_texts(r) for r in range(page.table.rowCount()))
        return [row for row in rows if row[1] == host]

    qtbot.waitUntil(lambda: [row[7] for row in answer_rows()] == ["200"], timeout=10_000)
    worker.join(10)
    time_, row_host, purpose, method, path, sent, received, status, duration = answer_rows()[0]
    assert (row_host, purpose, method, path, status) == (
        host, "answers", "POST", "/v1/chat/completions", "200")
    assert int(sent.split()[0]) > 100 and int(received.split()[0]) > 100
    assert duration.endswith(" ms") and time_.count(":") == 2
    summary = page.interview_summary.text()
    assert summary.startswith("This interview: ")
    assert summary.endswith(f"requests to Smart Interview servers · 1 to {host} (answers)") \
        or summary.endswith(f"request to Smart Interview servers · 1 to {host} (answers)")


def test_the_summary_counts_backend_requests_apart(
        make_window: Any, qtbot: Any, llm: LlmServer) -> None:
    window = make_window()
    page = window.network
    services = window.context.services
    services.account().status()  # starts the local backend and signs in, through the door
    ask(services.door, llm)
    ask(services.door, llm)
    host = f"127.0.0.1:{llm.port}"

    def shown() -> bool:  # the window's own account jobs may still be talking to the backend
        entries = services.door.log.entries()
        backend = sum(1 for e in entries if e.purpose.backend)
        expected = (f"Since Smart Interview started: {backend} request"
                    f"{'' if backend == 1 else 's'} to Smart Interview servers · 2 to {host} "
                    f"(answers)")
        return backend >= 1 and page.run_summary.text() == expected \
            and page.table.rowCount() == len(entries)

    qtbot.waitUntil(shown, timeout=10_000)
    purposes = {page.row_texts(row)[2] for row in range(page.table.rowCount())}
    assert "answers" in purposes and purposes & {"account", "CV", "dossiers"}
