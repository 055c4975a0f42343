"""Builds the answer pipeline from command-line options, settings and the keyring.

The composition root for `answers`: reads the CV and job description files, picks the provider
and its API key (keyring service "smart-interview", name "provider:<provider>"; the
environment's OPENAI_API_KEY / ANTHROPIC_API_KEY as a fallback for those two providers only —
an OpenAI key is never sent to another OpenAI-compatible server), and hands the engine an
httpx client and the session clock.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smart_interview.app.errors import CliError
from smart_interview.app.paths import AppPaths
from smart_interview.app.settings import Settings

if TYPE_CHECKING:
    from smart_interview.answers.context_sources import DossierContext, InterviewContext
    from smart_interview.answers.pipeline import AnswerPipeline
    from smart_interview.answers.providers.base import ChatProvider

PROVIDERS = ("none", "openai", "anthropic", "openai_compatible")
STYLES = ("bullets", "spoken", "star")
DEFAULT_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-3-5-haiku-latest",
                  "openai_compatible": "default"}
PROVIDER_NAMES = {"openai": "OpenAI", "anthropic": "Anthropic"}
ENV_KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


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


def api_key_name(provider: str) -> str:
    return f"provider:{provider}"


def _secret_store(keyring_backend: Any | None, allow_insecure_keyring: bool) -> Any:
    from smart_interview.sync.secrets import SecretStore

    if keyring_backend is None:
        import keyring

        keyring_backend = keyring.get_keyring()
    return SecretStore(keyring_backend, allow_insecure_backend=allow_insecure_keyring)


def read_api_key(provider: str, *, keyring_backend: Any | None = None,
                 allow_insecure_keyring: bool = False,
                 environ: dict[str, str] | None = None) -> str | None:
    """The provider's key from the keyring, else (OpenAI/Anthropic only) the environment."""
    from smart_interview.sync.errors import SecretStoreError

    try:
        key = _secret_store(keyring_backend, allow_insecure_keyring).get(api_key_name(provider))
    except SecretStoreError:
        key = None
    if key:
        return key
    variable = ENV_KEYS.get(provider)
    env = os.environ if environ is None else environ
    return (env.get(variable) or None) if variable else None


