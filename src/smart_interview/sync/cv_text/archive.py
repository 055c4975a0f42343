"""A DOCX is a zip archive: check it is a small, honest one before any XML parser sees it.

First the central directory: number of entries, each entry's declared size, its expansion ratio
and the declared total. Then every entry is inflated here, in bounded pieces, counting the bytes
that actually come out, so an archive whose headers lie about its sizes is refused as soon as
the truth passes the declaration or a limit. The same pass refuses any document type
declaration: Word never writes one, and it is how entity-expansion ("billion laughs") and
external-entity attacks on XML parsers begin.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from smart_interview.sync.cv_text.limits import (
    MAX_ZIP_ENTRIES,
    MAX_ZIP_ENTRY_BYTES,
    MAX_ZIP_RATIO,
    MAX_ZIP_TOTAL_BYTES,
    MIB,
    ZIP_RATIO_CHECKED_FROM,
)
from smart_interview.sync.errors import CorruptFileError, CvTooLargeError, EncryptedFileError

_OUTPUT_PIECE = 256 * 1024
_INPUT_PIECE = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_DOCTYPE_MARKERS = (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))
_MARKER_OVERLAP = max(len(marker) for marker in _DOCTYPE_MARKERS)
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_docx_archive(data: bytes, *, file_name: str) -> None:
    """Raise a `CvTextError` unless `data` is a zip archive within every limit in `limits`."""
    if data.startswith(_OLE_SIGNATURE):
        raise EncryptedFileError(
            f"{file_name} is not a DOCX archive but a Word binary file: a password-protected "
            "DOCX, or an old .doc renamed. Open it in Word or LibreOffice, remove any password "
            "and save it as DOCX or PDF, or paste the text.",
            code="docx_binary",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise not_docx(file_name) from exc
    _check_declared(entries, file_name=file_name)
    view = memoryview(data)
    inflated_total = 0
    for entry in entries:
        inflated_total += _check_content(view, entry, file_name=file_name,
                                         total_budget=MAX_ZIP_TOTAL_BYTES - inflated_total)


def _check_declared(entries: list[zipfile.ZipInfo], *, file_name: str) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _bomb(file_name, f"it holds {len(entries):,} files (at most {MAX_ZIP_ENTRIES:,})")
    for entry in entries:
        if entry.file_size > MAX_ZIP_ENTRY_BYTES:
            raise _bomb(file_name, f"its part '{_part(entry)}' declares {_mb(entry.file_size)} "
                        f"uncompressed (at most {_mb(MAX_ZIP_ENTRY_BYTES)} a part)")
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= ZIP_RATIO_CHECKED_FROM and ratio > MAX_ZIP_RATIO:
            raise _bomb(file_name, f"its part '{_part(entry)}' expands {ratio:,.0f} times "
                        f"(at most {MAX_ZIP_RATIO} times)")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_ZIP_TOTAL_BYTES:
        raise _bomb(file_name, f"it declares {_mb(total)} uncompressed in all "
                    f"(at most {_mb(MAX_ZIP_TOTAL_BYTES)})")


def _check_content(view: memoryview, entry: zipfile.ZipInfo, *, file_name: str,
                   total_budget: int) -> int:
    """Inflate one entry in bounded pieces; return how many bytes it really holds."""
    if entry.flag_bits & 0x1:
        raise EncryptedFileError(
            f"{file_name} has encrypted parts. Save an unprotected copy as DOCX or PDF, or "
            "paste the text.",
            code="encrypted",
        )
    raw = view[_data_offset(view, entry, file_name=file_name):][: entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        pieces: Iterator[bytes] = (bytes(raw[i:i + _OUTPUT_PIECE])
                                   for i in range(0, len(raw), _OUTPUT_PIECE))
    elif entry.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _inflate(raw)
    else:
        raise CorruptFileError(
            f"{file_name} uses a compression method word processors do not write (method "
            f"{entry.compress_type} in '{_part(entry)}'). Open it in Word or LibreOffice and "
            "save it as DOCX or PDF again, or paste the text.",
            code="corrupt",
        )
    size, crc, tail = 0, 0, b""
    try:
        for piece in pieces:
            size += len(piece)
            if size > entry.file_size:
                raise _bomb(file_name, f"its part '{_part(entry)}' holds more than the "
                            f"{_mb(entry.file_size)} its header declares (a crafted archive)")
            if size > total_budget:
                raise _bomb(file_name, f"it holds more than {_mb(MAX_ZIP_TOTAL_BYTES)} "
                            "uncompressed in all")
            window = tail + piece
            if any(marker in window for marker in _DOCTYPE_MARKERS):
                raise CorruptFileError(
                    f"{file_name} contains an XML document type declaration in "
                    f"'{_part(entry)}', which word processors never write (it is how XML "
                    "entity attacks start), so it was not opened. Save the CV as DOCX or PDF "
                    "again from your editor, or paste the text.",
                    code="docx_doctype",
                )
            tail = window[-_MARKER_OVERLAP:]
            crc = zlib.crc32(piece, crc)
    except zlib.error as exc:
        raise _damaged_part(file_name, entry) from exc
    if size != entry.file_size or crc != entry.CRC:
        raise _damaged_part(file_name, entry)
    return size


def _inflate(raw: memoryview) -> Iterator[bytes]:
    """Raw deflate data, inflated at most `_OUTPUT_PIECE` bytes at a time."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for start in range(0, len(raw), _INPUT_PIECE):
        pending: bytes = bytes(raw[start:start + _INPUT_PIECE])
        while pending and not inflater.eof:
            piece = inflater.decompress(pending, _OUTPUT_PIECE)
            if piece:
                yield piece
            pending = inflater.unconsumed_tail
        if inflater.eof:
            return
    while not inflater.eof:  # all input read; output the inflater still holds
        piece = inflater.decompress(b"", _OUTPUT_PIECE)
        if not piece:
            return
        yield piece


