"""Keyring store (real file keyring in a temp dir) and the encrypted offline cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.models.account import Cv, CvSummary, Dossier
from smart_interview.sync.cache import LocalCache
from smart_interview.sync.errors import SecretStoreError
from smart_interview.sync.secrets import SecretStore, is_secure_backend
from smart_interview.sync.tokens import TokenPair, TokenStore

CV_TEXT = "Hyacinth Okonkwo-Lind\nData Engineer at Tyrell Corp\nSkills: Spark"


def test_plaintext_keyring_is_refused_unless_a_test_opts_in(keyring_backend) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SecretStoreError) as refused:
        SecretStore(keyring_backend)
    message = str(refused.value)
    assert "No secure password store" in message and "PlaintextKeyring" in message
    assert "GNOME Keyring" in message
    assert refused.value.code == "no_secure_keyring"
    SecretStore(keyring_backend, allow_insecure_backend=True)  # tests only


def test_fail_and_null_backends_are_not_secure() -> None:
    from keyring.backends import fail, null

    assert not is_secure_backend(fail.Keyring())
    assert not is_secure_backend(null.Keyring())
    with pytest.raises(SecretStoreError):
        SecretStore(fail.Keyring())


def test_secret_store_round_trip_on_disk(secret_store: SecretStore, keyring_file: Path) -> None:
    assert secret_store.get("api-key:openai") is None
    secret_store.set("api-key:openai", "sk-test-123")
    assert keyring_file.exists()
    assert secret_store.get("api-key:openai") == "sk-test-123"
    assert secret_store.delete("api-key:openai") is True
    assert secret_store.delete("api-key:openai") is False
    assert secret_store.get("api-key:openai") is None


def test_token_store_round_trip_and_damaged_entry(secret_store: SecretStore) -> None:
    store = TokenStore(secret_store, scope="https://api.example.com/")
    pair = TokenPair(access_token="a", refresh_token="r", access_expires_at=10.0,
                     refresh_expires_at=20.0, email="e@example.com", issued_at=1.0)
    store.save(pair)
    assert TokenStore(secret_store, scope="https://api.example.com").load() == pair
    secret_store.set(store.session_key, "{not json")
    assert store.load() is None and secret_store.get(store.session_key) is None


def _cv() -> Cv:
    return Cv(text=CV_TEXT, file_name="cv.pdf", characters=len(CV_TEXT),
              updated_at="2026-01-01T00:00:00Z", summary=CvSummary(status="ready", text="sum"))


def _dossier(n: int) -> Dossier:
    return Dossier(id=f"id-{n}", job_title="Engineer", company=f"Company {n}", status="ready",
                   created_at=f"2026-01-0{n}T00:00:00Z", updated_at=f"2026-01-0{n}T00:00:00Z",
                   job_description="jd", cv_snapshot=CV_TEXT)


def test_cache_is_encrypted_and_wiped_with_its_key(secret_store: SecretStore,
                                                    tmp_path: Path) -> None:
    tokens = TokenStore(secret_store, scope="s")
    cache = LocalCache(tmp_path / "cache", tokens=tokens)
    cache.claim("a@example.com")
    cache.save_cv(_cv())
    cache.save_dossier(_dossier(1))
    cache.save_dossier(_dossier(2))
    assert cache.load_cv() == _cv()
    assert [d.id for d in cache.list_dossiers()] == ["id-2", "id-1"]
    for path in (tmp_path / "cache").rglob("*.bin"):
        assert b"Hyacinth" not in path.read_bytes() and b"Company" not in path.read_bytes()
    cache.replace_dossier_list([_dossier(2).summary()])
    assert cache.load_dossier("id-1") is None and cache.load_dossier("id-2") == _dossier(2)

    tokens.clear_cache_key()  # key lost: leftovers are unreadable and get removed
    assert cache.load_cv() is None and not (tmp_path / "cache" / "cv.bin").exists()

    cache.save_cv(_cv())
    cache.wipe()
    assert not (tmp_path / "cache").exists() and tokens.load_cache_key() is None


def test_cache_claimed_by_another_account_is_wiped(secret_store: SecretStore,
                                                   tmp_path: Path) -> None:
    cache = LocalCache(tmp_path / "cache", tokens=TokenStore(secret_store, scope="s"))
    cache.claim("a@example.com")
    cache.save_cv(_cv())
    cache.claim("a@example.com")
    assert cache.load_cv() is not None
    cache.claim("b@example.com")
    assert cache.load_cv() is None and cache.owner() == "b@example.com"
