"""Request and response bodies (Create / Public shapes per resource), as in the API contract."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_CV_CHARACTERS = 200_000
MAX_JOB_DESCRIPTION_CHARACTERS = 50_000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Status = Literal["pending", "ready", "failed"]


def _storable(value: str) -> str:
    """Text every database can keep: no NUL characters, no lone UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]


def _normalise_email(value: str) -> str:
    value = _storable(value).strip().lower()
    if not _EMAIL.match(value):
        raise ValueError("not a valid e-mail address")
    return value


Email = Annotated[str, Field(min_length=3, max_length=320), AfterValidator(_normalise_email)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Credentials(_Strict):
    email: Email
    password: Text = Field(min_length=8, max_length=1024)


class RegistrationAccepted(_Strict):
    email: str
    message: str


class LoginRequest(_Strict):
    email: Annotated[Text, Field(min_length=1, max_length=320)]
    password: Text = Field(min_length=1, max_length=1024)
    device_token: Text | None = Field(
        default=None,
        max_length=2048,
        description="The device_token of an earlier successful login on this device: failed "
        "logins from elsewhere then never lock this device out.",
    )


class PasswordChange(_Strict):
    current_password: Text = Field(min_length=1, max_length=1024)
    new_password: Text = Field(min_length=8, max_length=1024)


class Reauthentication(_Strict):
    password: Text = Field(min_length=1, max_length=1024)


class RefreshRequest(_Strict):
    refresh_token: Text = Field(min_length=1, max_length=512)


class AccountPublic(_Strict):
    id: str
    email: str
    created_at: datetime


class TokenPair(_Strict):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_expires_in: int = Field(
        description="Seconds the refresh token stays valid: counted from the login, not renewed "
        "by refreshing"
    )
    device_token: str | None = Field(
        default=None, description="Keep it on this device and send it with later logins"
    )


class CvPut(_Strict):
    text: Text = Field(min_length=1, max_length=MAX_CV_CHARACTERS)
    file_name: Text | None = Field(default=None, max_length=255)


class CvSummary(_Strict):
    status: Status
    text: str | None
    method: str = Field(description='"ai:openai", "ai:anthropic" or "extractive" (non-AI)')
    error: str | None
    updated_at: datetime


class CvPublic(_Strict):
    text: str
    file_name: str | None
    characters: int
    updated_at: datetime
    summary: CvSummary


class DossierCreate(_Strict):
    job_title: Text = Field(min_length=1, max_length=200)
    company: Text = Field(min_length=1, max_length=200)
    job_description: Text = Field(min_length=1, max_length=MAX_JOB_DESCRIPTION_CHARACTERS)


class MatchItem(_Strict):
    skill: str
    evidence: str


class CandidateMatch(_Strict):
    score: int = Field(ge=0, le=100)
    matched: list[MatchItem]
    missing: list[MatchItem]
    summary: str


class DossierSummary(_Strict):
    id: str
    job_title: str
    company: str
    status: Status
    created_at: datetime
    updated_at: datetime


class DossierPublic(DossierSummary):
    job_description: str
    cv_snapshot: str
    error: str | None
    method: str = Field(description='"ai:openai", "ai:anthropic" or "keyword-match" (non-AI)')
    match: CandidateMatch | None
    cover_letter: str | None


class DossierList(_Strict):
    items: list[DossierSummary]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last page")


class Health(_Strict):
    status: Literal["ok"]
    version: str
