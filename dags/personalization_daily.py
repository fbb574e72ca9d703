"""personalization_daily: raw events → features → models → decisions → published snapshot.

The policy learns every day: logged decisions and their outcomes (training.policy) train a
challenger, which is evaluated off-policy against the champion and promoted only through the
gate (ops.policy_gate); decide uses the champion and writes the challenger's shadow decisions;
the policy report (runs/<ds>/reports/policy.html) shows the evidence.

One run per day (the data interval's ds). Every task is idempotent for its ds. Data contracts
(expectations/, GX) check every table the run writes right after the task that writes it; a
breach fails the run with a readable report (HTML data docs under runs/<ds>/), and because the
contract on gold.* gates publish, yesterday's snapshot keeps serving. Drift (PSI against the
champions' training data) warns, or blocks the train task past drift.block_psi. After decide,
incrementality compares the past decision days whose outcome window is complete with the global
holdout (ops.incrementality); it reads only silver.events and gold.decisions and gates nothing.
The run's tasks share one Spark (spark_start / spark_stop: a Spark Connect server, so the run
pays JVM start-up once; spark.connect.per_run).
"""
from datetime import datetime, timezone

from airflow.sdk import DAG

from tailor.orchestration import contract_task, default_args, job_task, spark_tasks

with DAG(
    dag_id="personalization_daily",
    description="Tailor daily batch: ingest → identity → features → train → score → decide → publish",
    doc_md=__doc__,
    schedule="@daily",
    start_date=datetime(2026, 9, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["tailor", "daily"],
) as dag:
    spark_start, spark_stop = spark_tasks()   # one Spark for the whole run (spark.connect)
    ingest = job_task("ingest")
    bronze_contract = contract_task("bronze.events,bronze.quarantine,ops.ingest_log",
                                    task_id="validate_bronze")
    quality_report = job_task("quality_report")
    identity = job_task("identity")
    features = job_task("features")
    features_contract = contract_task("silver.*,features.*", task_id="validate_features")
    drift = job_task("drift")
    training_sets = job_task("training_sets")
    training_contract = contract_task("training.*", task_id="validate_training")
    train = job_task("train")
    score = job_task("score")
    policy_outcomes = job_task("policy_outcomes")
    train_policy = job_task("train_policy")
    decide = job_task("decide")
    policy_report = job_task("policy_report")
    gold_contract = contract_task("gold.user_scores,gold.recommendations,gold.decisions,ops.quality",
                                  task_id="validate_gold")
    publish = job_task("publish")
    incrementality = job_task("incrementality")
    incrementality_contract = contract_task("ops.incrementality", task_id="validate_incrementality")

    ingest >> bronze_contract >> [identity, quality_report]
    identity >> features >> features_contract >> [drift, training_sets, policy_outcomes]
    [training_sets, policy_outcomes] >> training_contract   # training.* includes training.policy
    [drift, training_contract] >> train >> score
    training_contract >> train_policy
    [score, train_policy] >> decide >> incrementality >> incrementality_contract >> policy_report
    [decide, quality_report] >> gold_contract >> publish
    spark_start >> ingest
    [publish, policy_report] >> spark_stop
