"""What an answer provider receives for each question, and the user's consent to it.

Where the request goes decides what may go in it:
- nothing at all with talking points only;
- the whole context (question, recent conversation, CV and dossier excerpts) to a server on
  this device (an OpenAI-compatible server on 127.0.0.0/8, ::1 or localhost): nothing leaves
  the device;
- to any other server (OpenAI, Anthropic, an https OpenAI-compatible service) only what the
  user's share choice allows (`settings.answers.share`, smallest by default), and only after
  the user agreed to that choice for that provider and host. The agreement is kept in
  `settings.answers.cloud_consent` as "provider@host" → the largest choice agreed to; choosing
  to send more asks again.

`preview()` builds an example request with the engine's own request builder, the user's real
documents and the current choice, so what the consent screen shows is what will be sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from smart_interview.answers.context import (
    FIELD_LABELS,
    SHARE_CHOICES,
    ContextBuilder,
    TranscriptLine,
    estimate_tokens,
)
from smart_interview.app.errors import AppError
from smart_interview.app.providers import ProviderSpec, display_name, is_loopback_host

if TYPE_CHECKING:
    from smart_interview.answers.context_sources import InterviewContext
    from smart_interview.app.settings import Settings

DEFAULT_SHARE = "question"
ON_DEVICE_SHARE = "question_transcript_context"
SHARE_DESCRIPTIONS = {
    "question": ("The question only",
                 "Each detected question and the job title. Nothing about you or the rest of "
                 "the conversation."),
    "question_transcript": ("The question and recent conversation",
                            "Also up to the last 12 lines both of you said, so follow-ups "
                            "(\"and why was that?\") make sense."),
    "question_transcript_context": ("Also CV and dossier excerpts",
                                    "Also the parts of your CV, dossier, job description and "
                                    "cover letter that fit the question (up to 2,500 tokens)."),
}
"""What the settings screen shows for each choice: a title and one line."""

EXAMPLE_QUESTION = "Tell me about a time you disagreed with a colleague."
EXAMPLE_TRANSCRIPT = (
    TranscriptLine("interviewer", "Thanks for joining us. Let's talk about teamwork."),
    TranscriptLine("candidate", "Sure, happy to."),
)


class ConsentRequired(AppError):
    """A cloud provider would receive the interview before the user agreed to it."""


@dataclass(frozen=True)
class Destination:
    provider: str
    label: str
    host: str
    on_device: bool

    @property
    def consent_key(self) -> str:
        return f"{self.provider}@{self.host}"


def destination(spec: ProviderSpec, endpoint: str) -> Destination:
    """Where `spec`'s requests go once the endpoint policy resolved `endpoint`."""
    host = urlsplit(endpoint).hostname or endpoint
    on_device = spec.takes_base_url and is_loopback_host(host)
    return Destination(provider=spec.id, label=display_name(spec), host=host,
                       on_device=on_device)


def checked_share(share: str) -> str:
    if share not in SHARE_CHOICES:
        raise AppError(f"unknown share choice {share!r}; choose one of "
                       f"{', '.join(SHARE_CHOICES)} (Settings → Answers → What is sent)")
    return share


def effective_share(where: Destination, chosen: str) -> str:
    """The choice the request builder gets: the whole context on this device."""
    return ON_DEVICE_SHARE if where.on_device else checked_share(chosen)


def sends_more(share: str, than: str) -> bool:
    return SHARE_CHOICES.index(share) > SHARE_CHOICES.index(than)


def has_consent(settings: Settings, where: Destination, share: str) -> bool:
    if where.on_device:
        return True
    recorded = settings.answers.cloud_consent
    agreed = recorded.get(where.consent_key) if isinstance(recorded, dict) else None
    return agreed in SHARE_CHOICES and not sends_more(share, str(agreed))


def record_consent(settings: Settings, where: Destination, share: str) -> None:
    """Remembers that the user agreed to send `share` to `where` (the caller saves)."""
    if not isinstance(settings.answers.cloud_consent, dict):  # a hand-edited file
        settings.answers.cloud_consent = {}
    settings.answers.cloud_consent[where.consent_key] = checked_share(share)


@dataclass(frozen=True)
class SendPreview:
    """One example request, as the provider would receive it for each question."""

    where: Destination
    share: str
    system: str
    user: str
    sent: tuple[tuple[str, int], ...]
    """(what, estimated tokens) in the order sent."""
    not_sent: tuple[str, ...]
    """What the user has on this device that stays there (e.g. "your CV text")."""

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.system) + estimate_tokens(self.user)

    @property
    def sent_labels(self) -> list[tuple[str, int]]:
        """(what, in the user's words; estimated tokens)."""
        return [(FIELD_LABELS[name], tokens) for name, tokens in self.sent]

    def summary(self) -> str:
        sent = ", ".join(f"{what} (~{tokens} tokens)" for what, tokens in self.sent_labels)
        line = (f"{self.where.label} at {self.where.host} would receive, for each question: "
                f"{sent}; about {self.tokens} tokens in all.")
        if self.not_sent:
            line += f" Not sent: {', '.join(self.not_sent)}."
        return line


def preview(context: InterviewContext, *, where: Destination, share: str,
            style: str = "bullets") -> SendPreview:
    """The request for `EXAMPLE_QUESTION` after `EXAMPLE_TRANSCRIPT`, built by the engine's
    own builder from the user's documents and the choice that would apply."""
    from smart_interview.answers.retrieval import PassageIndex
    from smart_interview.models.answers import Question

    applied = effective_share(where, share)
    builder = ContextBuilder(context=context, index=PassageIndex(context.passages()),
                             style=style, share=applied)
    request = builder.build(Question("example", EXAMPLE_QUESTION, "prompt", 0.0, 0.0),
                            EXAMPLE_TRANSCRIPT)
    names = {f.name for f in request.fields}
    held = {"passages": bool(context.cv_text.strip() or context.dossier),
            "cv": bool(context.cv_text.strip()),
            "summary": bool(context.cv_summary.strip()),
            "job_description": bool(context.job_description.strip()),
            "cover_letter": bool(context.dossier and context.dossier.cover_letter.strip())}
    not_sent = [FIELD_LABELS[name] for name, present in held.items()
                if present and name not in names]
    if "conversation" not in names:
        not_sent.insert(0, "the conversation before the question")
    return SendPreview(where=where, share=applied, system=request.system, user=request.user,
                       sent=tuple((f.name, f.tokens) for f in request.fields),
                       not_sent=tuple(not_sent))
