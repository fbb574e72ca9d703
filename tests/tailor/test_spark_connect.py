"""One Spark for many jobs: `tailor spark start` serves a Spark Connect server for the project,
a job started meanwhile opens a session on it (no JVM of its own) and writes real Delta tables
through it, `tailor spark stop` ends it (no process left), and with per_run off the DAG's start
task starts nothing."""
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tailor import spark_classes

REPO = Path(__file__).resolve().parents[2]
TAILOR = str(Path(sys.executable).with_name("tailor"))

JOB = """
from deltalake import DeltaTable
from tailor.config import get_config
from tailor.lakehouse import Lakehouse
from tailor.spark import get_spark
cfg = get_config()
spark = get_spark(cfg)
frame = spark.range(1000).selectExpr("id", "id % 7 AS k")
result = Lakehouse(cfg).write(frame, "ops.connect_probe", mode="overwrite", partition_by=["k"])
rows = DeltaTable(cfg.path("lakehouse/ops/connect_probe")).to_pyarrow_table().num_rows
print("RESULT", type(spark).__module__, result.version, rows)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def project(tmp_path):
    shutil.copytree(REPO / "conf", tmp_path / "conf")
    env = {**os.environ, "TAILOR_HOME": str(tmp_path), "TAILOR_ENV": "local",
           "TAILOR__SPARK__CONNECT__PORT": str(_free_port()), "SPARK_LOCAL_IP": "127.0.0.1"}
    env.pop("PYSPARK_GATEWAY_PORT", None)
    yield tmp_path, env
    subprocess.run([TAILOR, "spark", "stop"], env=env, cwd=tmp_path, capture_output=True)


def _tailor(env, cwd, *args):
    return subprocess.run([TAILOR, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_jobs_share_the_server_until_it_stops(project):
    root, env = project
    started = _tailor(env, root, "spark", "start")
    assert started.returncode == 0, started.stdout + started.stderr
    status = json.loads(_tailor(env, root, "spark", "status", "--json").stdout)
    assert status["up"] and status["url"].startswith("sc://127.0.0.1:")
    archive = spark_classes.archive_path()           # the server maps the installed archive
    assert status["class_archive"] == (str(archive) if archive and archive.is_file() else None)
    if status["class_archive"]:
        cmdline = Path(f"/proc/{status['pid']}/cmdline").read_bytes().split(b"\0")
        assert f"-XX:SharedArchiveFile={archive}".encode() in cmdline
    again = _tailor(env, root, "spark", "start")
    assert "already up" in again.stdout                      # idempotent: one server

    job = subprocess.run([sys.executable, "-c", JOB], env=env, cwd=root, capture_output=True,
                         text=True, timeout=300)
    line = next(ln for ln in job.stdout.splitlines() if ln.startswith("RESULT"))
    assert line.split()[1:] == ["pyspark.sql.connect.session", "0", "1000"], job.stderr[-2000:]

    pid = status["pid"]
    stopped = _tailor(env, root, "spark", "stop")
    assert "stopped" in stopped.stdout
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert _tailor(env, root, "spark", "status").returncode == 3
    assert not (root / "runs" / "spark-connect" / "server.json").exists()


def test_per_run_off_starts_nothing(project):
    root, env = project
    env = {**env, "TAILOR__SPARK__CONNECT__PER_RUN": "false"}
    out = _tailor(env, root, "spark", "start", "--per-run")
    assert out.returncode == 0 and "per_run is off" in out.stdout
    assert not (root / "runs" / "spark-connect" / "server.json").exists()


def test_a_job_is_charged_the_shared_servers_cpu():
    from tailor.usage import snapshot

    parent = os.getppid()
    assert any(pid == parent for pid, _ in snapshot(also=(parent,)).live)
    assert not any(pid == parent for pid, _ in snapshot().live)
