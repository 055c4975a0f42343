"""Hostile CV files get a clear CvTextError quickly, without the memory they ask for.

The bombs declare or really hold 1 GiB; they are built from repeated deflate blocks in a temp
dir (about 1 MB each) and must be refused long before anything near that is inflated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smart_interview.sync.cv_text import extract_text
from smart_interview.sync.cv_text.limits import (
    MAX_PDF_PAGES,
    MAX_RAW_CHARACTERS,
    MAX_ZIP_ENTRIES,
    MAX_ZIP_ENTRY_BYTES,
    MAX_ZIP_TOTAL_BYTES,
    MIB,
)
from smart_interview.sync.errors import CorruptFileError, CvTextError, CvTooLargeError
from tests.sync import hostile_files as hostile
from tests.sync.documents import write_docx

NAME = "Ingrid Vasquez-Holloway"
PEAK_RSS_LIMIT_MB = 300

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from smart_interview.sync.cv_text import extract_text
from smart_interview.sync.errors import CvTextError
results = {}
for name in sys.argv[1:]:
    start = time.perf_counter()
    try:
        extract_text(Path(name))
        outcome = "accepted"
    except CvTextError as exc:
        outcome = f"{type(exc).__name__}:{exc.code}"
    results[Path(name).name] = [outcome, time.perf_counter() - start]
# VmHWM is this process's own peak RSS; getrusage's ru_maxrss would also count the parent's
# pages (Linux keeps the high-water mark across the fork and exec that started this child).
status = Path("/proc/self/status").read_text()
peak_kb = next((int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmHWM:")), None)
if peak_kb is None:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"results": results, "peak_rss_mb": peak_kb / 1024}))
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_docx(tmp_path / "template.docx", name=NAME, employer="Northwind",
                      skill="Kubernetes")


def _refused(path: Path, error: type[CvTextError], code: str) -> str:
    start = time.perf_counter()
    with pytest.raises(error) as refused:
        extract_text(path)
    assert time.perf_counter() - start < 5, "a hostile file must be refused quickly"
    assert refused.value.code == code, str(refused.value)
    message = str(refused.value)
    assert path.name in message and "paste the text" in message
    return message


# --- DOCX: zip bombs ------------------------------------------------------------------------

def test_zip_bombs_are_refused_in_bounded_memory(tmp_path: Path, template: Path) -> None:
    """Both bombs inflate to 1 GiB: one says so in its headers, one declares 4 KB. A child
    process reads both and reports its peak RSS (today's code: 5.2 GB for the first)."""
    honest = hostile.write_docx_bomb(tmp_path / "honest-bomb.docx", template)
    liar = hostile.write_docx_bomb(tmp_path / "lying-bomb.docx", template, declared_size=4096)
    pdf = hostile.write_pdf_flate_bomb(tmp_path / "flate-bomb.pdf")
    assert all(path.stat().st_size < 2 * MIB for path in (honest, liar, pdf))
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(honest), str(liar), str(pdf)],
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    report = json.loads(child.stdout.strip().splitlines()[-1])
    results = report["results"]
    assert results["honest-bomb.docx"][0] == "CvTooLargeError:archive_too_large"
    assert results["lying-bomb.docx"][0] == "CvTooLargeError:archive_too_large"
    assert results["flate-bomb.pdf"][0] == "CvTooLargeError:pdf_too_large"
    assert all(seconds < 5 for _outcome, seconds in results.values()), results
    assert report["peak_rss_mb"] < PEAK_RSS_LIMIT_MB, report


def test_declared_bomb_message(tmp_path: Path, template: Path) -> None:
    message = _refused(hostile.write_docx_bomb(tmp_path / "bomb.docx", template),
                       CvTooLargeError, "archive_too_large")
    assert "'word/document.xml' declares 1,024 MB" in message
    assert f"at most {MAX_ZIP_ENTRY_BYTES // MIB} MB a part" in message and "zip bomb" in message


def test_lying_header_is_caught_by_counting_inflated_bytes(tmp_path: Path,
                                                           template: Path) -> None:
    path = hostile.write_docx_bomb(tmp_path / "liar.docx", template, declared_size=4096)
    message = _refused(path, CvTooLargeError, "archive_too_large")
    assert "holds more than the 4,096 bytes its header declares" in message


