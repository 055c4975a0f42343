"""Builds the answer pipeline from typed options, settings and the keyring.

The composition root for `answers`: reads the CV and job description files, picks the provider
from the provider table (`app.providers`) and its API key (keyring service "smart-interview",
name "provider:<provider>"; the environment's OPENAI_API_KEY / ANTHROPIC_API_KEY as a fallback
for those two providers only — an OpenAI key is never sent to another server), applies the
endpoint policy, and hands the engine an httpx client and the session clock.

What the provider receives is `app.answer_sharing`'s decision: the whole context for a server
on this device, otherwise the share choice (`AnswerOptions.share`, else the settings), and
never before the user agreed to that choice for that provider (`ConsentRequired` is raised
before any client exists).

Speculation (`speculation_enabled`): whether the answer is asked for on the interviewer's
pause, before the question is final (`answers.speculate`, or `--speculate`): "auto" is on for a
model server on this device or the private network, which costs nothing per request, and off
for paid cloud providers until the user turns it on.

Talking points rank the passages by meaning as well as by words when the sentence-embedding
model is on this device (`app.embedding_model`); without it they fall back to BM25 alone and a
warning says how to install it.

Errors are `AppError`s that name the setting or file to fix, so the command line and the
desktop app show the same message. `add_arguments` / `options_from_args` are the command
line's side: its flags map one to one onto `AnswerOptions`.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smart_interview.answers.context import SHARE_CHOICES
from smart_interview.app import answer_sharing
from smart_interview.app.errors import AppError
from smart_interview.app.paths import AppPaths
from smart_interview.app.providers import (
    NO_PROVIDER,
    PROVIDER_IDS,
    ProviderConfig,
    display_name,
    provider_spec,
    resolve_endpoint,
)
from smart_interview.app.settings import Settings

if TYPE_CHECKING:
    import httpx
    from keyring.backend import KeyringBackend

    from smart_interview.answers.context_sources import DossierContext, InterviewContext
    from smart_interview.answers.pipeline import AnswerPipeline
    from smart_interview.answers.providers.base import ChatProvider
    from smart_interview.app.network.door import NetworkDoor
    from smart_interview.models.account import Dossier
    from smart_interview.models.answers import AnswerEvent
    from smart_interview.sync.secrets import SecretStore

PROVIDERS = PROVIDER_IDS
STYLES = ("bullets", "spoken", "star")
SPECULATE_CHOICES = ("auto", "on", "off")
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


@dataclass(frozen=True)
class AnswerOptions:
    """Per-interview choices that override the settings (None: use the settings)."""

    cv: Path | None = None
    job_description: Path | None = None
    dossier: Path | None = None
    """An Interview Dossier saved as JSON (as `smart-interview dossier show` prints it)."""
    provider: str | None = None
    model: str | None = None
    base_url: str | None = None
    style: str | None = None
    share: str | None = None
    """What a cloud provider may receive (`answers.context.SHARE_CHOICES`)."""
    cloud_consent: bool = False
    """The user agreed, for this run, to what the share choice sends to a cloud provider."""
    speculate: str | None = None
    """Ask for the answer at the interviewer's pause: "auto", "on" or "off"."""
    command_line: bool = False
    """Built from command-line flags: messages may name them."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("answers")
    group.add_argument("--cv", type=Path, metavar="FILE",
                       help="your CV (.txt, .md, .pdf or .docx) for talking points and answers")
    group.add_argument("--jd", type=Path, metavar="FILE",
                       help="the job description (.txt, .md, .pdf or .docx)")
    group.add_argument("--dossier", type=Path, metavar="FILE",
                       help="an Interview Dossier saved as JSON (as `smart-interview dossier` "
                            "shows it)")
    group.add_argument("--provider", choices=PROVIDERS,
                       help="LLM for streamed answers (default: settings; none = talking "
                            "points only)")
    group.add_argument("--llm-model", metavar="NAME", help="model name for the provider")
    group.add_argument("--base-url", metavar="URL",
                       help="for openai_compatible, e.g. http://127.0.0.1:11434/v1 (Ollama)")
    group.add_argument("--answer-style", choices=STYLES,
                       help="bullets, spoken (first-person paragraph) or star (behavioural)")
    group.add_argument("--share", choices=SHARE_CHOICES,
                       help="what a cloud provider receives per question: the question (and "
                            "job title), also recent transcript lines, or also CV and dossier "
                            "excerpts (default: settings, question). A server on this machine "
                            "gets everything")
    group.add_argument("--speculate", choices=SPECULATE_CHOICES,
                       help="ask for the answer while the interviewer pauses, before the "
                            "question is final (default: settings, auto = on for a model "
                            "server on this machine or network, off for cloud providers)")
    group.add_argument("--consent-cloud", action="store_true",
                       help="agree, for this run, to send a cloud provider what --share "
                            "allows (run once without it to see what that is)")


def options_from_args(args: argparse.Namespace) -> AnswerOptions:
    return AnswerOptions(cv=getattr(args, "cv", None), job_description=getattr(args, "jd", None),
                         dossier=getattr(args, "dossier", None),
                         provider=getattr(args, "provider", None),
                         model=getattr(args, "llm_model", None),
                         base_url=getattr(args, "base_url", None),
                         style=getattr(args, "answer_style", None),
                         share=getattr(args, "share", None),
                         cloud_consent=bool(getattr(args, "consent_cloud", False)),
                         speculate=getattr(args, "speculate", None),
                         command_line=True)


def api_key_name(provider: str) -> str:
    return provider_spec(provider).keyring_name


def _secret_store(keyring_backend: KeyringBackend | None,
                  allow_insecure_keyring: bool) -> SecretStore:
    from smart_interview.sync.secrets import SecretStore

    if keyring_backend is None:
        import keyring

        keyring_backend = keyring.get_keyring()
    return SecretStore(keyring_backend, allow_insecure_backend=allow_insecure_keyring)


def read_api_key(provider: str, *, keyring_backend: KeyringBackend | None = None,
                 allow_insecure_keyring: bool = False,
                 environ: dict[str, str] | None = None) -> str | None:
    """The provider's key from the keyring, else (OpenAI/Anthropic only) the environment."""
    from smart_interview.sync.errors import SecretStoreError

    spec = provider_spec(provider)
    try:
        key = _secret_store(keyring_backend, allow_insecure_keyring).get(spec.keyring_name)
    except SecretStoreError:
        key = None
    if key:
        return str(key)
    variable = spec.environment_variable
    env = os.environ if environ is None else environ
    return (env.get(variable) or None) if variable else None


