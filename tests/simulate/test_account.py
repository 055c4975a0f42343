"""simulate's account: signed up on a real backend process on loopback (`--server`), a real PDF
CV uploaded through the app's upload path, a dossier made and waited for; every request in the
door's log with its purpose. Bad input fails with a message naming the file."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from smart_interview.app.commands.simulate_account import account_json, sign_in_with_context
from smart_interview.app.errors import CliError
from smart_interview.app.network import Purpose
from smart_interview.app.network.door import NetworkDoor
from smart_interview.app.resources import shared_data_dir
from tests.sync.server_process import ServerProcess

DATA = shared_data_dir() or Path("shared/data")
CV = DATA / "cv" / "pdf" / "resume-matcher_barry_allen_fe.pdf"
JD = DATA / "jobs" / "resume-matcher" / "job_desc_front_end_engineer.pdf"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "server")
    process.start()
    yield process
    process.stop()


def arguments(**given: object) -> argparse.Namespace:
    values: dict[str, object] = {"cv": CV, "jd": JD, "server": None,
                                 "job_title": "Front End Engineer", "company": "Tech Solutions"}
    values.update(given)
    return argparse.Namespace(**values)


def test_a_new_account_on_a_server_gets_the_cv_and_a_dossier(server: ServerProcess) -> None:
    if not (CV.is_file() and JD.is_file()):
        pytest.skip(f"the sample CV and job description in {DATA}")
    door = NetworkDoor()
    context = sign_in_with_context(arguments(server=server.url), door)
    assert context.server == server.url and context.email.startswith("simulate-")
    assert "Barry Allen" in context.cv_text
    assert context.dossier.status == "ready" and context.dossier.job_title == "Front End Engineer"
    assert "Barry Allen" in context.dossier.cv_snapshot
    entries = door.log.entries()
    assert {e.host for e in entries} == {server.url.removeprefix("http://")}
    assert [e.purpose for e in entries if e.method != "GET"] == [
        Purpose.ACCOUNT, Purpose.ACCOUNT, Purpose.CV, Purpose.DOSSIER]
    assert account_json(context)["job_description"] == context.dossier.job_description


def test_a_missing_cv_names_the_file_and_touches_no_backend(tmp_path: Path) -> None:
    door = NetworkDoor()
    with pytest.raises(CliError, match=r"no CV file at .*missing\.pdf: pass --cv FILE"):
        sign_in_with_context(arguments(cv=tmp_path / "missing.pdf"), door)
    assert door.log.entries() == []


def test_a_file_that_is_not_a_cv_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    broken = tmp_path / "cv.pdf"
    broken.write_bytes(b"%PDF-1.7 this is not really a PDF")
    door = NetworkDoor()
    with pytest.raises(CliError, match=r"cv\.pdf"):
        sign_in_with_context(arguments(cv=broken), door)
    assert door.log.entries() == []
