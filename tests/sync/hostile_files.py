"""Hostile CV files built at test time: zip and flate bombs, broken XML, broken text encodings.

The bombs are built from pre-flushed deflate blocks: one block that inflates to 1 MiB is
compressed once and repeated, so a file that expands to 1 GiB takes milliseconds and about 1 MB
on disk to write. Nothing here ever inflates them.
"""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

MIB = 1024 * 1024
GIB = 1024 * MIB

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}">'
    "<w:body><w:p><w:r><w:t>"
).encode()
DOCUMENT_TAIL = b"</w:t></w:r></w:p></w:body></w:document>"


def deflate_repeated(head: bytes, block: bytes, repeat: int, tail: bytes, *,
                     zlib_wrapper: bool = False) -> bytes:
    """A deflate stream that inflates to head + block * repeat + tail, built in O(len(block)).

    Each part ends with a full flush (byte-aligned, dictionary reset), so the compressed form
    of `block` does not depend on what came before and can simply be repeated."""

    def flushed(data: bytes) -> bytes:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)

    final = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = flushed(head) + flushed(block) * repeat + flushed(tail) + final.flush(zlib.Z_FINISH)
    if not zlib_wrapper:
        return body
    # zlib header (deflate, 32 KiB window) and a checksum nothing will ever reach.
    return b"\x78\xda" + body + struct.pack(">I", 1)


def write_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip archive from (name, deflated data, declared uncompressed size, crc) entries, written
    by hand so the declared sizes can be whatever the attack needs."""
    local, central = b"", b""
    for name, data, size, crc in entries:
        encoded = name.encode()
        offset = len(local)
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(data), size)
        local += b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + data
        central += (b"PK\x01\x02" + struct.pack("<H", 20) + fields
                    + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(central), len(local), 0)
    path.write_bytes(local + central + end)
    return path


def _entry(name: str, data: bytes, *, level: int = 9) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return name, compressor.compress(data) + compressor.flush(), len(data), zlib.crc32(data)


def docx_parts(template: Path) -> list[tuple[str, bytes]]:
    """Every part of a real DOCX except word/document.xml."""
    import zipfile

    with zipfile.ZipFile(template) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()
                if info.filename != "word/document.xml"]


def write_docx_with_document(path: Path, template: Path, document_xml: bytes) -> Path:
    """The template DOCX with its word/document.xml replaced (sizes declared honestly)."""
    entries = [_entry(name, data) for name, data in docx_parts(template)]
    return write_zip(path, [*entries, _entry("word/document.xml", document_xml)])


def write_docx_bomb(path: Path, template: Path, *, expands_to: int = GIB,
                    declared_size: int | None = None) -> Path:
    """A DOCX whose document.xml is one text node that inflates to `expands_to` bytes.
    `declared_size` lets the zip headers lie about it (default: the truth)."""
    repeat = expands_to // MIB
    data = deflate_repeated(DOCUMENT_HEAD, b"A" * MIB, repeat, DOCUMENT_TAIL)
    real = len(DOCUMENT_HEAD) + repeat * MIB + len(DOCUMENT_TAIL)
    size = real if declared_size is None else declared_size
    entries = [_entry(name, data) for name, data in docx_parts(template)]
    return write_zip(path, [*entries, ("word/document.xml", data, size, 0)])


def document_xml(text_node: bytes, *, doctype: bytes = b"") -> bytes:
    head = DOCUMENT_HEAD.replace(b"\n", b"\n" + doctype + b"\n", 1) if doctype else DOCUMENT_HEAD
    return head + text_node + DOCUMENT_TAIL


BILLION_LAUGHS = b"""<!DOCTYPE w:document [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def write_pdf_objects(path: Path, objects: list[bytes]) -> Path:
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def write_many_pages_pdf(path: Path, pages: int, *, declared_count: int | None = None) -> Path:
    """A PDF with `pages` pages that all share one small content stream; its page tree's
    /Count may lie (`declared_count`)."""
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(pages))
    content = b"BT /F1 12 Tf 72 720 Td (Page) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % (declared_count or pages),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + pages)
                for _ in range(pages)]
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return write_pdf_objects(path, objects)


def random_text_bytes(length: int, *, seed: int = 14) -> bytes:
    """Random bytes without NUL (so no 'binary' shortcut catches them)."""
    rng = random.Random(seed)
    return bytes(rng.randrange(1, 256) for _ in range(length))


def write_zip_of(path: Path, parts: list[tuple[str, bytes]], *, level: int = 9) -> Path:
    """A zip archive of (name, content) with honest headers."""
    return write_zip(path, [_entry(name, data, level=level) for name, data in parts])


def _stream(data: bytes, *, dictionary: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), dictionary) + data + b"\nendstream"


def write_one_page_pdf(path: Path, content: bytes, *, resources: bytes,
                       extra_objects: list[bytes], flate: bool = False) -> Path:
    """Catalog, pages, one page (object 3) with its content stream (object 4), then
    `extra_objects` numbered from 5 (which `resources` may reference)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << " + resources + b" >> >>",
        _stream(content, dictionary=b"/Filter /FlateDecode " if flate else b""),
        *extra_objects,
    ]
    return write_pdf_objects(path, objects)


_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def write_pdf_flate_bomb(path: Path, *, expands_to: int = GIB) -> Path:
    """A one-page PDF whose content stream (FlateDecode) inflates to `expands_to` bytes of
    spaces: valid PDF syntax, absurd size."""
    stream = deflate_repeated(b"BT /F1 12 Tf 72 720 Td (", b" " * MIB, expands_to // MIB,
                              b") Tj ET", zlib_wrapper=True)
    return write_one_page_pdf(path, stream, resources=b"/Font << /F1 5 0 R >>",
                              extra_objects=[_HELVETICA], flate=True)


def write_pdf_form_bomb(path: Path, *, expands_to: int = GIB) -> Path:
    """A PDF whose page draws a form XObject, and the form's stream is the flate bomb."""
    stream = deflate_repeated(b"", b" " * MIB, expands_to // MIB, b"", zlib_wrapper=True)
    form = _stream(stream, dictionary=b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] "
                   b"/Filter /FlateDecode ")
    return write_one_page_pdf(path, b"/X1 Do", resources=b"/XObject << /X1 5 0 R >>",
                              extra_objects=[form])


def write_long_text_pdf(path: Path, characters: int) -> Path:
    """One page whose single text run has `characters` letters."""
    content = b"BT /F1 1 Tf 10 700 Td (" + b"cv " * (characters // 3) + b") Tj ET"
    return write_one_page_pdf(path, content, resources=b"/Font << /F1 5 0 R >>",
                              extra_objects=[_HELVETICA])
