"""Finding landing files: every ``*.jsonl`` under the landing dir not yet recorded as ingested."""
from __future__ import annotations

import glob
import os


def list_landing_files(landing_dir: str) -> list[str]:
    """All landing files, sorted (names carry their date, so sorted = arrival order)."""
    pattern = os.path.join(landing_dir, "**", "*.jsonl")
    return sorted(os.path.abspath(p) for p in glob.glob(pattern, recursive=True))


def new_files(all_files: list[str], already_ingested: set[str]) -> list[str]:
    """Files not yet ingested: exactly-once per landing file across reruns."""
    return [f for f in all_files if f not in already_ingested]
