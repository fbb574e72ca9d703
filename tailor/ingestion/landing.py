"""Finding landing files and deciding which to ingest: each *content* once.

ops.ingest_log names a file by its path relative to the landing root (moving the whole
landing directory, or the project's home, re-reads nothing) and records the SHA-256 of its
bytes. A file is new when its relative path is not in the log; a new file whose content the log
already holds (the same file re-delivered under another name) is not ingested again: it gets a
log row of its own with ``duplicate_of`` = the file that brought that content. A file rewritten
in place under a logged name is not read again (landing files are immutable once handed over).
"""
from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LandingFile:
    """One landing file: ``path`` as Spark names it, ``relative`` to the landing root."""

    path: str
    relative: str
    content_hash: str


@dataclass
class FilePlan:
    """What one ingest run does with the files it was given (:func:`plan_files`)."""

    todo: list[LandingFile] = field(default_factory=list)        # read and ingest
    duplicates: list[tuple[LandingFile, str]] = field(default_factory=list)  # (file, duplicate_of)
    known: int = 0                                               # already in the log by name


def list_landing_files(landing_dir: str) -> list[str]:
    """All landing files, sorted (names carry their date, so sorted = arrival order)."""
    pattern = os.path.join(landing_dir, "**", "*.jsonl")
    return sorted(os.path.abspath(p) for p in glob.glob(pattern, recursive=True))


def landing_root(landing_dir: str) -> str:
    """The landing root as Spark names the files under it (absolute, no trailing '/')."""
    if "://" in landing_dir:
        return landing_dir.rstrip("/")
    return os.path.abspath(landing_dir)


def relative_path(path: str, root: str) -> str:
    """``path`` relative to the landing ``root`` ('/'-separated); unchanged if outside it."""
    prefix = root.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


def content_hash(path: str, chunk: int = 1 << 20) -> str:
    """SHA-256 (hex) of a file's bytes; local paths or any URI pyarrow's filesystems read."""
    digest = hashlib.sha256()
    if "://" in path and not path.startswith("file://"):
        from pyarrow import fs as pafs

        filesystem, inner = pafs.FileSystem.from_uri(path)
        with filesystem.open_input_stream(inner) as fh:
            while block := fh.read(chunk):
                digest.update(block)
    else:
        with open(path.removeprefix("file://"), "rb") as fh:
            while block := fh.read(chunk):
                digest.update(block)
    return digest.hexdigest()


def plan_files(paths: list[str], root: str, logged_paths: set[str],
               logged_hashes: dict[str, str], hasher=content_hash) -> FilePlan:
    """Split ``paths`` into files to ingest and re-deliveries (see module docstring).

    ``logged_paths``: relative paths in the log; ``logged_hashes``: content hash → the relative
    path that brought it. Of several new files with the same content, the first by relative
    path is ingested, the others are its duplicates.
    """
    plan = FilePlan()
    seen = dict(logged_hashes)
    new = []
    for path in paths:
        rel = relative_path(path, root)
        if rel in logged_paths:
            plan.known += 1
        else:
            new.append((rel, path))
    for rel, path in sorted(new):
        f = LandingFile(path, rel, hasher(path))
        if f.content_hash in seen:
            plan.duplicates.append((f, seen[f.content_hash]))
        else:
            seen[f.content_hash] = rel
            plan.todo.append(f)
    return plan
