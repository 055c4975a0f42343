"""Text files (.txt, .md): decoded strictly, refused with a reason when they are not text.

A byte-order mark decides the encoding (UTF-8, UTF-16, UTF-32) and the bytes must then be valid
in it. Without one the file is UTF-8, or else Windows-1252 (the other encoding Windows editors
save by default). The result must be mostly readable characters: random or binary bytes
"decode" as Windows-1252 too, into mojibake that must not become a stored CV.
"""

from __future__ import annotations

import unicodedata

from smart_interview.sync.cv_text.limits import MAX_LEGACY_NON_ASCII_SHARE, MAX_UNREADABLE_SHARE
from smart_interview.sync.errors import CorruptFileError

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
_SAVE_AS_UTF8 = "Open it in a text editor and save it as UTF-8 text, or paste the text."
_READABLE_CONTROLS = frozenset("\t\n\r\f\v")


def decode_text_file(raw: bytes, *, file_name: str) -> str:
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise CorruptFileError(
                    f"{file_name} is marked as {label} text but is not valid {label}: "
                    f"{_what_broke(exc)} at byte {exc.start + len(bom):,}. {_SAVE_AS_UTF8}",
                    code="bad_encoding",
                ) from exc
            return _readable(text, file_name=file_name)
    if b"\x00" in raw[:4096]:
        raise CorruptFileError(
            f"{file_name} does not look like a text file (it contains binary data). If it is "
            f"text in UTF-16 without a byte-order mark: {_SAVE_AS_UTF8}",
            code="not_text",
        )
    try:
        return _readable(raw.decode("utf-8"), file_name=file_name)
    except UnicodeDecodeError as exc:
        failure = exc
    lenient = raw.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    if sum(1 for char in lenient if ord(char) > 0x7F) - broken >= broken:
        # Mostly real UTF-8 characters around the broken bytes: damaged UTF-8, not Windows-1252.
        raise CorruptFileError(
            f"{file_name} is UTF-8 text with broken bytes ({_what_broke(failure)} at byte "
            f"{failure.start:,}). {_SAVE_AS_UTF8}",
            code="bad_encoding",
        ) from failure
    text = _readable(raw.decode("cp1252", errors="replace"), file_name=file_name)
    visible = [char for char in text if not char.isspace()]
    non_ascii = sum(1 for char in visible if ord(char) > 0x7F)
    if visible and non_ascii / len(visible) > MAX_LEGACY_NON_ASCII_SHARE:
        raise CorruptFileError(
            f"{file_name} is not UTF-8 text, and read as Windows-1252 "
            f"{non_ascii / len(visible):.0%} of it is accented letters or symbols: it is in "
            f"another encoding, or not text at all. {_SAVE_AS_UTF8}",
            code="not_text",
        )
    return text


def _readable(text: str, *, file_name: str) -> str:
    """`text`, unless more than a few percent of it is control codes, unassigned or private
    code points, or replacement characters."""
    unreadable = sum(1 for char in text if _unreadable(char))
    if text and unreadable / len(text) > MAX_UNREADABLE_SHARE:
        raise CorruptFileError(
            f"{file_name} is not a text file: {unreadable / len(text):.0%} of it is control "
            "codes or bytes that are not characters (another kind of file renamed, or "
            f"damaged). Choose the CV itself (PDF, DOCX or text), or paste the text.",
            code="not_text",
        )
    return text


def _unreadable(char: str) -> bool:
    if char == "\ufffd":
        return True
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in _READABLE_CONTROLS
    return category in ("Cn", "Co", "Cs")


def _what_broke(exc: UnicodeDecodeError) -> str:
    if "truncated" in exc.reason or "end of data" in exc.reason:
        return "it ends in the middle of a character"
    if "surrogate" in exc.reason:
        return "a broken character (an unpaired surrogate)"
    return "a byte that is not part of a valid character"
