"""A separate virtualenv with Open Bandit Pipeline (obp 0.5.7) for bench/ope_obd.py.

obp 0.5.7 (its last release) declares Python < 3.11 and wants old pandas / scikit-learn, so it never goes
into the project's .venv. ``python bench/obp_env.py`` creates ``bench/.venvs/obp`` once (a lock file makes
concurrent callers wait) and prints the path of its python.

How the pins were found (Python 3.11, by trying): obp's own requirement list makes pip backtrack forever
(``pyieoe`` requires ``obp`` again, and every obp release refuses Python 3.11), so the dependencies obp
*imports* are installed pinned first, then obp itself with ``--no-deps --ignore-requires-python``.
``pingouin`` and ``pyieoe`` are in obp's requirements but imported nowhere in its code, so they are left
out. ``torch`` is imported by ``obp.utils`` (which ``import obp`` loads) but unused by the estimators here;
pip takes a CPU-only build of the pinned version where one is available locally (``/opt/wheels`` on our
machines), otherwise PyPI's default (CUDA) build of the same version, which is large but works.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

DEPENDENCIES = (
    "numpy==1.26.4", "pandas==1.5.3", "scikit-learn==1.2.2", "scipy==1.11.4", "matplotlib==3.7.5",
    "seaborn==0.12.2", "torch==2.13.0", "tqdm==4.67.1", "pyyaml==6.0.2", "mypy-extensions==1.0.0",
)
OBP_SPEC = os.environ.get("TAILOR_BENCH_OBP", "obp==0.5.7")
VENV = Path(__file__).resolve().parent / ".venvs" / "obp"


def obp_python() -> str:
    """Path of the obp venv's python, creating the venv on first use."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    wanted = "\n".join((*DEPENDENCIES, OBP_SPEC)) + "\n"
    with open(VENV.parent / "obp.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_text() != wanted:
            print(f"creating {VENV} (once; a few minutes) ...", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            subprocess.run([*pip, *DEPENDENCIES], check=True)
            subprocess.run([*pip, "--no-deps", "--ignore-requires-python", OBP_SPEC], check=True)
            subprocess.run([str(python), "-c", "import obp, obp.ope, obp.dataset, obp.policy"], check=True)
            stamp.write_text(wanted)
    return str(python)


if __name__ == "__main__":
    print(obp_python())
