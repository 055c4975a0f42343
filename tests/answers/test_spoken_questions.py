"""Detection on what Whisper actually writes: espeak-ng speech, transcribed by tiny.en."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smart_interview.answers.question_detector import QuestionDetector
from tests.support.speech import say

SPOKEN = [
    ("So tell me about a time you disagreed with your manager.", True),
    ("Have you worked with Kafka in production?", True),
    ("Walk me through how you would design a rate limiter.", True),
    ("What would you do differently next time?", True),
    ("Can you hear me okay?", False),
    ("We are a team of twelve engineers based in Berlin.", False),
    ("Let me share my screen for a second.", False),
]


@pytest.mark.parametrize(("sentence", "is_question"), SPOKEN)
def test_whisper_transcripts_of_spoken_utterances(sentence: str, is_question: bool,
                                                  tmp_path: Path, tiny_model: Any) -> None:
    from smart_interview.transcription.audio_file import read_audio
    from smart_interview.transcription.file_transcriber import as_text, transcribe_samples

    wav = say(sentence, tmp_path / "utterance.wav", pad_s=0.3)
    text = as_text(transcribe_samples(tiny_model, read_audio(wav), language="en"))
    assert text.strip(), "Whisper heard nothing"
    assert QuestionDetector().detect(text).is_question is is_question, text
