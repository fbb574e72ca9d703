"""A simulated world and one real run of the daily DAG on it, for the tests that run the DAG
(tests/e2e): the world keeps its own lakehouse, landing, serving, runs, MLflow store and Airflow
home under one folder; the environment is set for the run and restored after."""
from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """``os.environ`` updated with ``env`` inside the block (Airflow's subprocesses inherit it),
    every key restored (or removed) after."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def world_environment(work: Path, **overrides: str) -> dict[str, str]:
    """The environment of a DAG run on the world in ``work``, with test-sized settings: the
    policy tasks run in full on half the default window and a 3-model ensemble (the tests check
    that every task works; bench/policy.py measures how well the policy learns)."""
    from tailor.dagrun import world_env

    return {"TAILOR_HOME": str(REPO), **world_env(work, REPO / "dags"),
            "TAILOR__SPARK__SHUFFLE_PARTITIONS": "2",
            "TAILOR__POLICY__OUTCOMES__LOOKBACK_DAYS": "14",
            "TAILOR__POLICY__LEARNING__ENSEMBLE": "3",
            "TAILOR__QUALITY__DATA_DOCS": "false",
            "TAILOR__IDENTITY__GROUND_TRUTH": str(work / "ground_truth" / "identity.parquet"),
            "PYSPARK_PYTHON": sys.executable, **overrides}


def last_day(start: str, days: int) -> str:
    return (date.fromisoformat(start) + timedelta(days=days - 1)).isoformat()


def simulate_and_run(work: Path, users: int, days: int, seed: int, start: str,
                     items: int = 300):
    """Simulate the world into ``work`` and run the daily DAG for its last day through Airflow
    (inside :func:`environment` of :func:`world_environment`) → the run's config. Fails with
    the log's tail if the run did not succeed."""
    from tailor.config import load_config
    from tailor.dagrun import run_dag
    from tailor.simulator import simulate

    (work / "mlflow").mkdir(exist_ok=True)
    cfg = load_config(root=REPO)
    simulate(users=users, days=days, seed=seed, out_dir=str(work), items=items,
             start_date=start, progress=False)
    log = work / "airflow-run-1.log"
    run = run_dag(REPO, last_day(start, days), log)
    assert run.ok, f"DAG run {run.state}: {run.message}; log tail:\n" + log.read_text()[-6000:]
    return cfg


# every job task of the daily DAG, as `tailor run <job>` names it (the contracts are `validate`)
DAILY_JOBS = {"ingest", "identity", "features", "training_sets", "policy_outcomes", "train",
              "train_policy", "score", "decide", "validate", "publish", "drift",
              "incrementality", "policy_report", "quality_report"}


def host_served(cfg) -> tuple[set[str], str]:  # noqa: ANN001 - a tailor.config.Config
    """(the jobs the run's job host ran, its log): from ``runs/jobhost/host.log``."""
    log = (Path(cfg.runs_dir) / "jobhost" / "host.log").read_text()
    return set(re.findall(r"job \d+: tailor run (\w+)", log)), log
