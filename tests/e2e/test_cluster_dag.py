"""The daily DAG on a real Spark cluster writes what the same DAG writes on a local Spark.

One small world is simulated twice (same seed: the same landing files) and the real daily DAG
runs on each through Airflow: once as ``make demo`` runs it (local Spark, SQLite stores, tasks
one after another), once with ``TAILOR_ENV=standalone`` — the cluster profile: the Spark
standalone master and two workers that ``tailor cluster start`` launches on 127.0.0.1 (the DAG's
shared Spark Connect server is the cluster's driver; executors run in the workers), Airflow's
metadata DB and MLflow's tracking store on the PostgreSQL server ``tailor postgres start``
runs, and Airflow's LocalExecutor running independent tasks side by side. Every table the DAG
writes must hold the same rows: the same count, and the same content checksum
(:func:`digest`) — exact for keys, text and integers, to float tolerance for measures summed in
another order.

Marked ``cluster`` and ``slow`` (two DAG runs, ~15 minutes on 2 cores): ``make test-cluster``.
The cluster is stopped by the test, whatever happened.
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tailor import spark_cluster
from tailor.features.registry import GROUPS
from tests.support import dag_world
from tests.support.dag_world import REPO, environment, last_day, simulate_and_run, world_environment

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

USERS, DAYS, SEED, START = 1000, 30, 11, "2026-09-01"
DS = last_day(START, DAYS)
TABLES = ["bronze.events", "silver.events", "silver.identity_map",
          *[g.table for g in GROUPS.values()], "training.ltv", "training.churn",
          "training.ranker", "gold.user_scores", "gold.recommendations", "gold.decisions"]
# columns that say when or by which run a row was written, not what it holds
RUN_COLUMNS = {"ingested_at", "computed_at", "decided_at", "created_at", "published_at",
               "run_id", "written_at"}
# away from a demo or test DAG run, and a `make cluster` PostgreSQL, on this machine
CONNECT_PORT, PG_PORT, API_PORT = "15020", 5434, "8782"
KEY = "cluster-e2e-secret"      # the standalone profile refuses the public default key


def _column_digest(column: pa.ChunkedArray) -> object:
    """Order-free summary of one column: floats → (sum, sum of squares, nulls); everything else
    → sha256 of its sorted values as text."""
    if pa.types.is_floating(column.type):
        values = pc.fill_null(column, 0.0)
        return ("float", float(pc.sum(values).as_py() or 0.0),
                float(pc.sum(pc.multiply(values, values)).as_py() or 0.0), column.null_count)
    text = sorted("\x00" if v is None else json.dumps(v, sort_keys=True, default=str)
                  for v in column.to_pylist())
    return ("exact", hashlib.sha256("\n".join(text).encode()).hexdigest())


def digest(cfg, name: str) -> dict[str, object]:
    """A table's row count and per-column checksums, independent of row and file order."""
    from tailor.lakehouse import Lakehouse

    data = Lakehouse(cfg).read_arrow(name)
    out: dict[str, object] = {"rows": data.num_rows}
    for field in data.schema:
        if field.name not in RUN_COLUMNS:
            out[field.name] = _column_digest(data.column(field.name))
    return out


def differences(local: dict, cluster: dict, rel: float = 1e-6) -> list[str]:
    """What differs between two digests of one table (floats compared to ``rel``)."""
    problems = []
    for key in sorted(set(local) | set(cluster)):
        a, b = local.get(key), cluster.get(key)
        if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "float":
            close = all(math.isclose(x, y, rel_tol=rel, abs_tol=1e-6) for x, y in zip(a[1:3], b[1:3]))
            if close and a[3] == b[3]:
                continue
        elif a == b:
            continue
        problems.append(f"{key}: local {a} vs cluster {b}")
    return problems


def _cluster_cli(*args: str) -> subprocess.CompletedProcess:
    tailor = str(Path(sys.executable).with_name("tailor"))
    return subprocess.run([tailor, "cluster", *args], capture_output=True, text=True, timeout=300)


