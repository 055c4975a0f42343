"""PDF text with pypdf, inside limits.

Reading order: pypdf's plain extraction follows the content stream, which for the two-column
CVs we checked (LaTeX AltaCV and Deedy, Chromium-printed two-column templates, sidebar layouts)
yields one column after the other, each in order. Its "layout" mode keeps the visual columns side
by side on each line, which interleaves two unrelated sentences, so plain mode is used.
Justified lines set by LuaTeX/XeTeX come out with the words glued together in plain mode; a
second pass that reads wide TJ gaps as spaces fixes them (see `_widen_word_gaps`).

Limits: pypdf's own decompression limits are lowered to what a CV can need
(`pdf_configuration`), and each page's content streams and form XObjects are decoded under them
before the text is extracted, because pypdf's text extraction logs and skips a form that fails
to decode (a bomb there would otherwise read as "no text": a scanned image). The page count and
the text pulled out are bounded too.
"""

from __future__ import annotations

import io
import re
from typing import Any

from smart_interview.sync.cv_text.limits import (
    MAX_FILE_BYTES,
    MAX_PDF_FORM_XOBJECTS_PER_PAGE,
    MAX_PDF_PAGES,
    MAX_PDF_STREAM_BYTES,
    MAX_RAW_CHARACTERS,
    MIB,
)
from smart_interview.sync.cv_text.normalise import normalise, too_long
from smart_interview.sync.errors import (
    CorruptFileError,
    CvTooLargeError,
    EncryptedFileError,
    ScannedFileError,
)

_LETTERS = re.compile(r"[^A-Za-z]")
_MAX_FORM_DEPTH = 8


def pdf_configuration() -> Any:
    """pypdf's configuration with its decompression and structure limits lowered to what a CV
    can need."""
    from pypdf import get_configuration

    return get_configuration().with_overwrites(
        maximum_declared_stream_length=MAX_FILE_BYTES,
        zlib_maximum_output_length=MAX_PDF_STREAM_BYTES,
        lzw_maximum_output_length=MAX_PDF_STREAM_BYTES,
        run_length_maximum_output_length=MAX_PDF_STREAM_BYTES,
        brotli_maximum_output_length=MAX_PDF_STREAM_BYTES,
        jbig2_maximum_output_length=MAX_PDF_STREAM_BYTES,
        array_based_stream_maximum_output_length=MAX_PDF_STREAM_BYTES,
        image_maximum_buffer_size=MAX_PDF_STREAM_BYTES,
        stream_decoding_work_maximum_length=4 * MAX_PDF_STREAM_BYTES,
        page_tree_maximum_entries=20 * MAX_PDF_PAGES,
        xform_maximum_invocations_per_extraction=MAX_PDF_FORM_XOBJECTS_PER_PAGE,
    )


def pdf_text(data: bytes, *, file_name: str) -> str:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError, PdfStreamError

    if not data[:1024].lstrip().startswith(b"%PDF"):
        raise CorruptFileError(
            f"{file_name} is not a PDF (it may be misnamed or damaged). Open it and export it "
            "as PDF again.",
            code="not_pdf",
        )
    try:
        with apply_configuration(pdf_configuration()):
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise _encrypted(file_name)
            declared = _declared_page_count(reader)
            if declared > MAX_PDF_PAGES:
                raise _too_many_pages(file_name, declared)
            pages = list(reader.pages)  # pypdf's page-tree limit holds if /Count lies
            if len(pages) > MAX_PDF_PAGES:
                raise _too_many_pages(file_name, len(pages))
            texts: list[str] = []
            characters = 0
            for page in pages:
                _decode_page_streams(page)
                texts.append(_page_text(page))
                characters += len(texts[-1])
                if characters > MAX_RAW_CHARACTERS:
                    raise too_long(file_name, MAX_RAW_CHARACTERS, at_least=True)
    except (EncryptedFileError, CvTooLargeError):
        raise
    except FileNotDecryptedError as exc:
        raise _encrypted(file_name) from exc
    except LimitReachedError as exc:
        raise CvTooLargeError(
            f"{file_name} was not read: part of it expands past what a CV can hold (more than "
            f"{MAX_PDF_STREAM_BYTES // MIB} MB from one compressed stream, or a huge page tree), "
            "so it is damaged or built to exhaust memory. Export the CV from your editor as PDF "
            "again, or paste the text.",
            code="pdf_too_large",
        ) from exc
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorruptFileError(_damaged(file_name), code="corrupt") from exc
    if not pages:
        raise CorruptFileError(_damaged(file_name), code="corrupt")
    # TeX fonts map the hyphen glyph to U+00AD; in a PDF it is a printed hyphen, not a hint.
    text = "\n\n".join(texts).replace("\u00ad", "-")
    if not normalise(text) and any(_has_images(page) for page in pages):
        raise ScannedFileError(
            f"{file_name} is a scanned image with no text layer, so its words cannot be read. "
            "Export the CV from your editor as PDF or DOCX, run it through OCR, or paste the text.",
            code="scanned",
        )
    return text


def _decode_page_streams(page: Any) -> None:
    """Decode the page's content streams and (nested) form XObjects under the configured
    limits, so that a bomb raises LimitReachedError instead of being skipped."""
    contents = page.get_contents()
    if contents is not None:
        contents.get_data()
    _decode_forms(page.get("/Resources"), seen=set(), depth=0)


def _decode_forms(resources: Any, *, seen: set[int], depth: int) -> None:
    from pypdf.errors import LimitReachedError
    from pypdf.generic import DictionaryObject, StreamObject

    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject) or depth > _MAX_FORM_DEPTH:
        return
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, DictionaryObject):
        return
    for reference in xobjects.values():
        form = reference.get_object()
        if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
            continue
        if id(form) in seen:
            continue
        seen.add(id(form))
        if len(seen) > MAX_PDF_FORM_XOBJECTS_PER_PAGE:
            raise LimitReachedError("too many form XObjects on one page")
        form.get_data()
        _decode_forms(form.get("/Resources"), seen=seen, depth=depth + 1)


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


def _declared_page_count(reader: Any) -> int:
    """The page tree's /Count, read before the tree is walked (0 when it is unreadable)."""
    try:
        return int(reader.trailer["/Root"].get_object()["/Pages"].get_object()["/Count"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return 0


def _too_many_pages(file_name: str, pages: int) -> CvTooLargeError:
    return CvTooLargeError(
        f"{file_name} has {pages:,} pages; a CV may have at most {MAX_PDF_PAGES}. Export only "
        "the CV pages, or paste the text.",
        code="too_many_pages",
    )


def _encrypted(file_name: str) -> EncryptedFileError:
    return EncryptedFileError(
        f"{file_name} is password-protected. Save an unprotected copy (print to PDF) or paste "
        "the text instead.",
        code="encrypted",
    )


def _damaged(file_name: str) -> str:
    return (
        f"{file_name} is damaged and cannot be read (it may be incomplete). Download or export "
        "it again, or paste the text."
    )


def _has_images(page: object) -> bool:
    try:
        return len(page.images) > 0  # type: ignore[attr-defined]
    except Exception:  # a broken image stream still means "there were images"
        return True
