"""`tailor host start` serves a project's `tailor run`s from one warm Python: the command's
output, exit status and records are what they would be in a process of its own; a caller with
another environment runs its job itself and says why; a caller killed takes its job with it;
`tailor host stop` leaves no process and no socket behind."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tailor.daemons import start_ticks
from tailor.jobhost import locator

REPO = Path(__file__).resolve().parents[3]
TAILOR = str(Path(sys.executable).with_name("tailor"))
ON_HOST = "running on the job host as pid"
ENDLESS = "SELECT sum(i) FROM range(100000000000) t(i)"
CALLER = "import sys; from tailor.jobhost.client import submit; sys.exit(submit(sys.argv[1], sys.argv[2:]))"


def _tailor(env, cwd, *args, timeout=120):
    return subprocess.run([TAILOR, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def _gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if start_ticks(pid) is None:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def host(tmp_path):
    """A project with its job host up: (root, env, host state)."""
    shutil.copytree(REPO / "conf", tmp_path / "conf")
    env = {**os.environ, "TAILOR_HOME": str(tmp_path), "TAILOR_ENV": "local",
           "TAILOR__JOBHOST__PRELOAD": "[json]", "TAILOR__JOBHOST__STOP_GRACE_S": "3"}
    started = _tailor(env, tmp_path, "host", "start")
    assert started.returncode == 0, started.stdout + started.stderr
    state = json.loads(_tailor(env, tmp_path, "host", "status", "--json").stdout)
    assert state["up"]
    yield tmp_path, env, state
    _tailor(env, tmp_path, "host", "stop")
    if start_ticks(state["pid"]) == state["start_ticks"]:   # never leave it running
        os.kill(state["pid"], signal.SIGKILL)


def test_a_run_keeps_its_output_and_exit_status(host):
    root, env, state = host
    helped = _tailor(env, root, "run", "--help")
    assert helped.returncode == 0 and "job options" in helped.stdout
    assert ON_HOST in helped.stderr
    wrong = _tailor(env, root, "run", "nosuch")
    assert wrong.returncode == 2 and "invalid choice: 'nosuch'" in wrong.stderr
    log = Path(state["log"]).read_text()
    assert re.search(r"job \d+: tailor run nosuch", log) and "exit 2" in log


def test_a_job_on_the_host_writes_its_run_record(host):
    root, env, _ = host
    done = _tailor(env, root, "run", "validate", "--table", "all", "--ds", "2026-10-15",
                   timeout=300)
    assert done.returncode == 0, done.stderr
    assert ON_HOST in done.stderr
    record = json.loads((root / "runs" / "2026-10-15" / "validate_all.json").read_text())
    assert record["job"] == "validate" and record["success"]


def test_a_caller_with_another_environment_runs_its_job_itself(host):
    root, env, _ = host
    other = _tailor({**env, "TAILOR_JOBHOST_PROBE": "other"}, root, "run", "--help")
    assert other.returncode == 0 and "job options" in other.stdout
    assert ON_HOST not in other.stderr
    assert "TAILOR_JOBHOST_PROBE differ" in other.stderr and "in this process" in other.stderr


LEAN = ("import sys; from tailor.cli import main; code = main(['run', '--help']); "
        "print('config loaded:', 'tailor.config' in sys.modules); sys.exit(code)")


def test_a_run_handed_to_the_host_loads_no_configuration(host):
    root, env, _ = host
    lean = subprocess.run([sys.executable, "-c", LEAN], env=env, cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert lean.returncode == 0 and "job options" in lean.stdout and ON_HOST in lean.stderr
    assert "config loaded: False" in lean.stdout


def _caller_with_a_job(root, env, state):
    """A caller whose job (a query that would take hours) runs until stopped → (caller, pid)."""
    caller = subprocess.Popen(
        [sys.executable, "-c", CALLER, state["socket"], "sql", ENDLESS],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = [caller.stderr.readline() for _ in range(1)]
    while ON_HOST not in lines[-1] and lines[-1] and len(lines) < 50:   # the job writes too
        lines.append(caller.stderr.readline())
    assert ON_HOST in lines[-1], lines
    job = int(re.search(r"as pid (\d+)", lines[-1]).group(1))
    time.sleep(1.0)
    assert start_ticks(job) is not None, "the job ended on its own: it cannot show a stop"
    return caller, job


def _end(job: int) -> None:
    try:
        os.killpg(job, signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_a_signal_to_the_caller_reaches_its_job(host):
    root, env, state = host
    caller, job = _caller_with_a_job(root, env, state)
    try:
        caller.send_signal(signal.SIGTERM)
        assert caller.wait(timeout=30) is not None
        assert _gone(job, within_s=10)
    finally:
        _end(job)


def test_a_caller_killed_takes_its_job_with_it(host):
    root, env, state = host
    caller, job = _caller_with_a_job(root, env, state)
    try:
        caller.kill()
        caller.wait(timeout=10)
        assert _gone(job, within_s=15)
    finally:
        _end(job)


def test_stop_leaves_no_process_and_no_socket(host):
    root, env, state = host
    stopped = _tailor(env, root, "host", "stop")
    assert "stopped the job host" in stopped.stdout
    assert start_ticks(state["pid"]) is None and not os.path.exists(state["socket"])
    assert _tailor(env, root, "host", "status").returncode == 3
    assert locator.read(env, root) is None
    alone = _tailor(env, root, "run", "--help")
    assert alone.returncode == 0 and ON_HOST not in alone.stderr