def _postgres_env(folder: Path) -> dict[str, str]:
    pg = f"postgresql+psycopg2://tailor@127.0.0.1:{PG_PORT}"
    return {"TAILOR__POSTGRES__PORT": str(PG_PORT),
            "TAILOR__POSTGRES__DATA_DIR": str(folder / "data"),
            "TAILOR__AIRFLOW__METADATA_DB": f"{pg}/airflow",
            "TAILOR__AIRFLOW__API_PORT": API_PORT,
            "TAILOR__PATHS__MLFLOW_TRACKING_URI": f"{pg}/mlflow"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(local config, cluster config, the master's status after the cluster run)."""
    from tailor import postgres
    from tailor.config import load_config
    from tailor.dagrun import stop_shared

    local_work, cluster_work = tmp_path_factory.mktemp("local"), tmp_path_factory.mktemp("cluster")
    common = {"TAILOR__SPARK__CONNECT__PORT": CONNECT_PORT, "TAILOR__PRIVACY__PSEUDONYM_KEY": KEY}
    with environment(world_environment(local_work, **common)):
        try:
            local = simulate_and_run(local_work, USERS, DAYS, SEED, START)
        finally:
            stop_shared(load_config(root=REPO))
    # PostgreSQL runs as the 'postgres' user when we are root: its folder must be reachable
    # (pytest's own tmp folders are private to root)
    pg_folder = Path(tempfile.mkdtemp(prefix="tailor-pg-"))
    pg_folder.chmod(0o755)
    env = world_environment(cluster_work, TAILOR_ENV="standalone", **common,
                            **_postgres_env(pg_folder))
    with environment(env):
        cfg = load_config(root=REPO)
        started = _cluster_cli("start")
        assert started.returncode == 0, started.stdout + started.stderr
        try:
            postgres.start(cfg)
            cluster = simulate_and_run(cluster_work, USERS, DAYS, SEED, START)
            status = json.loads(_cluster_cli("status", "--json").stdout)
            master = spark_cluster.master_status(status["ui_url"]) or {}
        finally:
            stop_shared(cfg)
            stopped = _cluster_cli("stop")
            postgres.stop(cfg)
            shutil.rmtree(pg_folder, ignore_errors=True)
    assert "stopped the cluster" in stopped.stdout, stopped.stdout + stopped.stderr
    yield local, cluster, {**master, "pids": status["pids"]}


def test_the_cluster_run_ran_on_the_cluster(runs):
    """The DAG's Spark application ran its executors on the two workers (the master saw it),
    and no master or worker is left running."""
    _, cluster, master = runs
    assert cluster.spark.master == "spark://127.0.0.1:7077"
    assert cluster.airflow.executor == "local" and "postgresql" in cluster.mlflow_tracking_uri
    apps = master.get("completedapps", []) + master.get("activeapps", [])
    assert apps and max(app.get("cores", 0) for app in apps) == 2, master
    for pid in master["pids"]:
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split()[2] == "Z"


def test_parallel_tasks_forked_from_one_job_host(runs):
    """Under the LocalExecutor, whose workers run tasks side by side, every job task of the
    cluster run was still served by the run's job host (none refused)."""
    _, cluster, _ = runs
    served, log = dag_world.host_served(cluster)
    assert served >= dag_world.DAILY_JOBS and "refused" not in log, log


@pytest.mark.parametrize("name", TABLES)
def test_every_table_equals_the_local_runs(runs, name):
    local, cluster, _ = runs
    a, b = digest(local, name), digest(cluster, name)
    assert a["rows"] > 0
    assert differences(a, b) == []


def test_the_decisions_are_the_same(runs):
    """Per person, the same action and the same items (the checksum above, made readable)."""
    from tailor.lakehouse import Lakehouse

    def decisions(cfg) -> dict[str, tuple]:
        rows = Lakehouse(cfg).read_arrow("gold.decisions", partitions={"ds": DS}).to_pylist()
        return {r["person_id"]: (r["action_id"], tuple(r["items"] or ())) for r in rows}

    local, cluster, _ = runs
    a, b = decisions(local), decisions(cluster)
    assert len(a) > 0 and set(a) == set(b)
    assert [p for p in a if a[p] != b[p]] == []
