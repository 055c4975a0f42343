"""Prints the largest installed Python distributions in a site-packages-like folder.

    python3 scripts/package_sizes.py /usr/lib/smart-interview/app_packages [--top 15]

Sizes are bytes on disk of each distribution's files (what its RECORD names, as found now;
files a cleanup removed no longer count). Anything no distribution claims is listed by its
top-level name. Runs on any Python 3.10+, with no third-party import.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path


def _distribution_of_top_levels(root: Path) -> dict[str, str]:
    owners: dict[str, str] = {}
    for info in sorted(root.glob("*.dist-info")):
        name = info.name.split("-")[0]
        owners[info.name] = name
        record = info / "RECORD"
        if not record.is_file():
            continue
        for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
            top = line.split(",", 1)[0].split("/", 1)[0]
            if top and top != "..":
                owners.setdefault(top, name)
    return owners


def _size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size
    total = 0
    for folder, _dirs, files in os.walk(path):
        for file in files:
            total += os.lstat(os.path.join(folder, file)).st_size
    return total


def sizes_by_distribution(root: Path) -> Counter[str]:
    owners = _distribution_of_top_levels(root)
    sizes: Counter[str] = Counter()
    for entry in root.iterdir():
        sizes[owners.get(entry.name, entry.name)] += _size(entry)
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    sizes = sizes_by_distribution(args.folder)
    total = sum(sizes.values())
    print("| # | distribution | MB on disk | share |")
    print("|---|---|---|---|")
    for rank, (name, size) in enumerate(sizes.most_common(args.top), start=1):
        print(f"| {rank} | {name} | {size / 1e6:.1f} | {size / total:.0%} |")
    print(f"| | all {len(sizes)} | {total / 1e6:.1f} | 100% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