def test_expansion_ratio_limit(tmp_path: Path, template: Path) -> None:
    # 2 MiB is within the size limits, but it inflates from about 2 KB.
    path = hostile.write_docx_bomb(tmp_path / "ratio.docx", template, expands_to=2 * MIB)
    message = _refused(path, CvTooLargeError, "archive_too_large")
    assert "expands" in message and "at most 200 times" in message


def test_total_size_limit(tmp_path: Path, template: Path) -> None:
    # Each part is under 1 MiB (so not ratio-checked) and the total is over the limit.
    count = MAX_ZIP_TOTAL_BYTES // (MIB - 1) + 2
    parts = [(f"word/media/pad{n}.xml", b" " * (MIB - 1)) for n in range(count)]
    path = hostile.write_zip_of(tmp_path / "total.docx",
                                [*hostile.docx_parts(template), *parts])
    message = _refused(path, CvTooLargeError, "archive_too_large")
    assert f"at most {MAX_ZIP_TOTAL_BYTES // MIB} MB" in message and "in all" in message


def test_entry_count_limit(tmp_path: Path, template: Path) -> None:
    parts = [(f"word/media/{n}.xml", b"") for n in range(MAX_ZIP_ENTRIES + 1)]
    path = hostile.write_zip_of(tmp_path / "many.docx", [*hostile.docx_parts(template), *parts])
    message = _refused(path, CvTooLargeError, "archive_too_large")
    assert f"at most {MAX_ZIP_ENTRIES:,}" in message


def test_password_protected_docx_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    with pytest.raises(CvTextError) as refused:
        extract_text(path)
    assert "password-protected DOCX" in str(refused.value)


# --- DOCX: XML attacks ------------------------------------------------------------------------

def test_malformed_xml_gives_a_message(tmp_path: Path, template: Path) -> None:
    broken = hostile.document_xml(NAME.encode())[:-20]
    path = hostile.write_docx_with_document(tmp_path / "broken.docx", template, broken)
    message = _refused(path, CorruptFileError, "bad_xml")
    assert "not well-formed XML" in message and "save it as DOCX or PDF again" in message


@pytest.mark.parametrize("doctype", [
    hostile.BILLION_LAUGHS,
    b'<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/hostname">]>',
])
def test_entity_declarations_are_refused_before_parsing(tmp_path: Path, template: Path,
                                                        doctype: bytes) -> None:
    xml = hostile.document_xml(b"&lol9;&secret;", doctype=doctype)
    path = hostile.write_docx_with_document(tmp_path / "entities.docx", template, xml)
    message = _refused(path, CorruptFileError, "docx_doctype")
    assert "document type declaration" in message


def test_python_docx_parser_resolves_no_entities() -> None:
    """Behind the DTD check, python-docx's own parser (as installed) expands no entity and
    reads no file."""
    from docx.oxml.parser import parse_xml
    from lxml import etree

    external = hostile.document_xml(
        b"&secret;", doctype=b'<!DOCTYPE w:document [<!ENTITY secret SYSTEM "/etc/hostname">]>')
    hostname = Path("/etc/hostname").read_text().strip()
    element = parse_xml(external)
    assert hostname not in etree.tostring(element).decode()
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):
        parse_xml(hostile.document_xml(b"&lol9;", doctype=hostile.BILLION_LAUGHS))


def test_twenty_megabyte_text_node_is_refused_by_size(tmp_path: Path, template: Path) -> None:
    xml = hostile.document_xml(b"A" * 20_000_000)
    path = hostile.write_docx_with_document(tmp_path / "node.docx", template, xml)
    message = _refused(path, CvTooLargeError, "archive_too_large")
    assert "declares 19.1 MB" in message or "declares 19 MB" in message


def test_huge_text_node_under_the_size_limit_is_refused_by_the_parser(tmp_path: Path,
                                                                      template: Path) -> None:
    """12 MB of hex in one text node: within the part limit and the ratio, but over libxml2's
    10 MB text-node limit (huge_tree stays off)."""
    xml = hostile.document_xml(os.urandom(6_000_000).hex().encode())
    path = hostile.write_zip_of(tmp_path / "hex.docx",
                                [*hostile.docx_parts(template), ("word/document.xml", xml)],
                                level=1)
    assert path.stat().st_size < 10 * MIB
    _refused(path, CorruptFileError, "bad_xml")


