"""Every job file starts as a script (what spark-submit does): its imports resolve and
``--help`` explains it. Guards against a job module shadowing a package (jobs/ is first on
sys.path when a file in it is run directly)."""
import subprocess
import sys
from pathlib import Path

import pytest

JOBS_DIR = Path(__file__).resolve().parents[2] / "jobs"
SCRIPTS = sorted(p.name for p in JOBS_DIR.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("script", SCRIPTS)
def test_job_script_starts(script):
    proc = subprocess.run([sys.executable, str(JOBS_DIR / script), "--help"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "--ds" in proc.stdout
