"""Run a DAG through the real Airflow CLI (``airflow dags test``) on the project's SQLite
metadata DB, and read back the state Airflow recorded. Used by ``make demo`` and the
end-to-end test, so both exercise exactly what a data engineer runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DAG_ID = "personalization_daily"


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def airflow_env(root: Path) -> dict[str, str]:
    """Airflow on SQLite under the project, reading only our dags/."""
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(root / "airflow"))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(root / "dags"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__DEFAULT_TASK_RETRIES", "1")       # every Tailor task
    env.setdefault("AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY", "30")  # seconds
    env.update({"TAILOR_HOME": str(root), "PYSPARK_PYTHON": sys.executable,
                "SPARK_LOCAL_IP": "127.0.0.1"})
    return env


def run_dag(root: Path, ds: str, log_path: Path, dag_id: str = DAG_ID) -> str:
    """``airflow dags test`` the daily DAG for ``ds``; returns the run's final state."""
    env = airflow_env(root)
    airflow = _bin("airflow")
    with open(log_path, "a") as log:
        subprocess.run([airflow, "db", "migrate"], env=env, check=True, stdout=log, stderr=log)
        subprocess.run([airflow, "dags", "reserialize"], env=env, check=True, stdout=log, stderr=log)
        proc = subprocess.run([airflow, "dags", "test", dag_id, ds], env=env, stdout=log, stderr=log)
    state = dag_run_state(root, ds, dag_id)
    if proc.returncode != 0 and state == "success":
        state = "failed"
    return state


def dag_run_state(root: Path, ds: str, dag_id: str = DAG_ID) -> str:
    """The state Airflow recorded for the DAG run of ``ds`` (read from its metadata DB)."""
    out = subprocess.run([_bin("airflow"), "dags", "list-runs", dag_id, "-o", "json"],
                         env=airflow_env(root), capture_output=True, text=True)
    start = out.stdout.find("[{")
    if start < 0:
        return "missing"
    runs = [r for r in json.loads(out.stdout[start:out.stdout.rindex("}]") + 2])
            if str(r.get("logical_date", "")).startswith(ds)]
    if not runs:
        return "missing"
    return max(runs, key=lambda r: str(r.get("run_after", "")))["state"]
