"""What the transcriber listens for in this interview: the distinctive terms of the CV, the
job description and the dossier (`transcription.vocabulary.extract_terms`), with the words the
user added in Settings first and the ones they removed left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from smart_interview.transcription.vocabulary import (
    TokenCount,
    Vocabulary,
    extract_terms,
    whisper_token_count,
)

if TYPE_CHECKING:
    from smart_interview.answers.context_sources import InterviewContext
    from smart_interview.app.settings import TranscriptionSettings


def document_texts(context: InterviewContext) -> list[str]:
    texts = [context.cv_text, context.cv_summary, context.job_description]
    dossier = context.dossier
    if dossier is not None:
        texts += [dossier.company, dossier.job_title, dossier.match_summary,
                  dossier.cover_letter]
        texts += [f"{skill}: {evidence}" for skill, evidence in (*dossier.matched,
                                                                 *dossier.missing)]
    return [t for t in texts if t and t.strip()]


def merge_terms(extracted: Iterable[str], *, added: Sequence[str] = (),
                removed: Sequence[str] = ()) -> tuple[str, ...]:
    """The user's words first, then the documents' minus the removed (case aside)."""
    gone = {w.strip().lower() for w in removed}
    seen: dict[str, str] = {}
    for term in (*added, *extracted):
        key = term.strip().lower()
        if key and key not in gone and key not in seen:
            seen[key] = term.strip()
    return tuple(seen.values())


def terms_for(texts: Sequence[str], settings: TranscriptionSettings,
              token_count: TokenCount | None = None) -> tuple[str, ...]:
    return merge_terms(extract_terms(texts, token_count=token_count),
                       added=settings.vocabulary_added, removed=settings.vocabulary_removed)


def interview_vocabulary(context: InterviewContext, settings: TranscriptionSettings,
                         model: Any) -> Vocabulary | None:
    """The vocabulary of a live session (None: nothing to listen for)."""
    count = whisper_token_count(model) if hasattr(model, "hf_tokenizer") else None
    terms = terms_for(document_texts(context), settings, count)
    return Vocabulary(terms) if terms else None
