"""PulseAudio / PipeWire (pipewire-pulse) through its command-line clients.

`pactl` answers questions (sinks, the default sink) and streams server events; `parec`
records one source per process, so two captures never share process-wide state (unlike the
ALSA `pulse` device, which reads PULSE_SOURCE when it opens). Both come with pulseaudio-utils
and work the same against PipeWire's pulse server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from smart_interview.audio.errors import BackendUnavailable, DeviceNotFound

_SPEC = re.compile(r"(?P<format>\S+)\s+(?P<channels>\d+)ch\s+(?P<rate>\d+)Hz")


@dataclass(frozen=True)
class PulseSink:
    index: int
    name: str
    description: str
    rate: int
    channels: int
    monitor: str
    state: str = ""  # RUNNING (something plays) | IDLE | SUSPENDED


def parse_sample_spec(spec: str) -> tuple[int, int]:
    """'s16le 2ch 44100Hz' → (44100, 2)."""
    match = _SPEC.search(spec)
    if match is None:
        raise ValueError(f"unrecognised sample specification {spec!r}")
    return int(match["rate"]), int(match["channels"])


def parse_sinks_json(text: str, *, sources: bool = False) -> list[PulseSink]:
    """`pactl -f json list sinks` (or `sources`: then `monitor` is the source itself, the
    name a recording uses)."""
    sinks = []
    for entry in json.loads(text):
        rate, channels = parse_sample_spec(entry["sample_specification"])
        record_from = (entry["name"] if sources
                       else entry.get("monitor_source") or f"{entry['name']}.monitor")
        sinks.append(PulseSink(index=int(entry["index"]), name=entry["name"],
                               description=entry.get("description") or entry["name"],
                               rate=rate, channels=channels, monitor=record_from,
                               state=str(entry.get("state", ""))))
    return sinks


def parse_sinks_short(text: str, *, sources: bool = False) -> list[PulseSink]:
    """`pactl list short sinks` (or `sources`): index, name, driver, sample spec, state (tab
    separated)."""
    sinks = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 4:
            continue
        rate, channels = parse_sample_spec(fields[3])
        record_from = fields[1] if sources else f"{fields[1]}.monitor"
        sinks.append(PulseSink(index=int(fields[0]), name=fields[1], description=fields[1],
                               rate=rate, channels=channels, monitor=record_from,
                               state=fields[4].strip() if len(fields) > 4 else ""))
    return sinks


def match_sink(spec: str, sinks: list[PulseSink]) -> PulseSink:
    """A sink by exact name, monitor name, index, or description (case-insensitive)."""
    for sink in sinks:
        if spec in (sink.name, sink.monitor, str(sink.index)):
            return sink
    wanted = spec.casefold()
    found = [s for s in sinks if wanted in s.description.casefold() or wanted in s.name.casefold()]
    if len(found) == 1:
        return found[0]
    names = ", ".join(s.name for s in sinks) or "none"
    if found:
        raise DeviceNotFound(f"output {spec!r} is ambiguous: {', '.join(s.name for s in found)}")
    raise DeviceNotFound(f"no PulseAudio output named {spec!r}; outputs: {names}")


@dataclass(frozen=True)
class ServerEvent:
    action: str  # new | change | remove
    facility: str  # sink | source | server | client | ...
    index: int


_EVENT = re.compile(r"Event '(?P<action>\w+)' on (?P<facility>[\w-]+) #(?P<index>\d+)")


def parse_event(line: str) -> ServerEvent | None:
    match = _EVENT.search(line)
    if match is None:
        return None
    return ServerEvent(action=match["action"], facility=match["facility"],
                       index=int(match["index"]))


class PulseTools:
    """Runs pactl/parec against one server (`server=None`: the session's default server)."""

    def __init__(self, *, server: str | None = None, pactl: str = "pactl",
                 parec: str = "parec", timeout: float = 5.0) -> None:
        self.server = server
        self.pactl = pactl
        self.parec = parec
        self.timeout = timeout

    def available(self) -> bool:
        return shutil.which(self.pactl) is not None and shutil.which(self.parec) is not None

    def require(self) -> None:
        if not self.available():
            raise BackendUnavailable(
                "system audio capture on Linux needs pactl and parec "
                "(install pulseaudio-utils; works with PulseAudio and PipeWire)")

    def _pactl(self, *args: str) -> str:
        cmd = [self.pactl, *(["-s", self.server] if self.server else []), *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout,
                                  env=_c_locale(), check=False)
        except FileNotFoundError as exc:
            raise BackendUnavailable(f"{self.pactl} is not installed") from exc
        except subprocess.TimeoutExpired as exc:
            raise BackendUnavailable("the sound server does not answer") from exc
        if done.returncode != 0:
            raise BackendUnavailable(
                f"cannot reach the sound server: {done.stderr.strip() or 'pactl failed'}")
        return done.stdout

    def sinks(self) -> list[PulseSink]:
        try:
            return parse_sinks_json(self._pactl("-f", "json", "list", "sinks"))
        except (BackendUnavailable, ValueError, KeyError):  # pactl older than 16: no JSON
            return parse_sinks_short(self._pactl("list", "short", "sinks"))

    def sources(self) -> list[PulseSink]:
        """Inputs (microphones, and the monitors of outputs); `monitor` is the source name."""
        try:
            return parse_sinks_json(self._pactl("-f", "json", "list", "sources"), sources=True)
        except (BackendUnavailable, ValueError, KeyError):
            return parse_sinks_short(self._pactl("list", "short", "sources"), sources=True)

    def reachable(self) -> bool:
        if not self.available():
            return False
        try:
            self._pactl("info")
        except BackendUnavailable:
            return False
        return True

    def sink_state(self, name: str, *, facility: str = "sink") -> str | None:
        """RUNNING while something plays into the sink (or records from the source); None
        when it does not exist."""
        listing = self._pactl("list", "short", f"{facility}s")
        for sink in parse_sinks_short(listing, sources=facility == "source"):
            if sink.name == name:
                return sink.state
        return None

    def default_sink(self) -> str | None:
        try:
            name = self._pactl("get-default-sink").strip()
        except BackendUnavailable:
            name = ""
            for line in self._pactl("info").splitlines():
                if line.startswith("Default Sink:"):
                    name = line.split(":", 1)[1].strip()
        return name or None

    def default_source(self) -> str | None:
        for line in self._pactl("info").splitlines():
            if line.startswith("Default Source:"):
                return line.split(":", 1)[1].strip() or None
        return None

    def record(self, *, source: str, rate: int, channels: int, latency_ms: int,
               stream_name: str) -> subprocess.Popen[bytes]:
        cmd = [self.parec, *([f"--server={self.server}"] if self.server else []),
               f"--device={source}", "--raw", "--format=float32le", f"--rate={rate}",
               f"--channels={channels}", f"--latency-msec={latency_ms}",
               "--client-name=Smart Interview", f"--stream-name={stream_name}"]
        try:
            return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, bufsize=0)
        except FileNotFoundError as exc:
            raise BackendUnavailable(f"{self.parec} is not installed") from exc

    def subscribe(self) -> subprocess.Popen[str]:
        cmd = [self.pactl, *(["-s", self.server] if self.server else []), "subscribe"]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, text=True, bufsize=1, env=_c_locale())


def _c_locale() -> dict[str, str]:
    """The inherited environment with messages in the C locale, so output parses the same
    everywhere."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    return env
