"""CV text extraction on the device: real PDF/DOCX files, written here and from shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from smart_interview.sync.cv_text import (
    MAX_CHARACTERS,
    MAX_FILE_BYTES,
    extract_text,
    normalise_pasted,
)
from smart_interview.sync.errors import (
    CorruptFileError,
    CvTooLargeError,
    EmptyCvError,
    EncryptedFileError,
    ScannedFileError,
    UnsupportedFileError,
)
from tests.sync.documents import (
    write_blank_pdf,
    write_docx,
    write_encrypted_pdf,
    write_image_only_pdf,
    write_pdf,
    write_two_column_pdf,
)

NAME, EMPLOYER, SKILL = "Ingrid Vasquez-Holloway", "Northwind Aerospace", "Kubernetes"
LINES = [NAME, f"Lead Engineer at {EMPLOYER}, 2019 - 2024", f"Skills: {SKILL}, Terraform"]

# (file under data/cv, name, employer, skill) -- checked by reading each file's text.
SHARED_CVS = [
    ("docx/soupboss_01-Accountant.docx", "Ebony Moore", "Gilmore Financial", "accounting software"),
    ("docx/soupboss_01-Accountant.pdf", "Ebony Moore", "Gilmore Financial", "accounting software"),
    ("docx/soupboss_01-Desktop_Support.docx", "Ivy Haddington", "Wilder Tech", "troubleshooting"),
    ("docx/soupboss_01-Office_Coordinator.docx", "John Smith", "Alpine Technologies",
     "supply chain"),
    ("latex/altacv_mmayer.pdf", "MARISSA MAYER", "Yahoo!", "Product Management"),
    ("latex/awesome-cv_cv.pdf", "Claud D. Park", "Danggeun Pay", "Kubernetes"),
    ("latex/awesome-cv_resume.pdf", "Byungjin Park", "Dunamu", "Terraform"),
    ("latex/deedy_resume-openfont.pdf", "Debarghya Das", "FACEBOOK", "Python"),
    ("pdf/pyresparser_OmkarResume.pdf", "Omkar Pathak", "Schlumberger", "Django"),
    ("pdf/resume-matcher_alfred_pennyworth_pm.pdf", "Alfred Pennyworth", "Amazon",
     "Agile methodologies"),
    ("pdf/resume-matcher_barry_allen_fe.pdf", "Barry Allen", "Google", "TypeScript"),
    ("pdf/resume-matcher_bruce_wayne_fullstack.pdf", "Bruce Wayne", "OpenAI", "MongoDB"),
    ("pdf/resume-matcher_john_doe.pdf", "JOHN DOE", "ABC Company", "Spring Boot"),
    ("pdf/resume-matcher_template_two-column.pdf", "JOHN DOE", "Stripe", "Kubernetes"),
    ("pdf/soupboss_aws-devops-engineer-resume-example.pdf", "CATHERINE STARK", "S&P Global",
     "Terraform"),
]


@pytest.mark.parametrize(("relative", "name", "employer", "skill"), SHARED_CVS)
def test_shared_cvs_give_name_employer_and_skill(
    shared_data: Path, relative: str, name: str, employer: str, skill: str
) -> None:
    text = extract_text(shared_data / "cv" / relative)
    for expected in (name, employer, skill):
        assert expected in text, f"{expected!r} missing from {relative}"


def test_every_shared_cv_is_covered(shared_data: Path) -> None:
    files = {
        str(p.relative_to(shared_data / "cv"))
        for p in (shared_data / "cv").rglob("*")
        if p.suffix.lower() in (".pdf", ".docx")
    }
    assert files == {row[0] for row in SHARED_CVS}


def test_two_column_shared_cv_reads_column_by_column(shared_data: Path) -> None:
    text = extract_text(shared_data / "cv/pdf/soupboss_aws-devops-engineer-resume-example.pdf")
    # The sidebar's skills stay together and the experience bullets stay whole sentences.
    skills = text.index("SKILLS")
    assert text.index("Python") > skills and text.index("Jenkins") < text.index("WORK EXPERIENCE")
    assert "Created and implemented 4 new DevOps pipelines to\ndeliver Infrastructure" in text
    assert "workflows" in text  # the fi/fl ligatures come out as plain letters


def test_written_pdf(tmp_path: Path) -> None:
    text = extract_text(write_pdf(tmp_path / "cv.pdf", LINES))
    assert text == "\n".join(LINES)


def test_written_two_column_pdf_keeps_each_column_in_order(tmp_path: Path) -> None:
    left = [NAME, "Contact", "Skills", SKILL, "Terraform"]
    right = ["Experience", f"Lead Engineer, {EMPLOYER}", "Built the deploy pipeline",
             "Education", "MIT"]
    text = extract_text(write_two_column_pdf(tmp_path / "two.pdf", left, right))
    assert "\n".join(left) in text and "\n".join(right) in text


def test_written_docx_with_header_and_table(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "cv.docx", name=NAME, employer=EMPLOYER, skill=SKILL,
                      sidebar="Languages: English, Spanish")
    text = extract_text(path)
    assert text.startswith(NAME)
    assert EMPLOYER in text and f"{SKILL}, Go, SQL" in text and "Spanish" in text


def test_text_and_markdown_files(tmp_path: Path) -> None:
    (tmp_path / "cv.md").write_text(f"# {NAME}\r\n\r\n\r\n\r\n## {EMPLOYER}\t\t{SKILL}  \n",
                                    encoding="utf-8")
    assert extract_text(tmp_path / "cv.md") == f"# {NAME}\n\n## {EMPLOYER} {SKILL}"
    (tmp_path / "cv.txt").write_bytes(f"{NAME} at Café {EMPLOYER}".encode("cp1252"))
    assert extract_text(tmp_path / "cv.txt") == f"{NAME} at Café {EMPLOYER}"
    (tmp_path / "bom.txt").write_text(f"{NAME}", encoding="utf-16")
    assert extract_text(tmp_path / "bom.txt") == NAME


def test_pasted_text_is_normalised_like_files() -> None:
    pasted = f"  {NAME}\u00a0\u00a0\n\n\n\nWork\ufb02ow at {EMPLOYER}\u200b\x00  \n"
    assert normalise_pasted(pasted) == f"{NAME}\n\nWorkflow at {EMPLOYER}"
    with pytest.raises(EmptyCvError):
        normalise_pasted(" \n\t \u200b")
    with pytest.raises(CvTooLargeError) as big:
        normalise_pasted("word " * (MAX_CHARACTERS // 5 + 10))
    assert "200,000" in str(big.value)


def test_encrypted_pdf_with_a_password_is_refused(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "locked.pdf", LINES, user_password="s3cret")
    with pytest.raises(EncryptedFileError) as locked:
        extract_text(path)
    assert "password-protected" in str(locked.value) and "locked.pdf" in str(locked.value)


def test_encrypted_pdf_with_an_empty_password_opens(tmp_path: Path) -> None:
    path = write_encrypted_pdf(tmp_path / "restricted.pdf", LINES, user_password="")
    assert NAME in extract_text(path)


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    with pytest.raises(ScannedFileError) as scanned:
        extract_text(write_image_only_pdf(tmp_path / "scan.pdf"))
    assert "no text layer" in str(scanned.value)


def test_blank_pdf_is_empty(tmp_path: Path) -> None:
    with pytest.raises(EmptyCvError):
        extract_text(write_blank_pdf(tmp_path / "blank.pdf"))


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_pdf_is_corrupt(tmp_path: Path, keep: float) -> None:
    whole = write_pdf(tmp_path / "whole.pdf", LINES * 5).read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(whole[: int(len(whole) * keep)])
    with pytest.raises(CorruptFileError) as damaged:
        extract_text(broken)
    assert "broken.pdf" in str(damaged.value)


def test_misnamed_and_damaged_files(tmp_path: Path) -> None:
    (tmp_path / "cv.pdf").write_text("not a pdf at all")
    with pytest.raises(CorruptFileError):
        extract_text(tmp_path / "cv.pdf")
    (tmp_path / "cv.docx").write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(CorruptFileError) as bad_docx:
        extract_text(tmp_path / "cv.docx")
    assert "DOCX" in str(bad_docx.value)
    (tmp_path / "cv.txt").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(CorruptFileError):
        extract_text(tmp_path / "cv.txt")


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "cv.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UnsupportedFileError) as old_word:
        extract_text(tmp_path / "cv.doc")
    assert "DOCX" in str(old_word.value)
    (tmp_path / "cv.png").write_bytes(b"\x89PNG")
    with pytest.raises(UnsupportedFileError):
        extract_text(tmp_path / "cv.png")
    with pytest.raises(UnsupportedFileError):
        extract_text(tmp_path / "missing.pdf")


def test_oversized_file_and_text(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(CvTooLargeError) as too_big:
        extract_text(huge)
    assert "10 MB" in str(too_big.value)
    long_text = tmp_path / "long.txt"
    long_text.write_text("experience " * (MAX_CHARACTERS // 11 + 100))
    with pytest.raises(CvTooLargeError):
        extract_text(long_text)


def test_justified_tex_lines_keep_their_word_spaces(shared_data: Path) -> None:
    resume = extract_text(shared_data / "cv/latex/awesome-cv_resume.pdf")
    assert "infrastructure operations, and security engineering" in resume
    assert "high-impact opportunities" in resume  # TeX's U+00AD hyphen glyph is a hyphen
    omkar = extract_text(shared_data / "cv/pdf/pyresparser_OmkarResume.pdf")
    assert "end-to-end CI/CD Pipeline with custom validations" in omkar
