"""A real Spark standalone cluster on this machine: one master and N workers, bound to 127.0.0.1.

The pyspark wheel has no ``sbin/`` start scripts, but ``bin/spark-class`` runs the master
(``org.apache.spark.deploy.master.Master``) and the workers (``...deploy.worker.Worker``) as any
Spark distribution does. :func:`start` launches them in their own process groups (so they
outlive the command), waits until every worker has registered with the master (its JSON status
page), and records them in ``<paths.runs>/spark-cluster/cluster.json``; :func:`stop` ends them.
``conf/standalone.yaml`` (``TAILOR_ENV=standalone``) points every job, and the shared Spark
Connect server of a DAG run, at ``spark://127.0.0.1:<port>``: executors run in the workers, the
same code path as a remote cluster (only the storage stays on local disk).

    make cluster          # tailor cluster start (2 workers x 1 core)
    TAILOR_ENV=standalone make demo
    make cluster-stop
"""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tailor.config import Config
from tailor.daemons import launch, record, terminate
from tailor.daemons import recorded as recorded_state

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
STATE = "spark-cluster/cluster.json"   # under paths.runs


class ClusterError(RuntimeError):
    """The cluster did not come up (the message names the log to read)."""


@dataclass(frozen=True)
class Cluster:
    master_url: str
    ui_url: str
    pids: list[int] = field(default_factory=list)   # master first, then the workers
    logs: list[str] = field(default_factory=list)


def state_path(cfg: Config) -> Path:
    return Path(cfg.runs_dir, STATE)


def _spark_class() -> str:
    from tailor.spark import spark_home

    return str(spark_home() / "bin" / "spark-class")


def master_status(ui_url: str) -> dict | None:
    """The master's JSON status (workers, their state, cores), None if it does not answer."""
    try:
        with urllib.request.urlopen(f"{ui_url}/json/", timeout=2) as resp:
            return json.loads(resp.read())
    except (OSError, ValueError):
        return None


def alive_workers(ui_url: str) -> int:
    status = master_status(ui_url) or {}
    return sum(1 for w in status.get("workers", []) if w.get("state") == "ALIVE")


def recorded(cfg: Config) -> Cluster | None:
    return recorded_state(state_path(cfg), Cluster)


def start(cfg: Config, workers: int = 2, cores: int = 1, memory: str = "3g",
          port: int = 7077, ui_port: int = 8090, timeout_s: float = 120) -> tuple[Cluster, bool]:
    """Start the master and ``workers`` workers (``cores`` and ``memory`` each) → (cluster,
    started now); an already running cluster of this project is returned as it is."""
    running = recorded(cfg)
    if running and alive_workers(running.ui_url) > 0:
        return running, False
    folder = state_path(cfg).parent
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SPARK_LOCAL_IP": HOST, "SPARK_NO_DAEMONIZE": "1",
           "PYSPARK_PYTHON": os.environ.get("PYSPARK_PYTHON", sys.executable),
           "SPARK_WORKER_DIR": str(folder / "work")}
    master_url, ui_url = f"spark://{HOST}:{port}", f"http://{HOST}:{ui_port}"
    if master_status(ui_url) is not None:
        raise ClusterError(f"a Spark master already answers on {ui_url} (not one this project "
                           f"started): stop it, or start with another port")
    logs = [folder / "master.log"] + [folder / f"worker-{i + 1}.log" for i in range(workers)]
    pids = [launch([_spark_class(), MASTER_CLASS, "--host", HOST, "--port", str(port),
                     "--webui-port", str(ui_port)], logs[0], env).pid]
    for i in range(workers):
        pids.append(launch([_spark_class(), WORKER_CLASS, "--host", HOST, "--cores", str(cores),
                             "--memory", memory, "--webui-port", str(ui_port + 1 + i),
                             master_url], logs[i + 1], env).pid)
    cluster = Cluster(master_url, ui_url, pids, [str(p) for p in logs])
    deadline = time.monotonic() + timeout_s
    while alive_workers(ui_url) < workers:
        if time.monotonic() > deadline:
            _kill(pids)
            raise ClusterError(f"{alive_workers(ui_url)} of {workers} workers registered with "
                               f"{master_url} within {timeout_s:.0f} s; logs: {folder}")
        time.sleep(1)
    record(state_path(cfg), cluster)
    return cluster, True


def _ours(pid: int) -> bool:
    """``pid`` is still a Spark master or worker (not a recycled pid after a reboot)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return MASTER_CLASS.encode() in cmd or WORKER_CLASS.encode() in cmd


def _kill(pids: list[int]) -> None:
    """Stop the workers, then the master (only pids that are still ours)."""
    terminate([p for p in reversed(pids) if _ours(p)])


def stop(cfg: Config) -> Cluster | None:
    """Stop the recorded cluster → what was stopped (None: nothing was recorded)."""
    cluster = recorded(cfg)
    if cluster is None:
        return None
    _kill(cluster.pids)
    state_path(cfg).unlink(missing_ok=True)
    return cluster
