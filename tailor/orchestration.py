"""Airflow building blocks for the DAG files: one task per job, keyed on the data interval.

DAG files in ``dags/`` only wire these together. Each task shells out to ``tailor run JOB --ds
{{ ds }}`` (the same command a person runs; see ``DAILY_DS`` for runs without a logical date),
so a task is idempotent for its ds and retried by Airflow on failure. A DAG run shares one Spark
and one Python: ``spark_tasks`` start a Spark Connect server (tailor/spark_connect.py) and a job
host (tailor/jobhost/) first and stop them last; every task's job runs in a child the host
forks and opens a session on the server, or imports its own libraries / starts its own Spark if
it finds none.

Nothing here reads Tailor's configuration: the scheduler parses DAG files every few seconds, and
the jobs load ``conf/`` when they run. Retries are Airflow's own settings
(``[core] default_task_retries`` / ``default_task_retry_delay``; ``make`` and ``tailor.dagrun``
set 1 retry after 30 s).
"""
from __future__ import annotations

import os
import sys

from airflow.providers.standard.operators.bash import BashOperator

from tailor.config import project_root
from tailor.dagrun import shared_commands

TAILOR_BIN = os.path.join(os.path.dirname(sys.executable), "tailor")

# The ds a task works on: the run's logical date. Airflow 3 also runs DAGs *without* one (the
# REST API's ``"logical_date": null``, ``airflow dags trigger`` without ``-e``), where ``{{ ds }}``
# is undefined; such a run takes the last complete day before it ran (daily work) or the day it
# ran (nearline work, which drains whatever landed so far).
DAILY_DS = ("{{ ds if ds is defined and ds else "
            "macros.ds_add(dag_run.run_after | ds, -1) }}")
NEARLINE_DS = "{{ ds if ds is defined and ds else dag_run.run_after | ds }}"
# Work that is about the day it runs on, not a day of data (nearline, table maintenance).
RUN_DAY_DS = NEARLINE_DS


def default_args() -> dict:
    """Arguments every Tailor task shares (retries come from Airflow's configuration)."""
    return {"owner": "tailor"}


def _env() -> dict[str, str]:
    """The project directory the jobs load conf/ from (TAILOR_HOME, else found from the cwd)."""
    return {"TAILOR_HOME": os.environ.get("TAILOR_HOME") or str(project_root()),
            "PYSPARK_PYTHON": sys.executable, "SPARK_LOCAL_IP": "127.0.0.1"}


def job_task(job: str, ds: str = DAILY_DS, **kwargs) -> BashOperator:
    """``tailor run JOB --ds <ds>`` as a task named after the job."""
    return BashOperator(task_id=kwargs.pop("task_id", job),
                        bash_command=f"{TAILOR_BIN} run {job} --ds {ds}",
                        env=_env(), append_env=True, **kwargs)


def spark_tasks(**kwargs) -> tuple[BashOperator, BashOperator]:
    """(start, stop) of what the run's tasks share: one Spark (``tailor spark start|stop
    --per-run``) and one job host (``tailor host start|stop --per-run``, the libraries imported
    once; tailor/jobhost/), each a no-op unless its ``per_run`` is on. Wire ``start`` before the
    first job and ``stop`` after the last. The host is launched first, imports while the Spark
    JVM starts, and is waited for last (usually listening by then). ``stop`` is a teardown: it
    runs whatever the jobs' outcome, stops both even if one fails, and does not decide the
    run's state. A task retried after they are gone starts its own Spark and imports its own
    libraries."""
    start_command, stop_command = shared_commands(TAILOR_BIN)
    start = BashOperator(task_id="spark_start", bash_command=start_command,
                         env=_env(), append_env=True, **kwargs)
    stop = BashOperator(task_id="spark_stop", bash_command=stop_command,
                        env=_env(), append_env=True, **kwargs)
    return start, stop.as_teardown(setups=start)


def contract_task(table: str, ds: str = DAILY_DS, **kwargs) -> BashOperator:
    """The data contract of ``table`` on its ds partition; a breach fails the task."""
    return BashOperator(task_id=kwargs.pop("task_id", f"validate_{table.replace('.', '_')}"),
                        bash_command=f"{TAILOR_BIN} run validate --table {table} --ds {ds}",
                        env=_env(), append_env=True, **kwargs)