def _data_offset(view: memoryview, entry: zipfile.ZipInfo, *, file_name: str) -> int:
    start = entry.header_offset
    header = bytes(view[start:start + _LOCAL_HEADER.size])
    if len(header) != _LOCAL_HEADER.size:
        raise _damaged_part(file_name, entry)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != b"PK\x03\x04":
        raise _damaged_part(file_name, entry)
    return start + _LOCAL_HEADER.size + name_length + extra_length


def _part(entry: zipfile.ZipInfo) -> str:
    """The entry's name as it may appear in a message: printable and short."""
    name = "".join(char if char.isprintable() else "?" for char in entry.filename)
    return name if len(name) <= 60 else name[:57] + "..."


def _mb(size: int) -> str:
    if size < MIB:
        return f"{size:,} bytes"
    return f"{size / MIB:,.0f} MB" if size >= 10 * MIB else f"{size / MIB:,.1f} MB"


def _bomb(file_name: str, what: str) -> CvTooLargeError:
    return CvTooLargeError(
        f"{file_name} was not opened: {what}. A CV is far smaller, so the file is damaged or "
        "built to exhaust memory (a 'zip bomb'). Save the CV from your editor as DOCX or PDF "
        "again, or paste the text.",
        code="archive_too_large",
    )


def not_docx(file_name: str) -> CorruptFileError:
    return CorruptFileError(
        f"{file_name} is not a valid DOCX file (damaged, or an old .doc renamed). Open it in "
        "your editor and save it as DOCX or PDF again, or paste the text.",
        code="corrupt",
    )


def _damaged_part(file_name: str, entry: zipfile.ZipInfo) -> CorruptFileError:
    return CorruptFileError(
        f"{file_name} is damaged: its part '{_part(entry)}' does not match the archive's "
        "index. Download or export it again as DOCX or PDF, or paste the text.",
        code="corrupt",
    )
