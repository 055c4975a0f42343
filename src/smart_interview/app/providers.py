"""The one table of answer providers: who writes the suggested answers, and where to.

Each `ProviderSpec` holds everything the app and the settings screen need to know about one
provider: its id (as stored in settings), the label the picker shows, the default model, the
keyring entry and environment variable its API key may come from, its endpoint policy, and the
factory that builds the engine's `ChatProvider`. Adding a provider is one entry here plus its
module under `answers.providers`.

Endpoint policy (what the answers may be sent to):
- OpenAI and Anthropic always go to their official hosts over https (`fixed_endpoint`). A base
  URL left in the settings from another provider is ignored, so their keys never reach any
  other server.
- Only an OpenAI-compatible server takes a base URL. It must be https, or plain http on this
  machine (127.0.0.0/8, ::1, localhost) such as Ollama; plain http to any other host is refused
  because the question, the transcript and the CV would cross the network in the clear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from smart_interview.app.errors import AppError

if TYPE_CHECKING:
    import httpx

    from smart_interview.answers.providers.base import ChatProvider

NO_PROVIDER = "none"


@dataclass(frozen=True)
class ProviderConfig:
    """What a factory needs: the resolved endpoint, model and key, and the HTTP client."""

    client: httpx.Client
    model: str
    endpoint: str
    api_key: str | None


ProviderFactory = Callable[[ProviderConfig], "ChatProvider"]


@dataclass(frozen=True)
class ProviderSpec:
    id: str
    label: str
    """What the settings picker shows."""
    default_model: str = ""
    key_required: bool = False
    environment_variable: str | None = None
    """Where the key may come from when the keyring has none (official providers only)."""
    fixed_endpoint: str | None = None
    """The official https endpoint; the settings' base URL is never used for this provider."""
    takes_base_url: bool = False
    factory: ProviderFactory | None = None

    @property
    def keyring_name(self) -> str:
        """The entry in the OS keyring (service "smart-interview") holding the API key."""
        return f"provider:{self.id}"

    @property
    def writes_answers(self) -> bool:
        return self.factory is not None


def _openai(config: ProviderConfig) -> ChatProvider:
    from smart_interview.answers.providers.openai import OpenAIChatProvider

    return OpenAIChatProvider(client=config.client, model=config.model, api_key=config.api_key,
                              base_url=config.endpoint)


def _anthropic(config: ProviderConfig) -> ChatProvider:
    from smart_interview.answers.providers.anthropic import AnthropicMessagesProvider

    return AnthropicMessagesProvider(client=config.client, model=config.model,
                                     api_key=config.api_key or "", base_url=config.endpoint)


def _openai_compatible(config: ProviderConfig) -> ChatProvider:
    from smart_interview.answers.providers.openai import OpenAIChatProvider

    host = urlsplit(config.endpoint).netloc or config.endpoint
    return OpenAIChatProvider(client=config.client, model=config.model, api_key=config.api_key,
                              base_url=config.endpoint, name=f"the model server at {host}")


PROVIDERS: dict[str, ProviderSpec] = {spec.id: spec for spec in (
    ProviderSpec(NO_PROVIDER, "Talking points only — no AI, nothing leaves this device"),
    ProviderSpec("openai", "OpenAI", default_model="gpt-4o-mini", key_required=True,
                 environment_variable="OPENAI_API_KEY",
                 fixed_endpoint="https://api.openai.com/v1", factory=_openai),
    ProviderSpec("anthropic", "Anthropic", default_model="claude-3-5-haiku-latest",
                 key_required=True, environment_variable="ANTHROPIC_API_KEY",
                 fixed_endpoint="https://api.anthropic.com", factory=_anthropic),
    ProviderSpec("openai_compatible", "OpenAI-compatible server (Ollama, LM Studio, vLLM…)",
                 default_model="llama3.1", takes_base_url=True, factory=_openai_compatible),
)}
PROVIDER_IDS = tuple(PROVIDERS)


def provider_spec(provider_id: str) -> ProviderSpec:
    try:
        return PROVIDERS[provider_id]
    except KeyError:
        raise AppError(f"unknown answer provider {provider_id!r}; choose one of "
                       f"{', '.join(PROVIDER_IDS)}") from None


def display_name(spec: ProviderSpec) -> str:
    return spec.label.split(" (")[0]


def is_loopback_host(host: str) -> bool:
    from smart_interview.sync.client import is_loopback_host as loopback

    return loopback(host)


def resolve_endpoint(spec: ProviderSpec, base_url: str) -> str:
    """Where this provider's requests go, after the endpoint policy (see the module doc)."""
    if spec.fixed_endpoint is not None:
        return spec.fixed_endpoint
    if not spec.takes_base_url:
        raise AppError(f"{display_name(spec)} sends nothing anywhere")
    url = base_url.strip()
    if not url:
        raise AppError(f"{display_name(spec)} needs the server's URL, e.g. "
                       "http://127.0.0.1:11434/v1 for Ollama (Settings → Answers → Server URL)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AppError(f"the answer server URL must start with http:// or https://, not "
                       f"{url!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise AppError(f"Refusing to send the interview to {parts.hostname} over plain http: "
                       "the question, transcript and CV would travel unencrypted. Use an "
                       "https:// URL (plain http is allowed only for a server on this machine, "
                       "127.0.0.1 or localhost).")
    return url.rstrip("/")
