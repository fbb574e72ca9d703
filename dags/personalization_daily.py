"""personalization_daily: raw events → features → models → decisions → published snapshot.

One run per day (the data interval's ds). Every task is idempotent for its ds; the data
contracts gate publish, so a breach keeps yesterday's snapshot serving.
"""
from datetime import datetime

from airflow.sdk import DAG

from tailor.orchestration import contract_task, default_args, job_task

with DAG(
    dag_id="personalization_daily",
    description="Tailor daily batch: ingest → identity → features → train → score → decide → publish",
    schedule="@daily",
    start_date=datetime(2026, 9, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["tailor", "daily"],
) as dag:
    ingest = job_task("ingest")
    bronze_contract = contract_task("bronze.events")
    identity = job_task("identity")
    features = job_task("features")
    training_sets = job_task("training_sets")
    train = job_task("train")
    score = job_task("score")
    decide = job_task("decide")
    decisions_contract = contract_task("gold.decisions")
    publish = job_task("publish")

    ingest >> bronze_contract >> identity >> features >> training_sets >> train >> score
    score >> decide >> decisions_contract >> publish
