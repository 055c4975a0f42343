"""Early questions: the question detector run on the interviewer's partial text.

A partial that reads as a confident question (the detector says question, not a bare
follow-up, the clause is not left hanging, at least `MIN_WORDS` words, not a repeat of a
recent question) opens an early
question under an id taken from the tracker. Later partials of the same utterance update its
text, or take it back at once when they no longer read as a question, so a false question is
never shown longer than one partial. The final settles it: the pipeline re-sends the same id
as final, or withdraws it.

`word_overlap` says whether two versions of a question are the same question for the answer
written to it: the share of distinct words they have in common (Jaccard over lower-cased
words). `SAME_QUESTION_OVERLAP` is the threshold the pipeline keeps a speculative answer at;
docs/answers.md says how it was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from smart_interview.answers.question_detector import tokenize
from smart_interview.answers.question_tracker import QuestionTracker
from smart_interview.models.answers import Question

MIN_WORDS = 3
SAME_QUESTION_OVERLAP = 0.6
_SAME_UTTERANCE_S = 0.05


def word_overlap(a: str, b: str) -> float:
    """|words in both| / |words in either|, over lower-cased words (1.0 for two empty texts)."""
    left = {t for t in tokenize(a) if t[0].isalnum()}
    right = {t for t in tokenize(b) if t[0].isalnum()}
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def same_question(a: str, b: str, threshold: float = SAME_QUESTION_OVERLAP) -> bool:
    return word_overlap(a, b) >= threshold


@dataclass
class EarlyQuestion:
    question: Question
    utterance_start: float
    """Start of the partial's utterance: its later partials and its final share it."""
    awaiting_join: bool = False
    """The final ended mid-phrase and the tracker holds it: the next final settles it."""

    @property
    def id(self) -> str:
        return self.question.id


@dataclass(frozen=True)
class PartialStep:
    shown: EarlyQuestion | None = None
    """A new early question, or the open one with a new text."""
    new: bool = False
    withdrawn: str | None = None
    """The id of an early question this partial showed was not one."""


class EarlyQuestions:
    def __init__(self, tracker: QuestionTracker) -> None:
        self._tracker = tracker
        self.open: EarlyQuestion | None = None

    def on_partial(self, text: str, *, start: float, end: float) -> PartialStep:
        current = self.open
        if current is not None and (current.awaiting_join or
                                    abs(start - current.utterance_start) > _SAME_UTTERANCE_S):
            return PartialStep()  # another utterance (`orphaned_by` handles a later one)
        joined, question_start = self._tracker.preview(text, start=start)
        detection = self._tracker.detector.detect(joined)
        confident = (detection.is_question and detection.kind not in (None, "follow_up")
                     and not detection.incomplete
                     and sum(1 for t in tokenize(joined) if t[0].isalnum()) >= MIN_WORDS)
        if current is None:
            if not confident or self._tracker.is_repeat(joined, at=end):
                return PartialStep()
            assert detection.kind is not None
            self.open = EarlyQuestion(Question(id=self._tracker.new_id(), text=joined,
                                               kind=detection.kind, start=question_start,
                                               end=end), utterance_start=start)
            return PartialStep(shown=self.open, new=True)
        if confident:
            assert detection.kind is not None
            if joined == current.question.text:
                return PartialStep()
            current.question = Question(id=current.id, text=joined, kind=detection.kind,
                                        start=question_start, end=end)
            return PartialStep(shown=current)
        if detection.incomplete:
            return PartialStep()  # still being asked ("… and how did you")
        self.open = None
        return PartialStep(withdrawn=current.id)

    def orphaned_by(self, start: float) -> EarlyQuestion | None:
        """Takes the open early question back when text of a later utterance (starting at
        `start`) comes while its own utterance never gave a final (the guards dropped it)."""
        current = self.open
        if (current is None or current.awaiting_join
                or start <= current.utterance_start + _SAME_UTTERANCE_S):
            return None
        self.open = None
        return current

    def settles(self, *, final_start: float | None) -> EarlyQuestion | None:
        """The open early question when a final (starting at `final_start`; None: a flush of
        the held fragment) settles it; None when there is none or the final is of an earlier
        utterance."""
        current = self.open
        if current is None:
            return None
        if final_start is None:
            return current if current.awaiting_join else None
        if not current.awaiting_join and final_start < current.utterance_start - _SAME_UTTERANCE_S:
            return None
        return current
