"""Removes debug information from the shared libraries under a folder, keeping only what
still loads.

    python3 scripts/strip_debug.py build/.../usr/lib/smart_interview/app_packages

Some wheels ship native code with its debug sections (ctranslate2's extension carries 66 MB).
`strip --strip-debug` removes them; symbols stay. Libraries that auditwheel rewrote with
patchelf can come out of strip unloadable ("ELF load command address/offset not
page-aligned"), so each stripped copy is loaded in a fresh interpreter first and replaces the
original only if it loads. Run it with the Python the app will run on. Prints what it saved
and what it left alone. Needs binutils (strip, readelf).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LOAD_CHECK = "import ctypes, sys; ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_LOCAL)"


def has_debug_sections(library: Path) -> bool:
    sections = subprocess.run(["readelf", "-S", "--wide", str(library)],
                              capture_output=True, text=True, check=False).stdout
    return " .debug_" in sections


def loads(library: Path) -> bool:
    result = subprocess.run([sys.executable, "-c", LOAD_CHECK, str(library)],
                            capture_output=True, text=True, check=False, timeout=120)
    return result.returncode == 0


def strip_one(library: Path) -> tuple[int, str]:
    """Bytes saved (0 when left alone) and a note when it was left alone."""
    if not loads(library):
        return 0, "does not load here even unstripped"
    with tempfile.TemporaryDirectory(prefix="si-strip-") as scratch:
        # Same folder name as the original, so relative RPATHs ($ORIGIN/..) still resolve.
        candidate = library.with_name(f".{library.name}.stripped")
        try:
            shutil.copy2(library, candidate)
            subprocess.run(["strip", "--strip-debug", str(candidate)], check=True,
                           capture_output=True, cwd=scratch)
            if not loads(candidate):
                return 0, "unloadable after strip, kept as it was"
            saved = library.stat().st_size - candidate.stat().st_size
            candidate.replace(library)
            return saved, ""
        finally:
            candidate.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    libraries = sorted(
        p for p in args.folder.rglob("*.so*")
        if p.is_file() and not p.is_symlink() and (p.suffix == ".so" or ".so." in p.name)
    )
    saved_total = 0
    stripped = 0
    for library in libraries:
        if not has_debug_sections(library):
            continue
        saved, note = strip_one(library)
        if note:
            print(f"   left alone: {library.relative_to(args.folder)} ({note})")
        else:
            saved_total += saved
            stripped += 1
    print(f"   {saved_total / 1e6:.0f} MB of debug information removed from {stripped} libraries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
