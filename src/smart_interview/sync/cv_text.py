"""CV text extraction on the device: PDF (pypdf), DOCX (python-docx), TXT/MD, or pasted text.

The text returned here is exactly what will be stored (the user previews it before upload), so
both paths end in the same normalisation. Every failure is a specific `CvTextError` that says
what to do.

PDF reading order: pypdf's plain extraction follows the content stream, which for the two-column
CVs we checked (LaTeX AltaCV and Deedy, Chromium-printed two-column templates, sidebar layouts)
yields one column after the other, each in order. Its "layout" mode keeps the visual columns side
by side on each line, which interleaves two unrelated sentences, so plain mode is used.
Justified lines set by LuaTeX/XeTeX come out with the words glued together in plain mode; a
second pass that reads wide TJ gaps as spaces fixes them (see `_widen_word_gaps`).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from smart_interview.sync.errors import (
    CorruptFileError,
    CvTooLargeError,
    EmptyCvError,
    EncryptedFileError,
    ScannedFileError,
    UnsupportedFileError,
)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_CHARACTERS = 200_000
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})

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
_LETTERS = re.compile(r"[^A-Za-z]")


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
        text = _pdf_text(path)
    elif suffix == ".docx":
        text = _docx_text(path)
    elif suffix in TEXT_SUFFIXES:
        text = _decode_text_file(path)
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
    return _finish(text, source=path.name)


def normalise_pasted(text: str) -> str:
    """Pasted CV text, normalised exactly like extracted text (and checked the same way)."""
    return _finish(text, source="The pasted text")


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


def _finish(text: str, *, source: str) -> str:
    if len(text) > MAX_CHARACTERS * 2:
        raise CvTooLargeError(_too_long(source, len(text)), code="text_too_long")
    text = normalise(text)
    if not text:
        raise EmptyCvError(f"{source} contains no text to use as a CV.", code="empty")
    if len(text) > MAX_CHARACTERS:
        raise CvTooLargeError(_too_long(source, len(text)), code="text_too_long")
    return text


def _too_long(source: str, characters: int) -> str:
    return (
        f"{source} has {characters:,} characters of text; a CV may have at most "
        f"{MAX_CHARACTERS:,}. Remove appendices or publication lists and try again."
    )


def _decode_text_file(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise CorruptFileError(
            f"{path.name} does not look like a text file (it contains binary data).",
            code="not_text",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise CorruptFileError(
                f"{path.name} is not a PDF (it may be misnamed or damaged). Open it and export "
                "it as PDF again.",
                code="not_pdf",
            )
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedFileError(
                f"{path.name} is password-protected. Save an unprotected copy (print to PDF) "
                "or paste the text instead.",
                code="encrypted",
            )
        pages = list(reader.pages)
        texts = [_page_text(page) for page in pages]
    except EncryptedFileError:
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedFileError(
            f"{path.name} is password-protected. Save an unprotected copy or paste the text.",
            code="encrypted",
        ) from exc
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorruptFileError(_damaged(path), code="corrupt") from exc
    if not pages:
        raise CorruptFileError(_damaged(path), code="corrupt")
    # TeX fonts map the hyphen glyph to U+00AD; in a PDF it is a printed hyphen, not a hint.
    text = "\n\n".join(texts).replace("\u00ad", "-")
    if not normalise(text) and any(_has_images(page) for page in pages):
        raise ScannedFileError(
            f"{path.name} is a scanned image with no text layer, so its words cannot be read. "
            "Export the CV from your editor as PDF or DOCX, run it through OCR, or paste the text.",
            code="scanned",
        )
    return text


def _page_text(page: Any) -> str:
    """Plain extraction; for pages whose words run together, a second pass that reads wide
    gaps inside TJ arrays as spaces, kept when it finds clearly more words."""
    plain = str(page.extract_text() or "")
    words = plain.split()
    glued = sum(1 for word in words if len(_LETTERS.sub("", word)) >= 20)
    if not words or glued < max(2, len(words) // 50):
        return plain
    widened = str(page.extract_text(visitor_operand_before=_widen_word_gaps) or "")
    return widened if len(widened.split()) > 1.2 * len(words) else plain


def _widen_word_gaps(operator: bytes, operands: list[Any], *_: Any) -> None:
    """Justified TeX lines (LuaTeX/XeTeX fonts) position words with TJ offsets smaller than
    pypdf's space threshold (95 % of the font's space width), so pypdf glues the words. Offsets
    of 0.12 em or more are word gaps, never kerning: make them big enough to count."""
    from pypdf.generic import ArrayObject, FloatObject

    if operator != b"TJ" or not operands or not isinstance(operands[0], ArrayObject):
        return
    items = operands[0]
    for index, item in enumerate(items):
        number = isinstance(item, int | float) and not isinstance(item, bool)
        if number and -1000 < float(item) <= -120:
            items[index] = FloatObject(-1000)


def _damaged(path: Path) -> str:
    return (
        f"{path.name} is damaged and cannot be read (it may be incomplete). Download or export "
        "it again, or paste the text."
    )


def _has_images(page: object) -> bool:
    try:
        return len(page.images) > 0  # type: ignore[attr-defined]
    except Exception:  # a broken image stream still means "there were images"
        return True


def _docx_text(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise CorruptFileError(
            f"{path.name} is not a valid DOCX file (damaged, or an old .doc renamed). Open it "
            "in your editor and save it as DOCX or PDF again.",
            code="corrupt",
        ) from exc
    lines: list[str] = []
    for section in document.sections[:1]:
        lines.extend(p.text for p in section.header.paragraphs if p.text.strip())
    _docx_blocks(document, lines)
    _docx_text_boxes(document, lines)
    return "\n".join(lines)


def _docx_blocks(container: object, lines: list[str]) -> None:
    from docx.table import Table

    for block in container.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    cell_lines: list[str] = []
                    _docx_blocks(cell, cell_lines)
                    text = "\n".join(cell_lines).strip()
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                lines.append("\n".join(cells))
        else:
            lines.append(block.text)


def _docx_text_boxes(document: object, lines: list[str]) -> None:
    """Text boxes (sidebars in many templates) are not in the paragraph flow; add them once."""
    from docx.oxml.ns import qn

    seen = set("\n".join(lines).split("\n"))
    body = document.element.body  # type: ignore[attr-defined]
    for box in body.iter(qn("w:txbxContent")):
        for para in box.iter(qn("w:p")):
            text = "".join(node.text or "" for node in para.iter(qn("w:t")))
            if text.strip() and text not in seen:
                seen.add(text)
                lines.append(text)
