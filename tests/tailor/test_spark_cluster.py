"""`tailor cluster start` brings up a real Spark standalone cluster on 127.0.0.1 (a master and
two workers from the pyspark wheel); a job with TAILOR_ENV=standalone runs its executors there
and writes a real Delta table; `tailor cluster stop` leaves no master or worker behind."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

REPO = Path(__file__).resolve().parents[2]
TAILOR = str(Path(sys.executable).with_name("tailor"))
JOB = """
from deltalake import DeltaTable
from tailor.config import get_config
from tailor.lakehouse import Lakehouse
from tailor.spark import get_spark
cfg = get_config()
spark = get_spark(cfg)
frame = spark.range(50000).selectExpr("id", "id % 7 AS k")
Lakehouse(cfg).write(frame, "ops.cluster_probe", mode="overwrite", partition_by=["k"])
rows = DeltaTable(cfg.path("lakehouse/ops/cluster_probe")).to_pyarrow_table().num_rows
print("RESULT", spark.sparkContext.master, rows)
"""


def test_a_job_runs_on_the_local_standalone_cluster(tmp_path):
    shutil.copytree(REPO / "conf", tmp_path / "conf")
    env = {**os.environ, "TAILOR_HOME": str(tmp_path), "TAILOR_ENV": "standalone",
           "SPARK_LOCAL_IP": "127.0.0.1"}
    run = lambda *a: subprocess.run([TAILOR, "cluster", *a], env=env, cwd=tmp_path,  # noqa: E731
                                    capture_output=True, text=True, timeout=300)
    try:
        started = run("start")
        assert started.returncode == 0, started.stdout + started.stderr
        status = json.loads(run("status", "--json").stdout)
        assert status["up"] and status["workers"] == 2
        job = subprocess.run([sys.executable, "-c", JOB], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=600)
        line = next((ln for ln in job.stdout.splitlines() if ln.startswith("RESULT")), "")
        assert line.split()[1:] == ["spark://127.0.0.1:7077", "50000"], job.stderr[-3000:]
    finally:
        stopped = run("stop")
    assert "stopped the cluster" in stopped.stdout
    for pid in status["pids"]:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
