"""`smart-interview bench capture`: both live sources at once for a while; prints what each
delivered, their clock drift, gaps, events and the CPU the capture costs.

With `--play FILE` on Linux the file is played (looping) into the captured output and, when
the default input is the monitor of an output (as on a test machine with null sinks), into
that output too, so both sources carry real audio while they are measured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from smart_interview.app.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("capture", help="CPU, drift and gaps of mic + system audio")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to measure")
    parser.add_argument("--mic", help="input device name or index (default: the OS default)")
    parser.add_argument("--loopback", help="output to capture (default: the default output)")
    parser.add_argument("--play", type=Path, help="Linux: play this file into the outputs")
    parser.set_defaults(handler=run)


class _Tally:
    def __init__(self) -> None:
        self.samples = 0
        self.chunks = 0
        self.max_gap = 0.0
        self.loudest = 0.0
        self.last_end: float | None = None
        self.events: list[str] = []
        self.lock = threading.Lock()

    def on_chunk(self, chunk: Any) -> None:
        with self.lock:
            if self.last_end is not None:
                self.max_gap = max(self.max_gap, abs(chunk.start - self.last_end))
            self.last_end = chunk.end
            self.samples += chunk.samples.size
            self.chunks += 1
            self.loudest = max(self.loudest, float((chunk.samples ** 2).mean() ** 0.5))

    def on_event(self, event: Any) -> None:
        with self.lock:
            self.events.append(f"{event.kind}: {event.message}")


def run(args: argparse.Namespace) -> int:
    import psutil

    from smart_interview.audio.errors import AudioError
    from smart_interview.audio.loopback import open_loopback
    from smart_interview.audio.microphone import open_microphone

    tallies = {"mic": _Tally(), "loopback": _Tally()}
    # the call is already playing when capture starts, as in a real interview
    players = _start_players(args.play, args.loopback) if args.play else []
    time.sleep(0.5 if players else 0.0)
    try:
        sources = {
            "mic": open_microphone(device=args.mic, on_chunk=tallies["mic"].on_chunk,
                                   on_event=tallies["mic"].on_event),
            "loopback": open_loopback(device=args.loopback,
                                      on_chunk=tallies["loopback"].on_chunk,
                                      on_event=tallies["loopback"].on_event),
        }
        for source in sources.values():
            source.start()
    except AudioError as exc:
        _stop_players(players)
        raise CliError(str(exc)) from exc
    process = psutil.Process()
    try:
        time.sleep(1.0)  # settle: streams open, players start
        children = process.children(recursive=True)
        helpers = {c.pid: _name(c) for c in children}
        before = process.cpu_times()
        child_before = {c.pid: _cpu(c) for c in children}
        started = time.monotonic()
        time.sleep(args.seconds)
        elapsed = time.monotonic() - started
        after = process.cpu_times()
        child_after = {c.pid: _cpu(c) for c in children}
    finally:
        for source in sources.values():
            source.stop()
        _stop_players(players)
    own = (after.user + after.system - before.user - before.system) / elapsed * 100
    capture_helpers = sum(child_after[p] - child_before[p] for p in child_after
                          if helpers.get(p) in ("parec", "pactl")) / elapsed * 100
    print(f"{'source':<9} {'device':<40} {'seconds':>8} {'chunks':>7} {'max gap ms':>10} "
          f"{'drift ms':>9} {'max rms':>8}")
    for key, source in sources.items():
        tally = tallies[key]
        print(f"{key:<9} {source.name[:40]:<40} {tally.samples / 16_000:>8.2f} "
              f"{tally.chunks:>7} {tally.max_gap * 1000:>10.3f} {source.drift * 1000:>+9.1f} "
              f"{tally.loudest:>8.4f}")
        for event in tally.events:
            print(f"  event {event}")
    print(f"sources: mic {type(sources['mic']).__name__}, "
          f"loopback {type(sources['loopback']).__name__}")
    print(f"CPU over {elapsed:.1f} s, both sources together: this process {own:.1f} % of one "
          f"core, capture helpers (parec/pactl) {capture_helpers:.1f} %, "
          f"total {own + capture_helpers:.1f} % ({psutil.cpu_count()} cores)")
    return 0


def _name(proc: Any) -> str:
    try:
        return str(proc.name())
    except Exception:
        return ""


def _cpu(proc: Any) -> float:
    try:
        times = proc.cpu_times()
    except Exception:
        return 0.0
    return float(times.user + times.system)


def _stop_players(players: list[subprocess.Popen[bytes]]) -> None:
    for player in players:  # each loop runs in its own process group: end it whole
        with contextlib.suppress(ProcessLookupError):
            os.killpg(player.pid, signal.SIGTERM)
        player.wait()


def _start_players(path: Path, loopback: str | None) -> list[subprocess.Popen[bytes]]:
    if not sys.platform.startswith("linux") or shutil.which("paplay") is None:
        raise CliError("--play needs Linux with paplay (pulseaudio-utils)")
    if not path.is_file():
        raise CliError(f"{path}: no such file")

    def pactl(what: str) -> str:
        return subprocess.run(["pactl", what], capture_output=True, text=True,
                              check=False).stdout.strip()

    sinks = [loopback or pactl("get-default-sink")]
    source = pactl("get-default-source")
    if source.endswith(".monitor"):
        sinks.append(source.removesuffix(".monitor"))
    loop = 'while paplay --device="$1" "$2"; do :; done'
    return [subprocess.Popen(["sh", "-c", loop, "sh", name, str(path)],
                             start_new_session=True) for name in dict.fromkeys(sinks)]
