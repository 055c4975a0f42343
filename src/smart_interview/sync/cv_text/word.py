"""DOCX text with python-docx, after `archive.check_docx_archive` has vetted the zip.

The file's bytes (read once, at most `MAX_FILE_BYTES`) are checked, and the same bytes are given
to python-docx, so what is parsed is exactly what was checked. python-docx parses with
lxml, entity resolution off; lxml's defaults keep the network off and refuse text nodes over
10 MB (`huge_tree` off). An XML error becomes a `CorruptFileError`.
"""

from __future__ import annotations

import io
import zipfile

from smart_interview.sync.cv_text.archive import check_docx_archive, not_docx
from smart_interview.sync.errors import CorruptFileError


def docx_text(data: bytes, *, file_name: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    check_docx_archive(data, file_name=file_name)
    try:
        document = docx.Document(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        raise CorruptFileError(
            f"{file_name} is damaged: its text is not well-formed XML (line {exc.lineno}), so "
            "it was not written by a word processor or was cut short. Open it in Word or "
            "LibreOffice and save it as DOCX or PDF again, or paste the text.",
            code="bad_xml",
        ) from exc
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise not_docx(file_name) from exc
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