def store_api_key(provider: str, key: str, *, keyring_backend: Any | None = None,
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
        raise CliError(f"{path} does not exist or is not a file")
    if path.suffix.lower() in TEXT_SUFFIXES or path.suffix == "":
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        from smart_interview.sync.cv_text import extract_text
    except ImportError as exc:
        raise CliError(f"reading {path.suffix} files needs the CV text extractor, which this "
                       "build lacks; save the document as .txt and pass that") from exc
    try:
        text = extract_text(path)
    except Exception as exc:  # the extractor's own error tree; its message is actionable
        raise CliError(f"cannot read {path}: {exc}") from exc
    if not text.strip():
        raise CliError(f"{path} holds no readable text (a scanned image?); save it as .txt")
    return text


def dossier_context(dossier: Any) -> DossierContext:
    """From a `models.account.Dossier` or the backend's DossierPublic JSON dict."""
    from smart_interview.answers.context_sources import DossierContext

    if isinstance(dossier, dict):
        return DossierContext.from_public(dossier)
    match = getattr(dossier, "match", None)
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
        raise CliError(f"cannot read the dossier {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise CliError(f"{path} is not a dossier (expected a JSON object)")
    return raw


def interview_context(*, args: argparse.Namespace, dossier: Any | None = None,
                      cv_text: str | None = None, cv_summary: str = "") -> InterviewContext:
    from smart_interview.answers.context_sources import InterviewContext

    cv_path = getattr(args, "cv", None)
    jd_path = getattr(args, "jd", None)
    dossier_path = getattr(args, "dossier", None)
    if dossier is None and dossier_path is not None:
        dossier = _load_dossier_file(dossier_path)
    cv = read_document(cv_path) if cv_path else (cv_text or "")
    jd = read_document(jd_path) if jd_path else ""
    dossier_ctx = dossier_context(dossier) if dossier is not None else None
    if dossier is not None:
        snapshot = dossier.get("cv_snapshot") if isinstance(dossier, dict) else getattr(
            dossier, "cv_snapshot", "")
        job = dossier.get("job_description") if isinstance(dossier, dict) else getattr(
            dossier, "job_description", "")
        cv = cv or str(snapshot or "")
        jd = jd or str(job or "")
    return InterviewContext(cv_text=cv, cv_summary=cv_summary, job_description=jd,
                            dossier=dossier_ctx)


def build_provider(*, provider: str, model: str, base_url: str, api_key: str | None,
                   client: Any) -> ChatProvider:
    from smart_interview.answers.providers.anthropic import (
        ANTHROPIC_BASE_URL,
        AnthropicMessagesProvider,
    )
    from smart_interview.answers.providers.openai import OPENAI_BASE_URL, OpenAIChatProvider

    if provider in ("openai", "anthropic") and not api_key:
        raise CliError(f"no API key for {PROVIDER_NAMES[provider]}: save one in Settings → "
                       f"Answers (keyring entry '{api_key_name(provider)}') or set "
                       f"{ENV_KEYS[provider]}")
    if provider == "openai":
        return OpenAIChatProvider(client=client, model=model, api_key=api_key,
                                  base_url=base_url or OPENAI_BASE_URL)
    if provider == "anthropic":
        return AnthropicMessagesProvider(client=client, model=model, api_key=api_key or "",
                                         base_url=base_url or ANTHROPIC_BASE_URL)
    if not base_url:
        raise CliError("openai_compatible needs --base-url, e.g. http://127.0.0.1:11434/v1")
    if not base_url.startswith(("http://", "https://")):
        raise CliError(f"--base-url must start with http:// or https://, not {base_url!r}")
    import httpx

    host = httpx.URL(base_url).netloc.decode() or base_url
    return OpenAIChatProvider(client=client, model=model, api_key=api_key, base_url=base_url,
                              name=f"the model server at {host}")


def build(*, args: argparse.Namespace, settings: Settings, paths: AppPaths,
          emit: Callable[[dict], None], clock: Callable[[], float], dossier: Any | None = None,
          cv_text: str | None = None, cv_summary: str = "", keyring_backend: Any | None = None,
          allow_insecure_keyring: bool = False) -> AnswerPipeline | None:
    """The pipeline, or None when there is no context and no provider (nothing to do).

    `dossier`, `cv_text` and `cv_summary` let the desktop app pass what it already loaded
    (the selected dossier, the synced CV); files named on the command line win."""
    import httpx

    from smart_interview.answers.pipeline import AnswerPipeline

    del paths  # nothing on disk yet: answers keep no files
    options = settings.answers
    provider = getattr(args, "provider", None) or options.provider or "none"
    if provider not in PROVIDERS:
        raise CliError(f"unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}")
    style = getattr(args, "answer_style", None) or options.style or "bullets"
    if style not in STYLES:
        raise CliError(f"unknown answer style {style!r}; choose one of {', '.join(STYLES)}")
    context = interview_context(args=args, dossier=dossier, cv_text=cv_text,
                                cv_summary=cv_summary)
    if context.is_empty and provider == "none":
        return None
    chat: ChatProvider | None = None
    client: httpx.Client | None = None
    if provider != "none":
        model = getattr(args, "llm_model", None) or options.model or DEFAULT_MODELS[provider]
        base_url = getattr(args, "base_url", None) or options.base_url or ""
        key = read_api_key(provider, keyring_backend=keyring_backend,
                           allow_insecure_keyring=allow_insecure_keyring)
        client = httpx.Client(timeout=httpx.Timeout(10.0, read=60.0),
                              transport=httpx.HTTPTransport(retries=0))
        try:
            chat = build_provider(provider=provider, model=model, base_url=base_url,
                                  api_key=key, client=client)
        except CliError:
            client.close()
            raise
    closers = (client.close,) if client is not None else ()
    return AnswerPipeline(context=context, provider=chat, emit=emit, clock=clock, style=style,
                          closers=closers)
