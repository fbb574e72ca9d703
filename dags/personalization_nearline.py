"""personalization_nearline: every few minutes, new landing events → bronze → gold.overlay and the
short-lived behaviour features, so the lookup server sees consent revocations, today's message
counts and fresh purchases within minutes (the daily DAG rebuilds everything once a day).

Runs never overlap (max_active_runs=1) and never catch up: each run drains whatever landed since
the previous one (the ingest is a checkpointed, exactly-once stream). The overlay goes before
the behaviour refresh because consent is the part that must not wait.
"""
from datetime import datetime, timezone

from airflow.sdk import DAG

from tailor.orchestration import NEARLINE_DS, default_args, job_task

with DAG(
    dag_id="personalization_nearline",
    description="Tailor nearline: streaming ingest → overlay (consent, caps, bought) → behaviour",
    doc_md=__doc__,
    schedule="*/10 * * * *",      # every ten minutes; runs never overlap, never catch up
    start_date=datetime(2026, 9, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["tailor", "nearline"],
) as dag:
    nearline_ingest = job_task("nearline_ingest", ds=NEARLINE_DS)
    overlay = job_task("overlay", ds=NEARLINE_DS)
    behaviour_refresh = job_task("behaviour_refresh", ds=NEARLINE_DS)

    nearline_ingest >> overlay >> behaviour_refresh
