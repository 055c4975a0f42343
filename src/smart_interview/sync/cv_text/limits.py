"""How much a CV file may hold. A CV is a few pages of text; everything here is far above that
and far below what would hurt the device. Each limit is checked before or while the bytes are
read, so a hostile file is refused without first being expanded in memory."""

from __future__ import annotations

MIB = 1024 * 1024

MAX_FILE_BYTES = 10 * MIB
"""The file on disk (any type)."""
MAX_CHARACTERS = 200_000
"""The normalised text that is stored."""
MAX_RAW_CHARACTERS = 2 * MAX_CHARACTERS
"""Text pulled out of a file before normalisation; extraction stops as soon as it is passed."""

MAX_ZIP_ENTRIES = 1_000
"""Files inside a DOCX (a real one has 10-40; each image adds one)."""
MAX_ZIP_ENTRY_BYTES = 16 * MIB
"""One file inside a DOCX, uncompressed (declared and actually inflated)."""
MAX_ZIP_TOTAL_BYTES = 64 * MIB
"""All files inside a DOCX together, uncompressed (declared and actually inflated)."""
MAX_ZIP_RATIO = 200
"""Uncompressed / compressed size of one entry. Word's XML compresses 5-20 times; deflate
cannot do better than about 1,030, which only a bomb's repeated bytes reach."""
ZIP_RATIO_CHECKED_FROM = 1 * MIB
"""Entries smaller than this are not ratio-checked (a few KB of whitespace can compress 500:1)."""

MAX_PDF_PAGES = 50
MAX_PDF_STREAM_BYTES = 16 * MIB
"""One decoded PDF stream (a text page's content stream is 10-200 KB)."""
MAX_PDF_FORM_XOBJECTS_PER_PAGE = 500

MAX_UNREADABLE_SHARE = 0.02
"""Control, unassigned, private-use and replacement characters in a text file's decoded text."""
MAX_LEGACY_NON_ASCII_SHARE = 0.30
"""Non-ASCII letters in a file read as Windows-1252 (not UTF-8): past this it is another
encoding or not text at all, and reading it would give mojibake."""
