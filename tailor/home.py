"""Where a Tailor project is: ``TAILOR_HOME``, else the nearest parent of the working directory
holding ``conf/base.yaml``. Standard library only: the ``tailor`` command's fast path (handing a
``tailor run`` to a job host) finds the project before, and without, loading its configuration."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping


def find_root(environ: Mapping[str, str], cwd: str | Path) -> Path:
    """The project directory for a process with ``environ`` working in ``cwd``."""
    if environ.get("TAILOR_HOME"):
        return Path(environ["TAILOR_HOME"]).resolve()
    here = Path(cwd).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "conf" / "base.yaml").exists():
            return candidate
    return here


def project_root() -> Path:
    """This process's project directory (:func:`find_root` of its environment and cwd)."""
    return find_root(os.environ, Path.cwd())
