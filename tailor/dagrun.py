"""Run a DAG through the real Airflow CLI (``airflow dags test``) on the project's SQLite
metadata DB, and read back what Airflow recorded: the run's state, every task's state and the
DAG's start date. Used by ``make demo`` and the end-to-end test, so both exercise exactly what
a data engineer runs.

A run counts as a success only if Airflow says so **and** every task of the DAG ran and ended in
``success``: Airflow marks a run with no task instances successful (a logical date before the
DAG's ``start_date`` creates none), which must not read as "the pipeline ran"
(:func:`interpret`).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from tailor.daemons import launch, terminate

if TYPE_CHECKING:
    from tailor.config import AirflowConfig, Config

DAG_ID = "personalization_daily"

# Runs in a subprocess with the Airflow environment (AIRFLOW_HOME etc. are read at import).
_READ_RUN = """
import json, sys
from airflow.models.dagrun import DagRun
from airflow.models.serialized_dag import SerializedDagModel
from airflow.models.taskinstance import TaskInstance
from airflow.utils.session import create_session

dag_id, ds = sys.argv[1], sys.argv[2]
out = {"state": "missing", "tasks": {}, "dag_tasks": [], "start_date": None}
with create_session() as session:
    model = SerializedDagModel.get(dag_id, session=session)
    if model is not None:
        dag = model.dag
        out["dag_tasks"] = sorted(t.task_id for t in dag.tasks)
        out["start_date"] = dag.start_date.isoformat() if dag.start_date else None
    runs = [r for r in session.query(DagRun).filter(DagRun.dag_id == dag_id)
            if r.logical_date is not None and r.logical_date.date().isoformat() == ds]
    if runs:
        run = max(runs, key=lambda r: r.run_after)
        out["state"] = str(run.state)
        out["tasks"] = {t.task_id: (None if t.state is None else str(t.state)) for t in
                        session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id,
                                                           TaskInstance.run_id == run.run_id)}
