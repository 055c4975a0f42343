"""Reads the trace `strace -f -qq -yy -xx -e trace=connect,sendto,sendmsg,write,writev` wrote
of the app's process tree: every internet address it connected to, the bytes it sent on each of
its connections, and the HTTP requests those bytes make (parsed with h11).

Only sockets the process tree connected itself count: a server running inside the app (the
embedded local backend) writes its responses on sockets it accepted, whose far end is a port
nobody connected to, so they are left out. Unix sockets and netlink stay on the device and are
left out too. UDP datagrams sent with an address (DNS without connect()) count as sent there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

TRACE_CALLS = "connect,sendto,sendmsg,write,writev"
"""The system calls the observer asks strace for."""

_CALL = re.compile(r"^(?:(\d+)\s+)?(connect|sendto|sendmsg|write|writev)\((\d+)"
                   r"(?:<((?:[^>]|(?<=-)>)*)>)?, (.*)$")
"""pid, call, fd, what the fd is (with -yy: "TCP:[local->remote]"), the other arguments."""
_RESUMED = re.compile(r"^(?:(\d+)\s+)?<\.\.\. (\w+) resumed>.*\)\s+=\s+(-?\d+)")
_RESULT = re.compile(r"\)\s+=\s+(-?\d+)(?: [A-Z]\w*)?(?: \(.*\))?$")
"""strace pads short lines before " = result" to a column."""
_FAMILY = re.compile(r"sa_family=(AF_INET6?)\b")
_PORT = re.compile(r"sin6?_port=htons\((\d+)\)")
_V4 = re.compile(r'sin_addr=inet_addr\("([^"]+)"\)')
_V6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SOCKET = re.compile(r"^(TCP|UDP|TCPv6|UDPv6):\[(.+)->(.+)\]$")


def unescape(text: str) -> bytes:
    """The bytes of a string strace printed with -xx (every byte as \\xNN; plain escapes
    like \\n kept for robustness)."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def _address(rest: str) -> dict[str, Any] | None:
    family, port = _FAMILY.search(rest), _PORT.search(rest)
    found = _V4.search(rest) or _V6.search(rest)
    if family is None or port is None or found is None:
        return None
    ip = unescape(found.group(1)).decode("ascii", errors="replace")
    shown = f"[{ip}]" if ":" in ip else ip
    return {"address": f"{shown}:{port.group(1)}", "family": family.group(1), "ip": ip,
            "port": int(port.group(1))}


def inet_connections(trace: str) -> list[dict[str, Any]]:
    """One item per connect() to an IPv4/IPv6 address: {"address": "host:port", "family",
    "ip", "port"}, in the order they happened."""
    found = []
    for line in trace.splitlines():
        match = _CALL.match(line)
        if match is None or match.group(2) != "connect":
            continue
        address = _address(match.group(5))
        if address is not None:
            found.append(address)
    return found


def _payload(call: str, rest: str) -> bytes:
    if call in ("write", "sendto"):
        first = _STRING.search(rest)
        return unescape(first.group(1)) if first else b""
    # writev / sendmsg: the iov_base strings in order
    return b"".join(unescape(m.group(1)) for m in
                    re.finditer(r'iov_base="((?:[^"\\]|\\.)*)"', rest))


def sent_streams(trace: str) -> dict[tuple[str, str], bytearray]:
    """Bytes sent per (socket description, destination address), in order: for a connected
    socket the description is "TCP:[local->remote]"; a datagram sent to an address is keyed by
    that address."""
    streams: dict[tuple[str, str], bytearray] = defaultdict(bytearray)
    pending: dict[str, tuple[tuple[str, str], bytes]] = {}
    for line in trace.splitlines():
        resumed = _RESUMED.match(line)
        if resumed is not None:
            key_data = pending.pop(resumed.group(1) or "", None)
            if key_data is not None and int(resumed.group(3)) > 0:
                key, data = key_data
                streams[key] += data[: int(resumed.group(3))]
            continue
        match = _CALL.match(line)
        if match is None or match.group(2) == "connect" or match.group(4) is None:
            continue
        pid, call, _fd, fd_label, rest = match.groups()
        socket = _SOCKET.match(fd_label)
        if fd_label.startswith(("UDP", "TCP")) and socket is None and call in ("sendto",
                                                                               "sendmsg"):
            target = _address(rest)  # an unconnected datagram socket: the address is here
            if target is None:
                continue
            key = (fd_label, target["address"])
        elif socket is not None:
            key = (fd_label, socket.group(3))
        else:
            continue
        data = _payload(call, rest)
        if line.endswith("<unfinished ...>"):
            pending[pid or ""] = (key, data)
            continue
        result = _RESULT.search(line)
        if result is not None and int(result.group(1)) > 0:
            streams[key] += data[: int(result.group(1))]
    return streams


def http_requests(data: bytes) -> tuple[list[dict[str, Any]], str]:
    """The HTTP/1.1 requests in the bytes a client sent on one connection, and "" or why the
    rest could not be read as HTTP."""
    import h11

    connection = h11.Connection(our_role=h11.SERVER)
    connection.receive_data(bytes(data))
    connection.receive_data(b"")
    requests: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError as exc:
            return requests, f"not HTTP/1.1: {exc}"
        if isinstance(event, h11.Request):
            current = {"method": event.method.decode("ascii"),
                       "target": event.target.decode("ascii", errors="replace"),
                       "headers": {k.decode("latin-1"): v.decode("latin-1")
                                   for k, v in event.headers},
                       "body": b""}
        elif isinstance(event, h11.Data) and current is not None:
            current["body"] += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage) and current is not None:
            requests.append(current)
            current = None
            # Play the server's part so the next request on a kept-alive connection is read.
            connection.send(h11.Response(status_code=204, headers=[]))
            connection.send(h11.EndOfMessage())
            try:
                connection.start_next_cycle()
            except h11.LocalProtocolError:
                return requests, ""
        elif event is h11.NEED_DATA or event is h11.PAUSED or isinstance(
                event, h11.ConnectionClosed):
            if current is not None:
                requests.append(current)  # cut short (the app was stopped mid-request)
            return requests, ""


def observe(trace: str) -> dict[str, Any]:
    """What the trace shows: {"connections": [...], "addresses": {address: {"connects",
    "bytes_sent", "requests": [{"method", "path", "headers", "body"}], "unparsed"}}}, where
    each body is text (UTF-8, undecodable bytes replaced)."""
    connections = inet_connections(trace)
    connected = {c["address"] for c in connections}
    addresses: dict[str, dict[str, Any]] = {}

    def slot(address: str) -> dict[str, Any]:
        return addresses.setdefault(address, {"connects": 0, "bytes_sent": 0, "requests": [],
                                              "unparsed": []})

    for connection in connections:
        slot(connection["address"])["connects"] += 1
    for (label, address), data in sent_streams(trace).items():
        if label.startswith("TCP") and address not in connected:
            continue  # a socket a server in the process accepted: its responses
        entry = slot(address)
        entry["bytes_sent"] += len(data)
        if not label.startswith("TCP"):
            entry["unparsed"].append(f"{len(data)} bytes of datagrams")
            continue
        requests, problem = http_requests(bytes(data))
        for request in requests:
            target = request.pop("target")
            request["path"] = target.split("?", 1)[0]
            request["body"] = request["body"].decode("utf-8", errors="replace")
        entry["requests"].extend(requests)
        if problem:
            entry["unparsed"].append(problem)
    return {"connections": connections, "addresses": addresses}
