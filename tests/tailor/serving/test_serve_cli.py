"""`tailor serve` as a real process: --port 0 prints the chosen port, it answers, SIGTERM stops
it cleanly; with nothing published it refuses and says to run publish first."""
import os
import re
import selectors
import signal
import subprocess
import sys
from pathlib import Path

import httpx

import tailor

REPO = Path(tailor.__file__).resolve().parent.parent

TAILOR = [sys.executable, "-c", "import sys; from tailor.cli import main; sys.exit(main())"]


def _tailor(*args: str) -> subprocess.Popen:
    env = {**os.environ, "TAILOR_HOME": str(REPO),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([*TAILOR, *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _read_line(proc: subprocess.Popen, timeout: float = 30.0) -> str:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout):
        raise TimeoutError("server printed nothing")
    return proc.stdout.readline()


def test_serve_port_zero_then_sigterm(published, cfg):
    proc = _tailor("serve", "--port", "0", "--snapshot-dir", cfg.serving_dir)
    try:
        line = _read_line(proc)
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        url = f"http://127.0.0.1:{match.group(1)}"
        resp = httpx.get(f"{url}/healthz", trust_env=False, timeout=5)
        assert resp.json()["snapshot_id"] == published.snapshot_id

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_without_snapshot_refuses(tmp_path):
    proc = _tailor("serve", "--port", "0", "--snapshot-dir", str(tmp_path / "empty"))
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2
    assert "no published snapshot" in err and "tailor publish" in err