print("TAILOR_DAG_RUN " + json.dumps(out))
"""


@dataclass(frozen=True)
class DagRunResult:
    """What one DAG run did. ``ok`` only if every task of the DAG ran and succeeded."""

    dag_id: str
    ds: str
    state: str                                  # Airflow's run state ("missing": no run)
    tasks: dict[str, str | None] = field(default_factory=dict)  # task id -> state
    ok: bool = False
    message: str = ""


def interpret(dag_id: str, ds: str, state: str, tasks: dict[str, str | None],
              dag_tasks: list[str], start_date: str | None) -> DagRunResult:
    """Judge a run from Airflow's records; the message says why it failed and what to do."""
    def failed(message: str) -> DagRunResult:
        return DagRunResult(dag_id, ds, state, dict(tasks), False, message)

    ran = {t: s for t, s in tasks.items() if s not in (None, "none", "removed", "scheduled")}
    if state == "missing":
        return failed(f"Airflow recorded no run of {dag_id} for logical date {ds}: see the "
                      f"log of `airflow dags test {dag_id} {ds}` for why it did not start")
    if not ran:
        start = (start_date or "")[:10]
        if start and ds < start:
            return failed(
                f"no task ran: logical date {ds} is before the DAG's start_date {start}, so "
                f"Airflow created the run ({state}) without any task. Pass a logical date on "
                f"or after {start} (for imported or simulated history: the last day of the "
                f"data), or move the DAG's start_date earlier in dags/{dag_id}.py")
        return failed(f"no task ran in the run of {dag_id} for {ds} (Airflow says {state}; the "
                      f"DAG has {len(dag_tasks)} tasks): see the log of `airflow dags test "
                      f"{dag_id} {ds}`")
    missing = [t for t in dag_tasks if t not in ran]
    bad = {t: s for t, s in ran.items() if s != "success"}
    if bad or missing:
        parts = [f"{t}={s}" for t, s in sorted(bad.items())] + [f"{t}=not run" for t in missing]
        first = sorted(t for t, s in bad.items() if s == "failed")
        hint = (f"; the first failure's log: airflow/logs/dag_id={dag_id}/.../task_id="
                f"{first[0]}/" if first else "")
        return failed(f"{len(bad) + len(missing)} of {len(dag_tasks) or len(ran)} tasks did not "
                      f"succeed: {', '.join(parts)}{hint}. Fix the cause and rerun "
                      f"`airflow dags test {dag_id} {ds}` (every task is idempotent)")
    if state != "success":
        return failed(f"every task succeeded but Airflow marked the run {state}: see the log")
    return DagRunResult(dag_id, ds, state, dict(tasks), True,
                        f"{len(ran)} of {len(dag_tasks) or len(ran)} tasks succeeded")


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def world_env(work: Path, dags: Path) -> dict[str, str]:
    """Overrides that run the project's DAG on a world kept in ``work`` (its own lakehouse,
    landing, serving, runs, MLflow store and Airflow home), reading the DAGs in ``dags``: the
    end-to-end test's and the scale bench's. ``work/mlflow`` must exist."""
    return {"TAILOR__PATHS__LAKEHOUSE": str(work / "lakehouse"),
            "TAILOR__PATHS__LANDING": str(work / "landing"),
            "TAILOR__PATHS__SERVING": str(work / "serving"),
            "TAILOR__PATHS__RUNS": str(work / "runs"),
            "TAILOR__PATHS__MLFLOW_TRACKING_URI": f"sqlite:///{work}/mlflow/mlflow.db",
            "TAILOR__PATHS__MLFLOW_ARTIFACTS": str(work / "mlflow" / "artifacts"),
            "AIRFLOW_HOME": str(work / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}


def airflow_env(root: Path, settings: AirflowConfig | None = None) -> dict[str, str]:
    """Airflow on SQLite under the project, reading only our dags/; on the metadata DB of
    ``airflow.metadata_db`` when one is configured (an Airflow setting in the environment wins)."""
    from tailor.config import load_config

    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(root / "airflow"))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(root / "dags"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__DEFAULT_TASK_RETRIES", "1")       # every Tailor task
    env.setdefault("AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY", "30")  # seconds
    env.update({"TAILOR_HOME": str(root), "PYSPARK_PYTHON": sys.executable,
                "SPARK_LOCAL_IP": "127.0.0.1"})
    settings = settings or load_config(root=root).airflow
    if settings.metadata_db and "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" not in os.environ:
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = settings.metadata_db
        if settings.metadata_db.startswith("postgresql+psycopg2://"):
            # Airflow derives its async engine with asyncpg, which Tailor does not install;
            # psycopg 3 (installed) serves the same database
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] = settings.metadata_db.replace(
                "+psycopg2://", "+psycopg_async://", 1)
    if settings.executor == "local":
        env["AIRFLOW__CORE__EXECUTOR"] = "LocalExecutor"
        env["AIRFLOW__CORE__PARALLELISM"] = str(settings.parallelism)
        env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = (
            f"http://127.0.0.1:{settings.api_port}/execution/")
    return env


@contextmanager
def api_server(env: dict[str, str], port: int, log_path: Path,
               timeout_s: float = 180) -> Iterator[None]:
    """An Airflow API server on 127.0.0.1:``port`` for the block: the LocalExecutor's task
    workers fetch their work from it and report to it. Stopped (with its workers) after."""
    health = f"http://127.0.0.1:{port}/api/v2/monitor/health"
    try:   # another server on the port would take our workers' calls (another DB, secret)
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            raise RuntimeError(f"port {port} is taken: another Airflow API server (or other "
                               f"program) listens there; stop it, or set airflow.api_port")
    except OSError:
        pass
    server = launch([_bin("airflow"), "api-server", "--host", "127.0.0.1", "--port", str(port),
                     "--workers", "1"], log_path, env)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(health, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Airflow API server on port {port} did not come up "
                                       f"(exit {server.poll()}): see {log_path}") from None
                time.sleep(1)
        yield
    finally:
        terminate([server.pid])


# ``airflow dags test`` logs these around every task it runs (Airflow 3.x, airflow.sdk dag.py)
_TASK_LINE = re.compile(r"\[DAG TEST\] (starting|end task) task_id=(\S+)")
_FAILED_LINE = re.compile(r"Task failed|Marking task as FAILED|new_state=failed")
# with an executor (airflow.executor: local) the scheduler loop logs each task's end instead
_FINISHED_LINE = re.compile(r"TaskInstance Finished: dag_id=[^,]+, task_id=([^,]+),.*?"
                            r"run_duration=([0-9.]+|None), state=(\w+)")