# --- PDF ------------------------------------------------------------------------------------

def test_pdf_flate_bomb_is_too_large_not_scanned(tmp_path: Path) -> None:
    message = _refused(hostile.write_pdf_flate_bomb(tmp_path / "bomb.pdf"), CvTooLargeError,
                       "pdf_too_large")
    assert "16 MB" in message and "scanned" not in message


def test_pdf_flate_bomb_inside_a_form_xobject(tmp_path: Path) -> None:
    _refused(hostile.write_pdf_form_bomb(tmp_path / "form.pdf"), CvTooLargeError,
             "pdf_too_large")


def test_pdf_page_count_limit(tmp_path: Path) -> None:
    path = hostile.write_many_pages_pdf(tmp_path / "pages.pdf", MAX_PDF_PAGES + 1)
    message = _refused(path, CvTooLargeError, "too_many_pages")
    assert f"{MAX_PDF_PAGES + 1} pages" in message
    assert "Page" in extract_text(hostile.write_many_pages_pdf(tmp_path / "ok.pdf", 3))
    many = hostile.write_many_pages_pdf(tmp_path / "many.pdf", 10_000)
    assert "10,000 pages" in _refused(many, CvTooLargeError, "too_many_pages")
    lying = hostile.write_many_pages_pdf(tmp_path / "lying.pdf", 10_000, declared_count=2)
    _refused(lying, CvTooLargeError, "pdf_too_large")  # pypdf's page-tree limit, lowered


def test_pdf_text_length_limit(tmp_path: Path) -> None:
    path = hostile.write_long_text_pdf(tmp_path / "long.pdf", MAX_RAW_CHARACTERS + 30_000)
    with pytest.raises(CvTooLargeError) as refused:
        extract_text(path)
    assert refused.value.code == "text_too_long"
    assert f"more than {MAX_RAW_CHARACTERS:,} characters" in str(refused.value)


# --- text files -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (b"\xff\xfe" + NAME.encode("utf-16-le") + b"x", "ends in the middle of a character"),
    (b"\xff\xfe" + "Ada ".encode("utf-16-le") + b"\x00\xd8" + NAME.encode("utf-16-le"),
     "unpaired surrogate"),
    (b"\xfe\xff" + NAME.encode("utf-16-be") + b"\xd8\x00\x00A", "unpaired surrogate"),
    (f"{NAME}, Zürich, Málaga ".encode() * 3 + b"\xff" + b" Go", "UTF-8 text with broken bytes"),
])
def test_broken_encodings_give_a_message(tmp_path: Path, raw: bytes, expected: str) -> None:
    path = tmp_path / "cv.txt"
    path.write_bytes(raw)
    message = _refused(path, CorruptFileError, "bad_encoding")
    assert expected in message and "save it as UTF-8" in message


def test_random_bytes_renamed_txt_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "random.txt"
    path.write_bytes(hostile.random_text_bytes(176_230))
    message = _refused(path, CorruptFileError, "not_text")
    assert "is not a text file" in message


def test_random_printable_bytes_are_refused_as_mojibake(tmp_path: Path) -> None:
    """Only bytes Windows-1252 prints (0x20-0x7E, 0xA0-0xFF), so only the share of accented
    characters that reading would give tells it apart from text."""
    printable = bytes([*range(0x20, 0x7F), *range(0xA0, 0x100)])
    path = tmp_path / "printable.txt"
    path.write_bytes(bytes(printable[byte % len(printable)]
                           for byte in hostile.random_text_bytes(50_000)))
    message = _refused(path, CorruptFileError, "not_text")
    assert "Windows-1252" in message


def test_real_text_in_every_supported_encoding_is_read(tmp_path: Path) -> None:
    text = f"{NAME}\nLead Engineer, Zürich — Café Ñandú"
    for name, raw in [
        ("utf8.txt", text.encode()),
        ("utf8-bom.txt", b"\xef\xbb\xbf" + text.encode()),
        ("utf16.txt", text.encode("utf-16")),
        ("utf16be.txt", b"\xfe\xff" + text.encode("utf-16-be")),
        ("utf32.txt", text.encode("utf-32")),
        ("cp1252.txt", text.replace("—", "-").encode("cp1252")),
    ]:
        (tmp_path / name).write_bytes(raw)
        assert extract_text(tmp_path / name).startswith(NAME), name
