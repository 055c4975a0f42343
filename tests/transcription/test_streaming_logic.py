"""Endpointing and the text guards: pure logic, no model."""

from __future__ import annotations

from smart_interview.transcription.decoder import Hypothesis
from smart_interview.transcription.endpointing import Action, Endpointer, EndpointOptions
from smart_interview.transcription.guards import EchoGuard, accept_hypothesis, trim_repetition

F = 512  # samples per frame


def run(probs: list[float], options: EndpointOptions | None = None,
        flush: bool = False) -> list[tuple[Action, int]]:
    endpointer = Endpointer(options or EndpointOptions())
    out = []
    for i, p in enumerate(probs):
        out += [(e.action, e.at) for e in endpointer.push(p, i * F, (i + 1) * F)]
    if flush:
        out += [(e.action, e.at) for e in endpointer.flush(len(probs) * F)]
    return out


def test_speech_then_silence_gives_start_partials_speculation_and_end() -> None:
    probs = [0.0] * 10 + [0.9] * 60 + [0.05] * 20
    actions = run(probs)
    kinds = [a for a, _ in actions]
    assert kinds[0] is Action.START
    assert Action.PARTIAL in kinds
    speculate = kinds.index(Action.SPECULATE)
    end = kinds.index(Action.END)
    assert speculate < end and kinds.count(Action.END) == 1
    # speculation at the 2nd silent frame (64 ms), the end after 0.4 s of silence
    assert actions[speculate][1] == 72 * F
    assert actions[end][1] - 70 * F >= 0.4 * 16_000


def test_speech_resuming_after_speculation_is_reported_and_no_end() -> None:
    probs = [0.9] * 30 + [0.1] * 4 + [0.9] * 30
    kinds = [a for a, _ in run(probs)]
    assert Action.SPECULATE in kinds
    assert kinds.index(Action.RESUME) > kinds.index(Action.SPECULATE)
    assert Action.END not in kinds


def test_short_blips_are_not_speculated_on() -> None:
    kinds = [a for a, _ in run([0.9] * 3 + [0.0] * 30)]  # 96 ms of "speech"
    assert kinds == [Action.START, Action.END]


def test_flush_closes_the_open_utterance() -> None:
    actions = run([0.9] * 40, flush=True)
    assert actions[-1] == (Action.END, 40 * F)


def test_an_utterance_too_long_is_cut_at_its_quietest_point_without_overlap() -> None:
    options = EndpointOptions(max_utterance_s=4.0, soft_cut_after_s=100.0)
    probs = [0.9] * 200
    probs[90] = 0.4  # the quietest frame of the second half
    probs[20] = 0.3  # quieter, but in the first half: not a cut point
    actions = run(probs, options)
    cuts = [at for a, at in actions if a is Action.CUT]
    assert cuts[0] == 90 * F + 256
    assert all(b - a <= 4.0 * 16_000 + F for a, b in zip([0, *cuts], cuts, strict=False))


def test_a_long_utterance_ends_at_a_shorter_pause() -> None:
    options = EndpointOptions(soft_cut_after_s=2.0, soft_cut_silence_s=0.2)
    probs = [0.9] * 80 + [0.1] * 8 + [0.9] * 20
    kinds = [a for a, _ in run(probs, options)]
    assert kinds.count(Action.END) == 1
    assert kinds.count(Action.START) == 2


def hyp(text: str, *, logprob: float = -0.3, no_speech: float = 0.05,
        ratio: float = 1.2) -> Hypothesis:
    return Hypothesis(text, logprob, no_speech, ratio, 2.0, 0.1)


def test_guards_drop_non_speech_and_keep_speech() -> None:
    assert accept_hypothesis(hyp("We scaled the service to ten regions.")) != ""
    assert accept_hypothesis(hyp("Thank you.", no_speech=0.5)) == ""
    assert accept_hypothesis(hyp("Thank you.", no_speech=0.01, logprob=-0.2)) == "Thank you."
    assert accept_hypothesis(hyp("Anything", no_speech=0.9, logprob=-1.3)) == ""
    assert accept_hypothesis(hyp("[Music]")) == ""
    assert accept_hypothesis(hyp("♪ ♪")) == ""
    assert accept_hypothesis(hyp("Some words here", logprob=-2.0)) == ""


def test_text_longer_than_the_speech_allows_is_cut() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve"
    assert accept_hypothesis(hyp(text), speech_s=1.0) == "one two three four five six seven"


def test_repetition_loops_are_kept_once() -> None:
    assert trim_repetition("In 1813. In 1813. In 1813. In 1813.") == "In 1813."
    assert trim_repetition("go go go go") == "go"
    looped = "You can call me Abbie. You can call me Abbie"
    assert trim_repetition(looped) == "You can call me Abbie."
    sentence = "ask not what your country can do for you, ask what you can do for your country"
    assert trim_repetition(sentence) == sentence
    assert trim_repetition("I think I think that works") == "I think I think that works"


def test_echo_guard_drops_candidate_text_heard_from_the_interviewer() -> None:
    guard = EchoGuard()
    guard.note_interviewer("Tell me about a time you designed a rate limiter.", 10.0, 13.0,
                           final=True)
    assert guard.is_echo("tell me about a time you designed a rate limit", 10.1, 13.1)
    assert not guard.is_echo("I built a token bucket in Redis.", 14.0, 16.0)
    assert not guard.is_echo("tell me about a time you designed a rate limiter", 40.0, 43.0)


def test_an_answer_that_reuses_the_question_is_not_an_echo() -> None:
    guard = EchoGuard()
    guard.note_interviewer("Why do you want to work for our company?", 10.0, 12.5, final=True)
    # right after the question, most of its words, but said by the candidate
    assert not guard.is_echo("I want to work for your company because of its mission",
                             13.4, 16.0)
    # at the same time, but other words: the candidate talking over the question
    assert not guard.is_echo("sorry, do you mean this company or the group?", 11.8, 13.0)
    # the leak itself: same moment, same order, a word misheard
    assert guard.is_echo("why do you want to work for a company", 10.3, 12.8)


def test_an_echo_spanning_two_interviewer_segments_is_caught() -> None:
    guard = EchoGuard()
    guard.note_interviewer("Thanks for coming in today.", 3.0, 4.6, final=True)
    guard.note_interviewer("Let's start with your background.", 5.1, 7.0, final=True)
    assert guard.is_echo("coming in today let's start with your background", 3.9, 7.2)
    assert not guard.is_echo("happy to be here", 7.5, 8.5)


def test_echo_guard_uses_the_interviewer_partial_too() -> None:
    guard = EchoGuard()
    guard.note_interviewer("What is your greatest strength", 5.0, 7.0, final=False)
    assert guard.is_echo("what is your greatest", 5.0, 6.8)