@dataclass(frozen=True)
class TaskProgress:
    """One task starting (``seconds`` None) or ending (its wall time) in a DAG run."""

    task_id: str
    seconds: float | None
    failed: bool = False


def task_progress(lines: Iterable[str], clock: Callable[[], float] = time.monotonic
                  ) -> Iterator[TaskProgress]:
    """Task starts and ends read from ``airflow dags test`` output lines as they come."""
    started: dict[str, float] = {}
    failed = False
    for line in lines:
        finished = _FINISHED_LINE.search(line)
        if finished:
            task, seconds, state = finished.groups()
            yield TaskProgress(task, float(seconds) if seconds != "None" else 0.0,
                               state != "success")
            continue
        failed = failed or bool(_FAILED_LINE.search(line))
        match = _TASK_LINE.search(line)
        if not match:
            continue
        what, task = match.groups()
        if what == "starting":
            started[task], failed = clock(), False
            yield TaskProgress(task, None)
        else:
            now = clock()
            yield TaskProgress(task, now - started.pop(task, now), failed)


def print_progress(total: int | None = None) -> Callable[[TaskProgress], None]:
    """A progress callback for :func:`run_dag`: one line per task as it ends."""
    done = [0]

    def show(p: TaskProgress) -> None:
        if p.seconds is None:
            return
        done[0] += 1
        of = f"/{total}" if total else ""
        state = "FAILED" if p.failed else "done"
        print(f"  [{done[0]:2d}{of}] {p.task_id:<24s} {state} in {p.seconds:5.0f} s", flush=True)

    return show


def shared_commands(tailor: str) -> tuple[str, str]:
    """The shell commands that start and stop what a run's tasks share (``tailor`` is the CLI's
    path), as the DAG's ``spark_start`` / ``spark_stop`` tasks run them
    (:func:`tailor.orchestration.spark_tasks`): the job host is launched first and imports
    while the Spark JVM starts, and is waited for last; stop stops both even if one fails."""
    start = (f"{tailor} host start --per-run --no-wait && {tailor} spark start --per-run && "
             f"{tailor} host start --per-run")
    stop = f"{tailor} host stop --per-run; {tailor} spark stop --per-run"
    return start, stop


def start_shared(env: dict[str, str], log) -> subprocess.Popen:
    """Start what the run's tasks share — the job host and the Spark Connect server — in the
    background, with the ``spark_start`` task's commands and the environment its tasks get:
    :func:`run_dag` does it while Airflow migrates its metadata DB and prepares the run (about as
    long as a Spark JVM takes to start), so that task finds both up. A no-op unless
    ``jobhost.per_run`` / ``spark.connect.per_run`` are on; a start racing the task's waits for
    it (``tailor.daemons.starting``)."""
    return subprocess.Popen(["bash", "-c", shared_commands(_bin("tailor"))[0]],
                            env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)


