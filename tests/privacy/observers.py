"""Watching a process tree from outside: every connect() it makes, every file it leaves.

`Traced` runs a command under `strace -f -qq -e trace=connect,sendto` with a fresh HOME and an
environment cleaned of anything that could switch a library's telemetry off by accident, so what
is seen is what the program itself does. The parsers read strace's own output format.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.services import require

_CLEARED_PREFIXES = ("XDG_", "SMART_INTERVIEW_", "ORT_", "HF_", "OTEL_", "FASTAPI_OTEL",
                     "DO_NOT_TRACK", "PYTHON_KEYRING", "TRANSFORMERS_")

_CALL = re.compile(r"^\d+\s+(connect|sendto)\((\d+), (.*)$")
_FAMILY = re.compile(r"sa_family=(AF_[A-Z0-9]+)")
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_V4 = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_V6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')


@dataclass(frozen=True)
class Connection:
    syscall: str
    family: str
    address: str
    port: int
    line: str

    @property
    def on_device(self) -> bool:
        """AF_UNIX/AF_NETLINK, or loopback on a port that is not DNS (a resolver on 127.0.0.53
        still forwards the question off the machine)."""
        if self.family not in ("AF_INET", "AF_INET6"):
            return True
        if self.port == 53:
            return False
        try:
            return ipaddress.ip_address(self.address.split("%")[0]).is_loopback
        except ValueError:
            return False


def parse_connections(trace: str) -> list[Connection]:
    """Every connect() and addressed sendto() in `strace -f` output (unfinished calls carry
    the address on their first line, which is the one read)."""
    found = []
    for line in trace.splitlines():
        match = _CALL.match(line)
        if match is None:
            continue
        syscall, _, rest = match.groups()
        family = _FAMILY.search(rest)
        if family is None:
            continue
        port = _PORT.search(rest)
        address = _V4.search(rest) or _V6.search(rest)
        found.append(Connection(
            syscall=syscall, family=family.group(1),
            address=address.group(1) if address else "",
            port=int(port.group(1)) if port else 0, line=line))
    return found


def off_device(connections: list[Connection]) -> list[Connection]:
    return [c for c in connections if not c.on_device]


def files_under(root: Path) -> set[Path]:
    """Every file, symlink and folder below `root`, relative to it."""
    return {path.relative_to(root) for path in root.rglob("*")}


def outside(paths: set[Path], allowed: list[Path]) -> list[Path]:
    """The paths that are neither in an allowed folder nor a parent of one (~/.cache is
    fine when it only holds the app's folder)."""
    return sorted(p for p in paths
                  if not any(p.is_relative_to(a) or a.is_relative_to(p) for a in allowed))


# Libraries stay quiet on a build server: onnxruntime sends no telemetry while CI is set, so a
# user's machine (where it is not) is what the observers must see.
_CLEARED_NAMES = frozenset({"CI", "CONTINUOUS_INTEGRATION", "BUILD_ID", "BUILD_NUMBER",
                            "RUN_ID", "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "JENKINS_URL"})


def clean_environment(home: Path) -> dict[str, str]:
    """os.environ without privacy switches, build-server markers, XDG dirs or app overrides,
    with HOME = `home`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(_CLEARED_PREFIXES) and k not in _CLEARED_NAMES}
    env["HOME"] = str(home)
    return env


def require_strace() -> str:
    strace = shutil.which("strace")
    require(strace is not None, "strace is needed to observe connect() calls (Debian: strace)")
    assert strace is not None
    return strace


class Traced:
    """A command running under strace; `trace()` reads what it has done so far."""

    def __init__(self, command: list[str], *, trace_file: Path, env: dict[str, str],
                 cwd: Path) -> None:
        self.trace_file = trace_file
        self.proc = subprocess.Popen(
            [require_strace(), "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect,sendto",
             "-o", str(trace_file), *command],
            env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def trace(self) -> str:
        try:
            return self.trace_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def connections(self) -> list[Connection]:
        return parse_connections(self.trace())

    def finish(self, timeout: float) -> tuple[int, str, str]:
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
