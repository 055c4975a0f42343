"""Local stand-ins for the OpenAI and Anthropic HTTP APIs on 127.0.0.1.

They reproduce the documented wire format: OpenAI Chat Completions (``POST
/v1/chat/completions``, Bearer key, ``choices[0].message.content``; errors
``{"error": {"message", "type", "code"}}``) and Anthropic Messages (``POST /v1/messages``,
``x-api-key`` + ``anthropic-version: 2023-06-01``, ``content[{"type": "text"}]``; errors
``{"type": "error", "error": {"type", "message"}}``, 429/529). Every request is recorded;
scripted failures are answered first, then the normal answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-test-local-key"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.monotonic)


@dataclass
class Scripted:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeProvider:
    def __init__(self, kind: str) -> None:
        assert kind in ("openai", "anthropic")
        self.kind = kind
        self.requests: list[Recorded] = []
        self.script: deque[Scripted] = deque()
        self.summary_text = "AI summary: experienced engineer."
        self.dossier_answer: str = json.dumps(
            {
                "match": {
                    "score": 72,
                    "matched": [{"skill": "Python", "evidence": "Built Python services"}],
                    "missing": [{"skill": "Kubernetes", "evidence": "Experience with Kubernetes"}],
                    "summary": "Strong backend match.",
                },
                "cover_letter": "Dear Acme team, ...",
            }
        )
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.script.clear()

    # --- the provider's behaviour --------------------------------------------------------

    def error(self, status: int, kind: str, message: str, **headers: str) -> Scripted:
        if self.kind == "openai":
            code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
            body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        else:
            body = {"type": "error", "error": {"type": kind, "message": message}}
        return Scripted(status, body, headers)

    def _answer(self, recorded: Recorded) -> Scripted:
        headers = {key.lower(): value for key, value in recorded.headers.items()}
        body = recorded.body if isinstance(recorded.body, dict) else {}
        if self.kind == "openai":
            if recorded.path != "/v1/chat/completions":
                return Scripted(
                    404,
                    {
                        "error": {
                            "message": "Unknown path",
                            "type": "invalid_request_error",
                            "param": None,
                            "code": None,
                        }
                    },
                )
            if headers.get("authorization") != f"Bearer {API_KEY}":
                return self.error(401, "invalid_request_error", "Incorrect API key provided.")
            if not body.get("model") or not isinstance(body.get("messages"), list):
                return self.error(400, "invalid_request_error", "model and messages are required")
        else:
            if recorded.path != "/v1/messages":
                return Scripted(
                    404,
                    {"type": "error", "error": {"type": "not_found_error", "message": "Not found"}},
                )
            if headers.get("x-api-key") != API_KEY:
                return self.error(401, "authentication_error", "invalid x-api-key")
            if headers.get("anthropic-version") != "2023-06-01":
                return self.error(
                    400, "invalid_request_error", "anthropic-version header is required"
                )
            if not body.get("model") or not body.get("max_tokens") or not body.get("messages"):
                return self.error(
                    400, "invalid_request_error", "model, max_tokens, messages required"
                )
        with self._lock:
            if self.script:
                return self.script.popleft()
        text = self.dossier_answer if "Job description:" in json.dumps(body) else self.summary_text
        if self.kind == "openai":
            return Scripted(
                200,
                {
                    "id": "chatcmpl-local",
                    "object": "chat.completion",
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                },
            )
        return Scripted(
            200,
            {
                "id": "msg_local",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 10},
            },
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                recorded = Recorded("POST", self.path, dict(self.headers.items()), body)
                with fake._lock:
                    fake.requests.append(recorded)
                answer = fake._answer(recorded)
                payload = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