def run_dag(root: Path, ds: str, log_path: Path, dag_id: str = DAG_ID,
            progress: Callable[[TaskProgress], None] | None = None) -> DagRunResult:
    """``airflow dags test`` the DAG for ``ds`` and judge the run (:func:`interpret`).
    ``progress`` (e.g. :func:`print_progress`) hears of every task starting and ending, as it
    happens; the whole output still goes to ``log_path``. For the daily DAG run inline (no
    executor), the shared Spark and job host start while Airflow prepares the run
    (:func:`start_shared`); if the run ends without its ``spark_stop`` task (Airflow failed
    first), they are stopped here."""
    from tailor.config import load_config

    cfg = load_config(root=root)
    settings = cfg.airflow
    env = airflow_env(root, settings)
    airflow = _bin("airflow")
    test = [airflow, "dags", "test", dag_id, ds]
    ended: set[str] = set()
    with open(log_path, "a") as log, ExitStack() as stack:
        shared = (start_shared(env, log) if dag_id == DAG_ID and settings.executor != "local"
                  else None)
        subprocess.run([airflow, "db", "migrate"], env=env, check=True, stdout=log, stderr=log)
        # no `airflow dags reserialize` first: `dags test` parses the dags folder and writes
        # every DAG of it to the metadata DB itself (its log: "Bulk-writing dags to db")
        if settings.executor == "local":
            # the scheduler (in `dags test`) and the API server sign and check the workers'
            # tokens with one secret, made for this run
            env.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_hex(32))
            stack.enter_context(api_server(env, settings.api_port,
                                           log_path.with_name(log_path.stem + "-api.log")))
            test.append("--use-executor")
        try:
            with subprocess.Popen(test, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
                assert proc.stdout is not None

                def tee() -> Iterator[str]:
                    for line in proc.stdout:       # type: ignore[union-attr]
                        log.write(line)
                        yield line

                for event in task_progress(tee()):
                    if event.seconds is not None:
                        ended.add(event.task_id)
                    if progress is not None:
                        progress(event)
                log.flush()
        finally:
            if shared is not None:
                shared.wait()
                if "spark_stop" not in ended:
                    stop_shared(cfg)
    result = read_run(root, ds, dag_id)
    if proc.returncode != 0 and result.ok:
        return DagRunResult(dag_id, ds, "failed", result.tasks, False,
                            f"`airflow dags test` exited with {proc.returncode}: see {log_path}")
    return result


def read_run(root: Path, ds: str, dag_id: str = DAG_ID) -> DagRunResult:
    """The latest run of ``dag_id`` for logical date ``ds`` as Airflow's metadata DB has it:
    straight from SQLite when that is the DB (:func:`read_run_sqlite`), else (or when the run
    has no task instances, which only Airflow's DAG model explains) through Airflow's models in
    a subprocess."""
    env = airflow_env(root)
    db = sqlite_path(env)
    if db is not None:
        fast = read_run_sqlite(db, ds, dag_id)
        if fast is not None:
            return fast
    out = subprocess.run([sys.executable, "-c", _READ_RUN, dag_id, ds], env=env,
                         capture_output=True, text=True)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("TAILOR_DAG_RUN ")), None)
    if line is None:
        return DagRunResult(dag_id, ds, "unknown", {}, False,
                            f"could not read the run from Airflow's metadata DB: "
                            f"{out.stderr.strip()[-1500:]}")
    data = json.loads(line.split(" ", 1)[1])
    return interpret(dag_id, ds, data["state"], data["tasks"], data["dag_tasks"],
                     data["start_date"])


def sqlite_path(env: dict[str, str]) -> str | None:
    """The file of Airflow's metadata DB under ``env`` if it is SQLite and exists (Airflow's
    default: ``$AIRFLOW_HOME/airflow.db``)."""
    url = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    if url is None:
        path = os.path.join(env["AIRFLOW_HOME"], "airflow.db") if env.get("AIRFLOW_HOME") else ""
    elif url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):].split("?", 1)[0]
    else:
        return None
    return path if path and os.path.isfile(path) else None


def read_run_sqlite(path: str, ds: str, dag_id: str = DAG_ID) -> DagRunResult | None:
    """:func:`read_run` from a SQLite metadata DB with the standard library (importing Airflow
    to ask its models takes ~2 s): the run's state and its task instances' (Airflow creates one
    per task of the DAG with the run). ``None`` when there is no such run or it has no task
    instances (Airflow's DAG model says why: :func:`read_run` asks it) or the DB cannot be read."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
            run = db.execute(   # logical_date: 'YYYY-MM-DD HH:MM:SS.ffffff', UTC
                "SELECT run_id, state FROM dag_run WHERE dag_id = ? AND "
                "substr(logical_date, 1, 10) = ? ORDER BY run_after DESC LIMIT 1",
                (dag_id, ds)).fetchone()
            if run is None:
                return None
            tasks = dict(db.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? "
                                    "AND run_id = ?", (dag_id, run[0])).fetchall())
    except sqlite3.Error:
        return None
    if not tasks:
        return None
    return interpret(dag_id, ds, str(run[1]), tasks, sorted(tasks), None)


def dag_run_state(root: Path, ds: str, dag_id: str = DAG_ID) -> str:
    """The state Airflow recorded for the DAG run of ``ds`` ("missing" if none)."""
    return read_run(root, ds, dag_id).state


def stop_shared(cfg: Config) -> None:
    """Stop what a DAG run's tasks share — the job host and the Spark Connect server — as the
    run's teardown task does; for callers whose run may have died before it (tests, benches)."""
    from tailor import spark_connect
    from tailor.jobhost import service

    service.stop(cfg)
    spark_connect.stop(cfg)
