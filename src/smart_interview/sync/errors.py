"""Everything that can go wrong between the device and the backend, as one small tree.

    SyncError                    base; `str(exc)` is a sentence a person can act on
    ├── ConfigurationError       bad server URL (e.g. plain http:// to a remote host)
    ├── SecretStoreError         no keyring on the allowlist of OS vaults
    │                            (`secrets.SECURE_BACKENDS`), or it is locked / refused access
    ├── NetworkError             server unreachable, timed out, connection dropped
    ├── AuthError                401/403: wrong password (`invalid_credentials`; a wrong
    │   │                        current password is `reauthentication_failed`), session
    │   │                        ended, not signed in
    │   └── RateLimitedError     429 `too_many_attempts`: too many wrong passwords
    │                            (`retry_after` seconds)
    ├── QuotaExceededError       429 `quota_exceeded`: registrations or dossiers over the
    │                            server's limit (`retry_after` seconds)
    ├── ValidationError          400/409/413/422: the request itself was refused (e.g.
    │   │                        `password_too_common`)
    │   └── ConflictError        409: e.g. a dossier needs a CV first
    ├── NotFoundError            404: CV or dossier does not exist (any more)
    ├── ServerError              5xx or an answer that is not the documented JSON
    └── CvTextError              a CV file could not be turned into text on the device
        ├── UnsupportedFileError   a type that is not a CV format (.doc, .png), or no such file
        ├── EncryptedFileError     password-protected PDF or DOCX
        ├── ScannedFileError       a PDF of images with no text layer
        ├── CorruptFileError       damaged file, malformed XML, an XML DTD in a DOCX, a broken
        │                          text encoding, or bytes that are not text
        ├── EmptyCvError           no text at all
        └── CvTooLargeError        past a limit in `cv_text.limits`: file size, text length,
                                   page count, zip bomb, flate bomb

`CvTextError.code` says which case it is (e.g. "archive_too_large", "pdf_too_large",
"bad_xml", "docx_doctype", "bad_encoding", "not_text"); the message names the file, what is
wrong with it and what to do (export again as PDF/DOCX, save as UTF-8, or paste the text).
httpx exceptions never leave the package: the client wraps them into NetworkError. Messages
never contain tokens, passwords or CV text.
"""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync error. `code` is the backend's stable error code when there is one."""

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class ConfigurationError(SyncError):
    pass


class SecretStoreError(SyncError):
    pass


class NetworkError(SyncError):
    pass


class AuthError(SyncError):
    pass


class RateLimitedError(AuthError):
    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class QuotaExceededError(SyncError):
    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.retry_after = retry_after


class ValidationError(SyncError):
    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: list[object] | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.details = details or []


class ConflictError(ValidationError):
    pass


class NotFoundError(SyncError):
    pass


class ServerError(SyncError):
    pass


class CvTextError(SyncError):
    """The CV could not be read on the device; nothing was sent anywhere."""


class UnsupportedFileError(CvTextError):
    pass


class EncryptedFileError(CvTextError):
    pass


class ScannedFileError(CvTextError):
    pass


class CorruptFileError(CvTextError):
    pass


class EmptyCvError(CvTextError):
    pass


class CvTooLargeError(CvTextError):
    pass
