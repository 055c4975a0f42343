"""CV text extraction on the device: PDF (pypdf), DOCX (python-docx), TXT/MD, or pasted text.

The text returned here is exactly what will be stored (the user previews it before upload), so
every path ends in the same normalisation. Every failure is a specific `CvTextError` that says
what is wrong with the file and what to do. Files are hostile until checked: sizes, expansion
ratios, page counts and text length are bounded (`limits`) before or while they are read, so a
zip or flate bomb, broken XML or a binary file renamed .txt gets a message, not a traceback or
an exhausted machine.
"""

from __future__ import annotations

from pathlib import Path

from smart_interview.sync.cv_text.limits import MAX_CHARACTERS, MAX_FILE_BYTES
from smart_interview.sync.cv_text.normalise import finish, normalise
from smart_interview.sync.errors import CvTooLargeError, UnsupportedFileError

__all__ = [
    "MAX_CHARACTERS",
    "MAX_FILE_BYTES",
    "TEXT_SUFFIXES",
    "extract_text",
    "normalise",
    "normalise_pasted",
]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})


def extract_text(path: Path) -> str:
    """The CV's text, normalised, or a `CvTextError` naming the problem and the fix."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise UnsupportedFileError(f"{path.name}: no such file.", code="file_not_found") from exc
    except OSError as exc:
        raise UnsupportedFileError(
            f"{path.name} cannot be opened ({exc.strerror}).", code="file_unreadable"
        ) from exc
    if size > MAX_FILE_BYTES:
        raise CvTooLargeError(
            f"{path.name} is {size / 1e6:.1f} MB; a CV file may be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Export it without images, or paste the text.",
            code="file_too_large",
        )
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from smart_interview.sync.cv_text.pdf import pdf_text

        text = pdf_text(_read(path), file_name=path.name)
    elif suffix == ".docx":
        from smart_interview.sync.cv_text.word import docx_text

        text = docx_text(_read(path), file_name=path.name)
    elif suffix in TEXT_SUFFIXES:
        from smart_interview.sync.cv_text.plain import decode_text_file

        text = decode_text_file(_read(path), file_name=path.name)
    elif suffix in (".doc", ".rtf", ".odt", ".pages"):
        raise UnsupportedFileError(
            f"{path.name}: {suffix} files are not supported. Save the CV as PDF or DOCX "
            "(File > Save As) or paste its text.",
            code="unsupported_type",
        )
    else:
        raise UnsupportedFileError(
            f"{path.name}: unsupported file type '{suffix or 'none'}'. Use a PDF, DOCX, TXT or "
            "MD file, or paste the text.",
            code="unsupported_type",
        )
    return finish(text, source=path.name)


def normalise_pasted(text: str) -> str:
    """Pasted CV text, normalised exactly like extracted text (and checked the same way)."""
    return finish(text, source="The pasted text")


def _read(path: Path) -> bytes:
    """The whole file, read once: every reader parses these bytes, so what was checked is what
    is parsed. At most `MAX_FILE_BYTES` + 1 bytes: the file may have grown since `stat`."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UnsupportedFileError(
            f"{path.name} cannot be opened ({exc.strerror}).", code="file_unreadable"
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise CvTooLargeError(
            f"{path.name} is over {MAX_FILE_BYTES // (1024 * 1024)} MB; a CV file may be at "
            "most that. Export it without images, or paste the text.",
            code="file_too_large",
        )
    return data
