"""A separate virtualenv with Feast for the peer benchmarks (bench/pit_join.py, bench/serve.py).

Feast pins its own versions of pandas/pyarrow/etc., so it never goes into the project's .venv.
``python bench/feast_env.py`` creates ``bench/.venvs/feast`` (once; a lock file makes concurrent
callers wait) and prints the path of its python. Other bench scripts call :func:`feast_python`.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

FEAST_SPEC = os.environ.get("TAILOR_BENCH_FEAST", "feast[spark]==0.67.0")
VENV = Path(__file__).resolve().parent / ".venvs" / "feast"


def feast_python() -> str:
    """Path of the Feast venv's python, creating the venv on first use."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    with open(VENV.parent / "feast.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", FEAST_SPEC], check=True)
            stamp.write_text(FEAST_SPEC + "\n")
    return str(python)


if __name__ == "__main__":
    print(feast_python())
