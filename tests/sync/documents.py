"""CV documents the tests write themselves (reportlab PDFs, python-docx DOCX)."""

from __future__ import annotations

from pathlib import Path


def write_pdf(path: Path, lines: list[str]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 18
    pdf.save()
    return path


def write_two_column_pdf(path: Path, left: list[str], right: list[str]) -> Path:
    """A sidebar CV: left column (contact, skills), right column (experience)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for x, column in ((40, left), (240, right)):
        text = pdf.beginText(x, 800)
        for line in column:
            text.textLine(line)
        pdf.drawText(text)
    pdf.save()
    return path


def write_image_only_pdf(path: Path) -> Path:
    """A 'scanned' CV: one page holding a picture, no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = path.with_suffix(".png")
    _write_png(png)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(str(png)), 50, 400, width=400, height=300)
    pdf.save()
    return path


def _write_png(path: Path) -> None:
    import struct
    import zlib

    width, height = 64, 48
    rows = b"".join(b"\x00" + bytes((x * 4) % 256 for x in range(width * 3)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_blank_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.showPage()
    pdf.save()
    return path


def write_encrypted_pdf(path: Path, lines: list[str], *, user_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(path.with_name("plain-" + path.name), lines)
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_docx(path: Path, *, name: str, employer: str, skill: str, sidebar: str = "") -> Path:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = f"{name} | +1 555 0100"
    document.add_heading("Experience", level=1)
    document.add_paragraph(f"Principal Engineer, {employer} (2018 – 2024)")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Skills"
    table.cell(0, 1).text = f"{skill}, Go, SQL"
    if sidebar:
        document.add_paragraph(sidebar)
    document.save(str(path))
    return path
