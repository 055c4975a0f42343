"""Offline copies of the CV and the dossiers, so a live interview needs no network.

Layout, below `<data dir>/sync/<scope hash>/` (one folder per backend):

    owner.bin          the account e-mail the cache belongs to
    cv.bin             the CV exactly as the server last returned it
    dossiers.bin       the dossier list (summaries, newest first)
    dossiers/<id>.bin  one full dossier each

Every file is encrypted (Fernet: AES-128-CBC + HMAC-SHA256) with a key kept in the OS keyring,
so no CV text sits in a plain file; wiping the key on sign-out makes any leftover unreadable.
Files are written atomically with mode 0600. A file that no longer decrypts (key gone or
changed) counts as absent and is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from smart_interview.models.account import (
    Cv,
    Dossier,
    DossierSummary,
    cv_from_json,
    cv_to_json,
    dossier_from_json,
    dossier_summary_from_json,
    dossier_to_json,
)
from smart_interview.sync.tokens import TokenStore


def cache_dir_for(data_dir: Path, scope: str) -> Path:
    return data_dir / "sync" / hashlib.sha256(scope.encode()).hexdigest()[:16]


class LocalCache:
    def __init__(self, root: Path, *, tokens: TokenStore) -> None:
        self.root = root
        self._tokens = tokens

    # --- ownership ----------------------------------------------------------------------------

    def owner(self) -> str | None:
        raw = self._read(self.root / "owner.bin")
        return None if raw is None else str(raw.get("email"))

    def claim(self, email: str) -> None:
        """Make the cache belong to `email`, wiping another account's copies first."""
        if self.owner() not in (None, email):
            self.wipe()
        if self.owner() is None:
            self._write(self.root / "owner.bin", {"email": email})

    def wipe(self) -> None:
        """Delete every cached file and the encryption key."""
        shutil.rmtree(self.root, ignore_errors=True)
        self._tokens.clear_cache_key()

    # --- CV -----------------------------------------------------------------------------------

    def save_cv(self, cv: Cv) -> None:
        self._write(self.root / "cv.bin", cv_to_json(cv))

    def load_cv(self) -> Cv | None:
        raw = self._read(self.root / "cv.bin")
        return None if raw is None else cv_from_json(raw)

    def delete_cv(self) -> None:
        (self.root / "cv.bin").unlink(missing_ok=True)

    # --- dossiers -----------------------------------------------------------------------------

    def save_dossier(self, dossier: Dossier) -> None:
        self._write(self._dossier_path(dossier.id), dossier_to_json(dossier))
        summaries = [s for s in self.list_dossiers() if s.id != dossier.id]
        summaries.append(dossier.summary())
        self._save_index(summaries)

    def load_dossier(self, dossier_id: str) -> Dossier | None:
        raw = self._read(self._dossier_path(dossier_id))
        return None if raw is None else dossier_from_json(raw)

    def delete_dossier(self, dossier_id: str) -> None:
        self._dossier_path(dossier_id).unlink(missing_ok=True)
        self._save_index([s for s in self.list_dossiers() if s.id != dossier_id])

    def list_dossiers(self) -> list[DossierSummary]:
        raw = self._read(self.root / "dossiers.bin")
        items = [] if raw is None else [dossier_summary_from_json(i) for i in raw["items"]]
        return sorted(items, key=lambda s: s.created_at, reverse=True)

    def replace_dossier_list(self, summaries: list[DossierSummary]) -> None:
        """Adopt the server's list: forget dossiers deleted elsewhere, keep the rest."""
        keep = {self._dossier_path(s.id).stem for s in summaries}
        folder = self.root / "dossiers"
        if folder.is_dir():
            for path in folder.glob("*.bin"):
                if path.stem not in keep:
                    path.unlink(missing_ok=True)
        self._save_index(summaries)

    def _save_index(self, summaries: list[DossierSummary]) -> None:
        items = [
            {
                "id": s.id,
                "job_title": s.job_title,
                "company": s.company,
                "status": s.status,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
            }
            for s in summaries
        ]
        self._write(self.root / "dossiers.bin", {"items": items})

    def _dossier_path(self, dossier_id: str) -> Path:
        # Ids come from the server; hash them so none can point outside the folder.
        safe = hashlib.sha256(dossier_id.encode()).hexdigest()[:32]
        return self.root / "dossiers" / f"{safe}.bin"

    # --- encrypted files ----------------------------------------------------------------------

    def _fernet(self, *, create: bool) -> Any:
        from cryptography.fernet import Fernet

        key = self._tokens.load_cache_key()
        if key is None:
            if not create:
                return None
            key = Fernet.generate_key().decode()
            self._tokens.save_cache_key(key)
        return Fernet(key.encode())

    def _write(self, path: Path, value: dict[str, Any]) -> None:
        fernet = self._fernet(create=True)
        token = fernet.encrypt(json.dumps(value, ensure_ascii=False).encode())
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(token)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self, path: Path) -> dict[str, Any] | None:
        from cryptography.fernet import InvalidToken

        if not path.exists():
            return None
        fernet = self._fernet(create=False)
        if fernet is None:
            path.unlink(missing_ok=True)
            return None
        try:
            data = json.loads(fernet.decrypt(path.read_bytes()))
        except (InvalidToken, ValueError, OSError):
            path.unlink(missing_ok=True)
            return None
        return data if isinstance(data, dict) else None