def store_api_key(provider: str, key: str, *, keyring_backend: KeyringBackend | None = None,
                  allow_insecure_keyring: bool = False) -> None:
    """Saves (or with an empty key, removes) a provider's API key in the keyring."""
    store = _secret_store(keyring_backend, allow_insecure_keyring)
    if key.strip():
        store.set(api_key_name(provider), key.strip())
    else:
        store.delete(api_key_name(provider))


def read_document(path: Path) -> str:
    """Text of a CV or job description file; PDF/DOCX through the CV text extractor."""
    if not path.is_file():
        raise AppError(f"{path} does not exist or is not a file")
    if path.suffix.lower() in TEXT_SUFFIXES or path.suffix == "":
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise AppError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        from smart_interview.sync.cv_text import extract_text
    except ImportError as exc:
        raise AppError(f"reading {path.suffix} files needs the CV text extractor, which this "
                       "build lacks; save the document as .txt and use that") from exc
    try:
        text = extract_text(path)
    except Exception as exc:  # the extractor's own error tree; its message is actionable
        raise AppError(f"cannot read {path}: {exc}") from exc
    if not text.strip():
        raise AppError(f"{path} holds no readable text (a scanned image?); save it as .txt")
    return text


def dossier_context(dossier: Dossier | dict[str, Any]) -> DossierContext:
    """From a `models.account.Dossier` or the backend's DossierPublic JSON dict."""
    from smart_interview.answers.context_sources import DossierContext

    if isinstance(dossier, dict):
        return DossierContext.from_public(dossier)
    match = dossier.match
    return DossierContext(
        job_title=dossier.job_title, company=dossier.company,
        match_summary=getattr(match, "summary", "") or "",
        matched=tuple((m.skill, m.evidence) for m in getattr(match, "matched", ()) or ()),
        missing=tuple((m.skill, m.evidence) for m in getattr(match, "missing", ()) or ()),
        cover_letter=dossier.cover_letter or "")


