"""The keyring check is an allowlist: only OS vaults pass; everything else is refused by name.

Backends are the real classes from keyring and keyrings.alt. The chainer case runs keyring's
own ChainerBackend against a real Secret Service (gnome-keyring in a private D-Bus session)
with keyrings.alt's plain-text backends installed beside it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smart_interview.sync.errors import SecretStoreError
from smart_interview.sync.secrets import SECURE_BACKENDS, SecretStore, is_secure_backend
from tests.support.services import require


def _bare(cls: type) -> Any:
    """An instance without running __init__ (some need their platform's services to start);
    the check looks only at the class."""
    return object.__new__(cls)


def _refused_backends() -> list[Any]:
    from keyring.backends import fail, null
    from keyrings.alt import Google, file, multi

    class LooksLikeSecretService(__import__("keyring.backends.SecretService",
                                            fromlist=["Keyring"]).Keyring):
        """A subclass is another backend: it could store anywhere."""

    return [
        file.PlaintextKeyring(),
        _bare(file.EncryptedKeyring),
        multi.MultipartKeyringWrapper(file.PlaintextKeyring()),
        _bare(Google.DocsKeyring),
        _bare(Google.KeyczarDocsKeyring),
        fail.Keyring(),
        null.Keyring(),
        _bare(LooksLikeSecretService),
    ]


@pytest.mark.parametrize("backend", _refused_backends(), ids=lambda b: type(b).__qualname__)
def test_backends_outside_the_allowlist_are_refused_by_name(backend: Any) -> None:
    assert not is_secure_backend(backend)
    with pytest.raises(SecretStoreError) as refused:
        SecretStore(backend)
    assert refused.value.code == "no_secure_keyring"
    message = str(refused.value)
    assert type(backend).__qualname__ in message and "No secure password store" in message
    assert "PYTHON_KEYRING_BACKEND" in message


def test_the_os_vaults_are_allowed() -> None:
    from keyring.backends import SecretService, Windows, kwallet, libsecret, macOS

    vaults = [SecretService.Keyring, libsecret.Keyring, kwallet.DBusKeyring,
              kwallet.DBusKeyringKWallet4, macOS.Keyring, Windows.WinVaultKeyring]
    assert {f"{cls.__module__}.{cls.__qualname__}" for cls in vaults} == SECURE_BACKENDS
    for cls in vaults:
        assert is_secure_backend(_bare(cls)), cls
        SecretStore(_bare(cls))


def test_an_all_insecure_chain_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring's own chainer, limited (keyring's documented `_limit` hook) to keyrings.alt's
    backends: there is nothing secure to use in it."""
    from keyring import backend as keyring_backend
    from keyring.backends.chainer import ChainerBackend

    monkeypatch.setattr(keyring_backend, "_limit",
                        lambda candidate: type(candidate).__module__.startswith("keyrings.alt"))
    chain = ChainerBackend()
    assert chain.backends and not any(is_secure_backend(b) for b in chain.backends)
    with pytest.raises(SecretStoreError) as refused:
        SecretStore(chain)
    assert "keyrings.alt" in str(refused.value)


CHAIN_CHECK = r"""
set -eu
eval "$(printf 'test-unlock' | gnome-keyring-daemon --unlock --components=secrets)"
$PYTHON - <<'EOF'
import keyring
from keyring.backends.chainer import ChainerBackend
from smart_interview.sync.secrets import SecretStore

chain = keyring.get_keyring()
assert isinstance(chain, ChainerBackend), chain
print("chain", [f"{type(b).__module__}.{type(b).__name__}" for b in chain.backends])
store = SecretStore(chain)
print("store", store.backend_description)
store.set("probe", "value-1")
print("read", store.get("probe"))
EOF
"""


def test_chainer_uses_its_secure_backend_not_the_plaintext_ones(tmp_path: Path) -> None:
    require(bool(shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
            "dbus-run-session and gnome-keyring-daemon are needed for a real Secret Service")
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON_KEYRING", "DBUS_", "XDG_"))}
    env.update(HOME=str(home), PYTHON=sys.executable, XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"))
    result = subprocess.run(["dbus-run-session", "--", "bash", "-c", CHAIN_CHECK], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keyrings.alt.file.PlaintextKeyring" in result.stdout  # the chain holds it...
    assert "store keyring.backends.SecretService.Keyring" in result.stdout  # ...the store not
    assert "read value-1" in result.stdout
    assert not list((home / "data").rglob("*.cfg"))  # no keyrings.alt file was written
