"""Which decode runs when: priorities, coalescing, and the lane kept free for finals.

The decoder here is a gate the test opens one decode at a time, so the order is exact; the
real model behind the scheduler is covered by test_streaming.py."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from smart_interview.transcription.decoder import (
    DecodeContext,
    DecodeScheduler,
    Hypothesis,
    Priority,
)
from tests.support.waiting import wait_until


class GateDecoder:
    """Each decode waits until the test releases it by name (its prompt)."""

    def __init__(self) -> None:
        self.running: list[str] = []
        self.started: list[str] = []
        self._released: set[str] = set()
        self._cond = threading.Condition()

    def decode(self, audio: np.ndarray, *, prompt: str = "", **_: Any) -> Hypothesis:
        with self._cond:
            self.running.append(prompt)
            self.started.append(prompt)
            self._cond.notify_all()
            self._cond.wait_for(lambda: prompt in self._released, timeout=10)
            self.running.remove(prompt)
        return Hypothesis(prompt, -0.1, 0.0, 1.0, audio.size / 16_000, 0.01)

    def release(self, name: str) -> None:
        with self._cond:
            self._released.add(name)
            self._cond.notify_all()

    def wait_running(self, *names: str) -> None:
        wait_until(lambda: all(n in self.running for n in names), timeout=5,
                   message=f"{names} never ran together; running: {self.running}")


@pytest.fixture
def gate() -> GateDecoder:
    return GateDecoder()


def _submit(scheduler: DecodeScheduler, name: str, priority: Priority, stream: str,
            done: list[str], *, coalesce: bool = False) -> Any:
    def on_done(hyp: Hypothesis | None, error: BaseException | None) -> None:
        done.append(name if hyp is not None else f"{name}: {error!r}")

    return scheduler.submit(priority=priority, stream=stream, audio=np.zeros(160, np.float32),
                            context=lambda: DecodeContext(prompt=name), done=on_done,
                            coalesce=coalesce)


def test_one_lane_runs_finals_first_and_keeps_only_the_newest_partial(gate: GateDecoder) -> None:
    scheduler = DecodeScheduler(gate, lanes=1).start()  # type: ignore[arg-type]
    done: list[str] = []
    try:
        _submit(scheduler, "first", Priority.CANDIDATE_PARTIAL, "candidate", done)
        gate.wait_running("first")
        _submit(scheduler, "c-partial-1", Priority.CANDIDATE_PARTIAL, "candidate", done,
                coalesce=True)
        _submit(scheduler, "c-partial-2", Priority.CANDIDATE_PARTIAL, "candidate", done,
                coalesce=True)
        _submit(scheduler, "i-partial", Priority.INTERVIEWER_PARTIAL, "interviewer", done)
        _submit(scheduler, "c-final", Priority.CANDIDATE_FINAL, "candidate", done)
        _submit(scheduler, "i-final", Priority.INTERVIEWER_FINAL, "interviewer", done)
        for name in ("first", "i-final", "c-final", "i-partial", "c-partial-2"):
            gate.release(name)
        assert scheduler.wait_idle(timeout=5)
    finally:
        scheduler.stop()
    assert gate.started == ["first", "i-final", "c-final", "i-partial", "c-partial-2"]
    assert done == gate.started
    assert scheduler.most_at_once == 1 and scheduler.decodes == 5


def test_two_lanes_keep_one_free_for_a_final(gate: GateDecoder) -> None:
    scheduler = DecodeScheduler(gate, lanes=2).start()  # type: ignore[arg-type]
    done: list[str] = []
    try:
        _submit(scheduler, "i-partial", Priority.INTERVIEWER_PARTIAL, "interviewer", done)
        _submit(scheduler, "c-partial", Priority.CANDIDATE_PARTIAL, "candidate", done)
        gate.wait_running("i-partial")
        # the candidate's partial waits: the second lane is for finals
        assert gate.running == ["i-partial"]
        _submit(scheduler, "i-final", Priority.INTERVIEWER_FINAL, "interviewer", done)
        gate.wait_running("i-partial", "i-final")  # the final does not wait for the partial
        gate.release("i-final")
        wait_until(lambda: done == ["i-final"], timeout=5)
        assert gate.running == ["i-partial"]
        gate.release("i-partial")
        gate.wait_running("c-partial")
        gate.release("c-partial")
        assert scheduler.wait_idle(timeout=5)
    finally:
        scheduler.stop()
    assert done == ["i-final", "i-partial", "c-partial"]
    assert scheduler.most_at_once == 2


def test_a_stream_decodes_one_final_at_a_time_in_order(gate: GateDecoder) -> None:
    scheduler = DecodeScheduler(gate, lanes=2).start()  # type: ignore[arg-type]
    done: list[str] = []
    try:
        _submit(scheduler, "i-final-1", Priority.INTERVIEWER_FINAL, "interviewer", done)
        _submit(scheduler, "i-final-2", Priority.INTERVIEWER_FINAL, "interviewer", done)
        _submit(scheduler, "c-final", Priority.CANDIDATE_FINAL, "candidate", done)
        # the interviewer's second final waits for the first (its prompt is the first's
        # text); the candidate's final takes the other lane meanwhile
        gate.wait_running("i-final-1", "c-final")
        assert "i-final-2" not in gate.started
        gate.release("i-final-2")
        gate.release("c-final")
        wait_until(lambda: done == ["c-final"], timeout=5)
        assert "i-final-2" not in gate.started
        gate.release("i-final-1")
        assert scheduler.wait_idle(timeout=5)
    finally:
        scheduler.stop()
    assert done == ["c-final", "i-final-1", "i-final-2"]


def test_a_cancelled_request_never_runs_and_errors_reach_the_stream() -> None:
    class Failing:
        def decode(self, audio: np.ndarray, *, prompt: str = "", **_: Any) -> Hypothesis:
            raise RuntimeError(f"decoder broke on {prompt}")

    scheduler = DecodeScheduler(Failing(), lanes=2)  # type: ignore[arg-type]
    done: list[str] = []
    ticket = _submit(scheduler, "dropped", Priority.INTERVIEWER_FINAL, "interviewer", done)
    assert ticket.cancel() is True
    _submit(scheduler, "broken", Priority.CANDIDATE_FINAL, "candidate", done)
    scheduler.start()
    try:
        assert scheduler.wait_idle(timeout=5)
    finally:
        scheduler.stop()
    assert done == ["broken: RuntimeError('decoder broke on broken')"]
    assert scheduler.decodes == 0


def test_lanes_must_be_positive(gate: GateDecoder) -> None:
    with pytest.raises(ValueError, match="lanes"):
        DecodeScheduler(gate, lanes=0)  # type: ignore[arg-type]


def test_a_revision_runs_last_and_never_takes_the_lane_kept_for_finals(gate: GateDecoder) -> None:
    scheduler = DecodeScheduler(gate, lanes=2).start()  # type: ignore[arg-type]
    done: list[str] = []
    try:
        _submit(scheduler, "revision", Priority.REVISION, "interviewer", done)
        gate.wait_running("revision")
        # a partial waits while the revision has the spare lane; a final does not
        _submit(scheduler, "c-partial", Priority.CANDIDATE_PARTIAL, "candidate", done)
        _submit(scheduler, "i-final", Priority.INTERVIEWER_FINAL, "interviewer", done)
        gate.wait_running("revision", "i-final")
        assert "c-partial" not in gate.started
        gate.release("i-final")
        wait_until(lambda: done == ["i-final"], timeout=5)
        # with a partial and a revision both waiting, the partial goes first
        _submit(scheduler, "revision-2", Priority.REVISION, "candidate", done)
        gate.release("revision")
        gate.wait_running("c-partial")
        assert "revision-2" not in gate.started
        # a final arriving while the partial runs still finds its lane free
        _submit(scheduler, "c-final", Priority.CANDIDATE_FINAL, "candidate", done)
        gate.wait_running("c-partial", "c-final")
        for name in ("c-final", "c-partial", "revision-2"):
            gate.release(name)
        assert scheduler.wait_idle(timeout=5)
    finally:
        scheduler.stop()
    assert gate.started == ["revision", "i-final", "c-partial", "c-final", "revision-2"]
