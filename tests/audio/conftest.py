"""Fixtures for audio capture tests: the PulseAudio server .ci/services.sh started (with the
null sinks `interviewer` and `candidate_mic`), private null sinks and a private server for the
tests that remove devices or switch the default output, and known test signals."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tests.support.services import pulse_available, require
from tests.support.speech import read_wav, say
from tests.support.waiting import wait_until

RATE = 16_000


class Pulse:
    """Runs pactl/paplay against one PulseAudio server (`server=None`: the session's)."""

    def __init__(self, server: str | None = None) -> None:
        self.server = server

    def pactl(self, *args: str) -> str:
        cmd = ["pactl", *(["-s", self.server] if self.server else []), *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def ok(self) -> bool:
        try:
            self.pactl("info")
        except (subprocess.CalledProcessError, FileNotFoundError):
            return False
        return True

    def load_sink(self, name: str) -> int:
        return int(self.pactl("load-module", "module-null-sink", f"sink_name={name}",
                              f"sink_properties=device.description={name}").strip())

    def unload(self, module: int) -> None:
        self.pactl("unload-module", str(module))

    def sink_module(self, name: str) -> int | None:
        for line in self.pactl("list", "short", "modules").splitlines():
            fields = line.split("\t")
            if len(fields) >= 3 and f"sink_name={name}" in fields[2].split():
                return int(fields[0])
        return None

    def sink_running(self, name: str) -> bool:
        for line in self.pactl("list", "short", "sinks").splitlines():
            fields = line.split("\t")
            if len(fields) >= 5 and fields[1] == name:
                return fields[4] == "RUNNING"
        return False

    def wait_running(self, *names: str, timeout: float = 10.0) -> None:
        """Waits until every named sink is playing a stream (not idle or suspended)."""
        wait_until(lambda: all(self.sink_running(n) for n in names), timeout=timeout,
                   message=f"sinks {names} running")

    def play(self, path: Path, sink: str) -> subprocess.Popen[bytes]:
        cmd = ["paplay", *([f"--server={self.server}"] if self.server else []),
               f"--device={sink}", str(path)]
        return subprocess.Popen(cmd)


@pytest.fixture(scope="session")
def pulse() -> Pulse:
    require(pulse_available() and shutil.which("pactl") is not None
            and shutil.which("paplay") is not None and Pulse().ok(),
            "PulseAudio from .ci/services.sh is not running (source .ci/services.sh)")
    return Pulse()


@pytest.fixture
def scratch_sink(pulse: Pulse) -> Iterator[str]:
    """A null sink of this test's own, so removing it disturbs nobody."""
    name = f"si_test_{int(time.monotonic() * 1000) % 10**8}"
    pulse.load_sink(name)
    yield name
    module = pulse.sink_module(name)
    if module is not None:
        pulse.unload(module)


class PrivateServer:
    """A second PulseAudio daemon with null sinks `speakers` and `headset`, for tests that
    switch the default output or restart the server."""

    def __init__(self) -> None:
        self.runtime = Path(tempfile.mkdtemp(prefix="si-pa-", dir="/tmp"))
        self.runtime.chmod(0o700)
        self.socket = self.runtime / "native"
        self.server = f"unix:{self.socket}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
               "--use-pid-file=no", "-F", "/dev/null",
               f"--load=module-native-protocol-unix socket={self.socket}",
               "--load=module-null-sink sink_name=speakers",
               "--load=module-null-sink sink_name=headset"]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.runtime),
               "XDG_RUNTIME_DIR": str(self.runtime)}
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        proc = self.proc

        def up() -> bool:
            if proc.poll() is not None:
                raise RuntimeError("private PulseAudio server exited at start")
            return Pulse(self.server).ok()

        wait_until(up, timeout=10, message="private PulseAudio server start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()


@pytest.fixture
def private_server(pulse: Pulse) -> Iterator[PrivateServer]:
    require(shutil.which("pulseaudio") is not None, "pulseaudio is not installed")
    server = PrivateServer()
    server.start()
    yield server
    server.kill()
    shutil.rmtree(server.runtime, ignore_errors=True)


def sweep(seconds: float, f0: float, f1: float, *, amplitude: float = 0.5) -> np.ndarray:
    """A logarithmic sine sweep from f0 to f1 Hz."""
    t = np.arange(int(seconds * RATE)) / RATE
    k = np.log(f1 / f0) / seconds
    phase = 2 * np.pi * f0 * (np.exp(k * t) - 1) / k
    return (amplitude * np.sin(phase)).astype(np.float32)


def tone(seconds: float, freq: float, *, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def build_signal(path: Path, *, texts: list[str], voice: str, seconds: float,
                 sweep_range: tuple[float, float], tail_freq: float) -> np.ndarray:
    """`seconds` of espeak-ng speech alternating with sweeps, ending with a tone burst."""
    parts: list[np.ndarray] = [np.zeros(RATE // 4, np.float32)]  # a null sink wakes up first
    total = parts[0].size
    i = 0
    target = int(seconds * RATE)
    tail = tone(0.3, tail_freq)
    while total < target - tail.size:
        if i >= len(texts):
            raise ValueError("not enough distinct texts to fill the signal")
        spoken, _ = read_wav(say(texts[i], path.with_name(f"{path.stem}-{i}.wav"),
                                 voice=voice))
        pieces = [spoken, np.zeros(RATE // 5, np.float32),
                  sweep(2.0, *sweep_range) if i % 2 == 0 else sweep(2.0, *sweep_range[::-1]),
                  np.zeros(RATE // 5, np.float32)]
        for piece in pieces:
            parts.append(piece)
            total += piece.size
        i += 1
    signal = np.concatenate(parts)[: target - tail.size]
    signal = np.concatenate([signal, tail]).astype(np.float32)
    soundfile.write(str(path), signal, RATE, subtype="FLOAT")
    return signal


# every segment differs (no text repeats within 30 s), so the signal aligns at one place only
INTERVIEWER_TEXTS = [
    "Thanks for joining us today. Could you walk me through your most recent project?",
    "How did you decide between a relational database and a document store?",
    "Tell me about a time you disagreed with a teammate and how you resolved it.",
    "What would you do differently if you started that system again from scratch?",
    "How do you keep a release on schedule when the requirements keep moving?",
    "Which metrics told you the new cache was worth its complexity?",
    "Describe how you would onboard a junior engineer onto this code base.",
]
CANDIDATE_TEXTS = [
    "I led the migration of our billing service to an event driven design.",
    "We measured latency before and after, and the tail dropped by half.",
    "The hardest part was convincing the team to write contract tests first.",
    "I paired with the on call engineers for two weeks to learn the failure modes.",
    "Next time I would ship the read path first and migrate writes behind a flag.",
    "Our dashboards tracked queue depth, error budgets and the cost per request.",
    "I wrote a short guide and reviewed every pull request during the first month.",
]


@pytest.fixture(scope="session")
def interviewer_signal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    path = tmp_path_factory.mktemp("signals") / "interviewer.wav"
    return path, build_signal(path, texts=INTERVIEWER_TEXTS, voice="en-us", seconds=30.0,
                              sweep_range=(150.0, 5000.0), tail_freq=1_000.0)


@pytest.fixture(scope="session")
def candidate_signal(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    path = tmp_path_factory.mktemp("signals") / "candidate.wav"
    return path, build_signal(path, texts=CANDIDATE_TEXTS, voice="en-gb", seconds=30.0,
                              sweep_range=(300.0, 3000.0), tail_freq=1_700.0)