def _load_dossier_file(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AppError(f"cannot read the dossier {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise AppError(f"{path} is not a dossier (expected a JSON object)")
    return raw


def interview_context(options: AnswerOptions, *, dossier: Dossier | dict[str, Any] | None = None,
                      cv_text: str | None = None, cv_summary: str = "") -> InterviewContext:
    """The documents of this interview: files named in `options` win over what the app
    already holds (the synced CV, the selected dossier)."""
    from smart_interview.answers.context_sources import InterviewContext

    if dossier is None and options.dossier is not None:
        dossier = _load_dossier_file(options.dossier)
    cv = read_document(options.cv) if options.cv else (cv_text or "")
    jd = read_document(options.job_description) if options.job_description else ""
    dossier_ctx = dossier_context(dossier) if dossier is not None else None
    if dossier is not None:
        if isinstance(dossier, dict):
            snapshot, job = dossier.get("cv_snapshot"), dossier.get("job_description")
        else:
            snapshot, job = dossier.cv_snapshot, dossier.job_description
        cv = cv or str(snapshot or "")
        jd = jd or str(job or "")
    return InterviewContext(cv_text=cv, cv_summary=cv_summary, job_description=jd,
                            dossier=dossier_ctx)


def build_provider(*, provider: str, model: str, base_url: str, api_key: str | None,
                   client: httpx.Client) -> ChatProvider:
    """The engine's provider, after the key check and the endpoint policy."""
    spec = provider_spec(provider)
    if spec.factory is None:
        raise AppError(f"{display_name(spec)} writes no answers")
    if spec.key_required and not api_key:
        hint = f" or set {spec.environment_variable}" if spec.environment_variable else ""
        raise AppError(f"no API key for {display_name(spec)}: save one in Settings → Answers "
                       f"(keyring entry '{spec.keyring_name}'){hint}")
    endpoint = resolve_endpoint(spec, base_url)
    return spec.factory(ProviderConfig(client=client, model=model or spec.default_model,
                                       endpoint=endpoint, api_key=api_key))


def chosen_provider(options: AnswerOptions, settings: Settings) -> str:
    provider = options.provider or settings.answers.provider or NO_PROVIDER
    provider_spec(provider)  # an unknown id is an AppError
    return provider


def speculation_enabled(settings: Settings, where: answer_sharing.Destination | None, *,
                        choice: str | None = None) -> bool:
    """Whether answers to `where` (None: no answers) are asked for at the pause. `choice`
    (the command line's) wins over `answers.speculate`."""
    wanted = choice or settings.answers.speculate or "auto"
    if wanted not in SPECULATE_CHOICES:
        raise AppError(f"unknown choice {wanted!r} for Settings → Answers → Answer early; "
                       f"choose one of {', '.join(SPECULATE_CHOICES)}")
    if where is None or wanted == "off":
        return False
    return wanted == "on" or is_local_server(where)


def is_local_server(where: answer_sharing.Destination) -> bool:
    """A model server of the user's own: on this device, or at a private-network address."""
    if where.on_device:
        return True
    if not provider_spec(where.provider).takes_base_url:
        return False  # OpenAI, Anthropic: always their paid cloud
    try:
        address = ipaddress.ip_address(where.host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def build(*, settings: Settings, options: AnswerOptions | None = None,
          args: argparse.Namespace | None = None, paths: AppPaths | None = None,
          emit: Callable[[dict], None] | None = None,
          on_event: Callable[[AnswerEvent], None] | None = None,
          clock: Callable[[], float], dossier: Dossier | dict[str, Any] | None = None,
          cv_text: str | None = None, cv_summary: str = "",
          keyring_backend: KeyringBackend | None = None,
          allow_insecure_keyring: bool = False,
          transport: httpx.BaseTransport | None = None,
          door: NetworkDoor | None = None) -> AnswerPipeline:
    """The pipeline for one interview. Questions are detected whether or not there is any
    context; talking points need a CV, job description or dossier; written answers need a
    provider. `dossier`, `cv_text` and `cv_summary` are what the desktop app already loaded
    (the selected dossier, the synced CV); files named in `options` win. `args` is the parsed
    command line, for callers that have not converted it (`options_from_args`). The
    provider's requests go through `door` (a new one when None), which logs them."""
    import httpx

    from smart_interview.answers.pipeline import AnswerPipeline
    from smart_interview.app.network.door import NetworkDoor
    from smart_interview.app.network.log import Purpose

    if options is None:
        options = options_from_args(args) if args is not None else AnswerOptions()
    provider = chosen_provider(options, settings)
    style = options.style or settings.answers.style or "bullets"
    if style not in STYLES:
        raise AppError(f"unknown answer style {style!r}; choose one of {', '.join(STYLES)}")
    chosen_share = answer_sharing.checked_share(
        options.share or settings.answers.share or answer_sharing.DEFAULT_SHARE)
    context = interview_context(options, dossier=dossier, cv_text=cv_text,
                                cv_summary=cv_summary)
    chat: ChatProvider | None = None
    client: httpx.Client | None = None
    spec = provider_spec(provider)
    share = chosen_share
    speculate = False
    if spec.writes_answers:
        model = options.model or settings.answers.model or spec.default_model
        base_url = options.base_url or settings.answers.base_url or ""
        where = answer_sharing.destination(spec, resolve_endpoint(spec, base_url))
        share = answer_sharing.effective_share(where, chosen_share)
        speculate = speculation_enabled(settings, where, choice=options.speculate)
        key = read_api_key(provider, keyring_backend=keyring_backend,
                           allow_insecure_keyring=allow_insecure_keyring)
        agreed = options.cloud_consent or answer_sharing.has_consent(settings, where, share)
        if not agreed and (key or not spec.key_required):  # a missing key is said first
            raise _consent_required(context, where, share, style, options.command_line)
        client = (door or NetworkDoor()).client(purpose=Purpose.ANSWER, inner=transport,
                                                timeout=httpx.Timeout(10.0, read=60.0))
        try:
            chat = build_provider(provider=provider, model=model, base_url=base_url,
                                  api_key=key, client=client)
        except AppError:
            client.close()
            raise
    closers = (client.close,) if client is not None else ()
    from smart_interview.app.embedding_model import encoder_for

    try:
        encoder = encoder_for(context, paths=paths, settings=settings)
        return AnswerPipeline(context=context, provider=chat, emit=emit, on_event=on_event,
                              clock=clock, style=style, share=share, closers=closers,
                              speculate=speculate, encoder=encoder)
    except BaseException:
        if client is not None:
            client.close()
        raise


def _consent_required(context: InterviewContext, where: answer_sharing.Destination, share: str,
                      style: str, command_line: bool) -> answer_sharing.ConsentRequired:
    shown = answer_sharing.preview(context, where=where, share=share, style=style)
    how = ("Review it and agree in Settings → Answers" + (
        ", or run again with --consent-cloud to agree for this run only" if command_line
        else "") + "; or choose talking points or a model server on this device.")
    return answer_sharing.ConsentRequired(
        f"{where.label} has not been allowed to receive your interview yet. "
        f"{shown.summary()} {how}")


def destination(provider: str, base_url: str) -> answer_sharing.Destination | None:
    """Where `provider`'s answers would go with `base_url`, after the endpoint policy; None
    for talking points only. `AppError` when the URL is refused."""
    spec = provider_spec(provider)
    if not spec.writes_answers:
        return None
    return answer_sharing.destination(spec, resolve_endpoint(spec, base_url))


def send_preview(where: answer_sharing.Destination, *, share: str, style: str,
                 dossier: Dossier | dict[str, Any] | None = None, cv_text: str = "",
                 cv_summary: str = "") -> answer_sharing.SendPreview:
    """What each question would send to `where`, built from the documents the app holds."""
    context = interview_context(AnswerOptions(), dossier=dossier, cv_text=cv_text,
                                cv_summary=cv_summary)
    return answer_sharing.preview(context, where=where, share=share, style=style)
