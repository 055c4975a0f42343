"""The one normalisation every CV text goes through, whatever it came from."""

from __future__ import annotations

import re
import unicodedata

from smart_interview.sync.cv_text.limits import MAX_CHARACTERS, MAX_RAW_CHARACTERS
from smart_interview.sync.errors import CvTooLargeError, EmptyCvError

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_RUN = re.compile(r"\n{3,}")


def normalise(text: str) -> str:
    """Readable, stable text: Unicode NFC, no ligatures, icons, control characters or runs of
    spaces and blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    out = []
    for char in text:
        if char in _LIGATURES:
            out.append(_LIGATURES[char])
        elif char in "\n\t":
            out.append(char)
        elif char == "\u00ad" or "\ue000" <= char <= "\uf8ff":
            continue  # soft hyphen; private-use glyphs are icon fonts (phone, pin, ...)
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co"):
            continue
        else:
            out.append(char)
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(out).split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def finish(text: str, *, source: str) -> str:
    """`normalise`, with the length and emptiness checks every CV text gets."""
    if len(text) > MAX_RAW_CHARACTERS:
        raise too_long(source, len(text))
    text = normalise(text)
    if not text:
        raise EmptyCvError(f"{source} contains no text to use as a CV.", code="empty")
    if len(text) > MAX_CHARACTERS:
        raise too_long(source, len(text))
    return text


def too_long(source: str, characters: int, *, at_least: bool = False) -> CvTooLargeError:
    count = f"more than {characters:,}" if at_least else f"{characters:,}"
    return CvTooLargeError(
        f"{source} has {count} characters of text; a CV may have at most "
        f"{MAX_CHARACTERS:,}. Remove appendices or publication lists and try again.",
        code="text_too_long",
    )
