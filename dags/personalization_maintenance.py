"""personalization_maintenance: once a day, keep the Delta tables fast to read and bounded on
disk without breaking time travel.

The nearline DAG appends a few small files every 10 minutes and every rerun replaces files;
this compacts the small files (the same rows in fewer files), vacuums the files removed more
than the retention ago, checkpoints and expires old commit files — everything
``tailor run maintenance`` does (jobs/maintenance.py), recorded per table in ops.maintenance.
The retention (maintenance.retention_hours) never goes below what lineage and rollback read by
time travel; training.* keeps its whole history.

04:00 UTC: after the daily run (00:00) has normally finished. A table a running job commits to
at the same moment is left as that job leaves it (status conflict) and caught up the next day.
Runs never overlap and never catch up: a missed day is simply done by the next run.
"""
from datetime import datetime, timezone

from airflow.sdk import DAG

from tailor.orchestration import RUN_DAY_DS, default_args, job_task

with DAG(
    dag_id="personalization_maintenance",
    description="Tailor maintenance: compaction, VACUUM within the time-travel retention, checkpoints",
    doc_md=__doc__,
    schedule="0 4 * * *",         # daily at 04:00 UTC; runs never overlap, never catch up
    start_date=datetime(2026, 9, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["tailor", "maintenance"],
) as dag:
    maintenance = job_task("maintenance", ds=RUN_DAY_DS)
