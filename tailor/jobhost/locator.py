"""Find a project's job host without loading the project's configuration.

``tailor run`` hands its job to the job host when one is up. Finding the host the long way —
load ``conf/`` (pydantic, YAML) to learn ``paths.runs``, where ``host.json`` lives — costs a task
about as much as Python's own start-up. So when ``tailor host start`` launches a host it also
leaves a *locator*: a file in this user's private temp folder, named by a digest of what decides
which host a caller belongs to — the project directory, every ``TAILOR*`` variable and the
size and mtime of each ``conf/*.yaml`` — holding the host's socket. A caller computes the same
digest from its own environment (standard library only, :func:`read`) and connects.

A locator is only a hint: a caller whose configuration changed since gets another digest and
takes the long way; a stale one (the host is gone) fails to connect, and the caller takes the
long way too; the host still checks the caller's user and whole environment before it takes a
job (``tailor/jobhost/server.py``).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Mapping

from tailor.home import find_root


class LocatorError(RuntimeError):
    """The private temp folder is not private."""


def private_dir() -> Path:
    """``<temp>/tailor-<uid>``: this user's, closed to others (created if missing)."""
    folder = Path(tempfile.gettempdir(), f"tailor-{os.getuid()}")
    folder.mkdir(mode=0o700, exist_ok=True)
    mode = folder.stat()
    if mode.st_uid != os.getuid() or mode.st_mode & 0o077:
        raise LocatorError(f"{folder} belongs to another user or is open to others: remove it")
    return folder


def digest(environ: Mapping[str, str], cwd: str | Path) -> str:
    """What decides a caller's host: its project, its ``TAILOR*`` variables, its conf files."""
    root = find_root(environ, cwd)
    parts = [str(root)]
    parts += [f"{k}={v}" for k, v in sorted(environ.items()) if k.startswith("TAILOR")]
    try:
        confs = sorted(os.scandir(root / "conf"), key=lambda e: e.name)
    except OSError:
        confs = []
    for entry in confs:
        if entry.name.endswith(".yaml"):
            st = entry.stat()
            parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def _path(key: str) -> Path:
    return private_dir() / f"host-{key}.json"


def write(environ: Mapping[str, str], cwd: str | Path, socket: str) -> None:
    """Leave the locator of a host serving callers like ``environ`` at ``socket``."""
    path = _path(digest(environ, cwd))
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"socket": socket}))
    os.replace(tmp, path)


def read(environ: Mapping[str, str], cwd: str | Path) -> str | None:
    """The socket of the host left for callers like ``environ``, if a locator says so."""
    try:
        return str(json.loads(_path(digest(environ, cwd)).read_text())["socket"])
    except (OSError, ValueError, KeyError, TypeError, LocatorError):
        return None


def remove(environ: Mapping[str, str], cwd: str | Path, socket: str) -> None:
    """Remove the locator of ``environ``'s callers if it names ``socket``."""
    try:
        path = _path(digest(environ, cwd))
        if json.loads(path.read_text()).get("socket") == socket:
            path.unlink()
    except (OSError, ValueError, AttributeError, LocatorError):
        pass
