"""Reads `strace -f -e trace=connect` output: the internet addresses a process tree connected
to (Unix sockets and netlink stay on the device and are left out)."""

from __future__ import annotations

import re
from typing import Any

_CONNECT = re.compile(r"^(?:\d+\s+)?connect\(\d+, (.*)$")
_FAMILY = re.compile(r"sa_family=(AF_INET6?)\b")
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_V4 = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_V6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')


def inet_connections(trace: str) -> list[dict[str, Any]]:
    """One item per connect() to an IPv4/IPv6 address: {"address": "host:port", "family",
    "ip", "port"}, in the order they happened."""
    found = []
    for line in trace.splitlines():
        match = _CONNECT.match(line)
        if match is None:
            continue
        rest = match.group(1)
        family = _FAMILY.search(rest)
        port = _PORT.search(rest)
        address = _V4.search(rest) or _V6.search(rest)
        if family is None or port is None or address is None:
            continue
        ip = address.group(1)
        shown = f"[{ip}]" if ":" in ip else ip
        found.append({"address": f"{shown}:{port.group(1)}", "family": family.group(1),
                      "ip": ip, "port": int(port.group(1))})
    return found
