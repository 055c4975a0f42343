"""The backend client's requests go through the network door: the embedded backend on
127.0.0.1, a real local account and CV upload, and the log lists each request."""

from __future__ import annotations

from pathlib import Path

from smart_interview.app.network import Outcome, Purpose, summary
from smart_interview.app.network.door import NetworkDoor
from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings
from smart_interview.app.sync_wiring import open_sync
from tests.history.conftest import file_keyring

CV = "Ilse Marchetti\nData Engineer at Vandelay Industries\nSkills: Airflow, dbt\n"


def test_sync_requests_are_logged_with_their_purpose(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    door = NetworkDoor()
    paths = AppPaths.under(tmp_path / "si").ensure()
    with open_sync(paths, Settings(), keyring_backend=file_keyring(home),
                   allow_insecure_keyring=True, door=door) as sync:
        sync.service.ensure_local_account()
        sync.service.upload_cv(sync.service.preview_cv_text(CV))
        port = sync.client.base_url.rsplit(":", 1)[1].split("/")[0]
    entries = door.log.entries()
    assert entries and all(e.finished for e in entries)
    assert {e.host for e in entries} == {f"127.0.0.1:{port}"}
    assert {e.purpose for e in entries} >= {Purpose.ACCOUNT, Purpose.CV}
    [upload] = [e for e in entries if e.method == "PUT"]
    assert upload.purpose is Purpose.CV and upload.path.endswith("/cv")
    assert upload.bytes_sent > len(CV) and upload.outcome is Outcome.COMPLETE
    assert summary(entries).startswith(
        f"This session: {len(entries)} requests to Smart Interview servers")
