"""Errors of the backend and how they become JSON.

Exception tree (everything the package raises on purpose):

    ServerError                 base of the package
    ├── ApiError                an HTTP error with a stable code, rendered as the JSON envelope
    ├── ConfigurationError      a setting is missing or invalid (CLI prints it, exit 2)
    └── generation.ProviderError  an AI provider call failed (see generation/providers.py)

Every HTTP error body is ``{"error": {"code": "<stable_snake_case>", "message": "<sentence>"}}``;
validation errors add ``"details"`` (location, message and type only — never the input, so a CV
text is never echoed into an error or a log).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("smart_interview_server")


class ServerError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigurationError(ServerError):
    """A setting is missing or invalid; the message says how to fix it."""


class ApiError(ServerError):
    """An error answered to the client with a stable ``code``."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.headers = headers


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


_GENERIC_CODES = {
    400: ("bad_request", "The request is malformed."),
    401: ("not_authenticated", "Log in first: this endpoint needs a bearer access token."),
    403: ("forbidden", "This action is not allowed."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that HTTP method."),
    413: ("request_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as application/json."),
    429: ("too_many_requests", "Too many requests; wait and try again."),
}


def _api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(
        error_body(exc.code, exc.message), status_code=exc.status_code, headers=exc.headers
    )


def _http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _GENERIC_CODES.get(exc.status_code, ("http_error", "The request failed."))
    if exc.status_code == 401:
        code = "not_authenticated"
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


def _validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    first = details[0] if details else None
    where = ".".join(first["loc"][1:] or first["loc"]) if first else "request"
    message = f"Invalid {where}: {first['msg']}" if first else "The request is invalid."
    return JSONResponse(error_body("validation_error", message, details=details), status_code=422)


def _unexpected_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    # Only the exception type is logged: messages of database errors may quote parameters.
    logger.error("unexpected error while handling a request: %s", type(exc).__name__)
    return JSONResponse(
        error_body("internal_error", "The server hit an unexpected error; try again later."),
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error_handler)
    app.add_exception_handler(Exception, _unexpected_error_handler)


class _ErrorDetailModel(BaseModel):
    code: str
    message: str


class ErrorBodyModel(BaseModel):
    """The JSON body of every error (documented in the OpenAPI schema)."""

    error: _ErrorDetailModel
