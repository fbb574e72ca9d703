"""ops: how the pipeline itself is doing — ingest bookkeeping, data quality, drift, what each job
cost (runs), what messaging earned against the holdout (incrementality) and what table
maintenance did (maintenance)."""
from tailor.catalog.schema import Column as C
from tailor.catalog.schema import Table

INGEST_LOG = Table(
    "ops.ingest_log", "every landing file ingested, once (batch and nearline ingest share it)",
    owner="ingest", keys=("landing_file",),
    columns=(
        C("landing_file", "string", "path relative to the landing root"),
        C("content_hash", "string", "SHA-256 of the file's bytes: a re-delivered file is known"),
        C("duplicate_of", "string", "the file with the same content ingested first (not re-read)"),
        C("rows_good", "bigint"), C("rows_quarantined", "bigint"),
        C("ds", "string", "the run that ingested it"),
        C("ingested_at", "timestamp"),
        C("bronze_version", "bigint", "bronze.events version holding its events"),
    ))

QUALITY = Table(
    "ops.quality", "quarantine rate per reason per day",
    owner="quality_report", partition_by=("ds",), keys=("ds", "reason"),
    columns=(
        C("reason", "string"), C("count", "bigint"),
        C("lines", "bigint", "landing lines ingested that day"),
        C("share", "double", "count / lines"),
        C("ds", "string"), C("computed_at", "timestamp"),
    ))

FEATURE_DRIFT = Table(
    "ops.feature_drift", "PSI per model feature: today's features vs the champion's training set",
    owner="drift", partition_by=("ds",), keys=("ds", "model", "feature"),
    columns=(
        C("ds", "string"), C("model", "string"), C("feature", "string"),
        C("psi", "double"), C("status", "string", "ok | warn | block"),
        C("reference_version", "bigint", "training.<model> version the champion was trained on"),
        C("reference_cutoff", "string"), C("champion_version", "string"),
        C("kind", "string"), C("n_reference", "bigint"), C("n_current", "bigint"),
        C("note", "string"), C("warn_psi", "double"), C("block_psi", "double"),
        C("computed_at", "timestamp"),
    ))

POLICY_GATE = Table(
    "ops.policy_gate", "off-policy estimates of every policy on held-out logged decisions, and "
                       "the gate's decision",
    owner="train_policy", partition_by=("ds",), keys=("ds", "policy", "outcome", "estimator"),
    columns=(
        C("ds", "string"),
        C("policy", "string", "challenger | champion | heuristic | uniform | challenger-champion"),
        C("outcome", "string", "reward | unsubscribe | discount | messages (per decision)"),
        C("estimator", "string", "ips, snips, dm, dr, sndr, switch-dr(tau=..), ... or direct"),
        C("value", "double"), C("ci_low", "double"), C("ci_high", "double"),
        C("ess", "double", "effective sample size of the importance weights"),
        C("max_weight", "double", "largest importance weight"),
        C("n", "bigint", "logged decisions used"), C("n_excluded", "bigint", "logged decisions left out"),
        C("challenger", "string"), C("champion", "string"),
        C("promoted", "boolean"), C("reason", "string"), C("decided_at", "timestamp"),
    ))

RUNS = Table(
    "ops.runs", "every job execution: status, wall and CPU seconds of its process tree, rows",
    owner="runtime", partition_by=("ds",), keys=("run_id",),
    notes="Appended by tailor.runtime.execute (tailor/runlog.py) after every job, failed ones too; "
          "reruns add rows (history). CPU covers this host's process tree (driver, Spark JVM, "
          "Python workers), not executors on other machines.",
    columns=(
        C("run_id", "string", "one execution (uuid); also in runs/<ds>/<task>.json"),
        C("job", "string"), C("task", "string", "the run record's name: job + naming options"),
        C("ds", "string", "the run's date"),
        C("status", "string", "success | failed"),
        C("error_type", "string", "exception class of a failed run"),
        C("error", "string", "first line of its message"),
        C("started_at", "timestamp"), C("finished_at", "timestamp"),
        C("wall_seconds", "double"),
        C("cpu_seconds", "double", "user + system CPU of the process tree on this host"),
        C("peak_rss_mb", "double", "sum of per-process peak RSS of the tree (upper bound)"),
        C("rows_in", "bigint", "the summary's rows_in, when it states one"),
        C("rows_out", "bigint", "the summary's rows_out, when it states one"),
        C("clock", "string", "clock.mode: live | replay"),
        C("profile", "string", "configuration profile (TAILOR_ENV)"),
        C("spark_master", "string"), C("host", "string"),
        C("dag_run_id", "string", "Airflow's run id when Airflow started it"),
    ))

INCREMENTALITY = Table(
    "ops.incrementality",
    "per decision day and channel: conversion and revenue per person, treated vs holdout, "
    "difference and CI; only channel = all is randomised (channel rows: selected groups)",
    owner="incrementality", partition_by=("ds",), keys=("decision_ds", "channel"),
    notes="Row 'all' compares every non-holdout person decided that day (intent to treat) with "
          "every holdout person: randomised. A channel row compares the persons decided a "
          "message on that channel with the holdout persons whose consent allows it: a "
          "selected group, biased by the policy's choice.",
    columns=(
        C("ds", "string", "the run that evaluated the day"),
        C("decision_ds", "string", "the day the decisions were made for"),
        C("window_days", "int", "outcomes counted in [day_end(decision_ds), +window_days)"),
        C("channel", "string", "all, or the channel decided"),
        C("comparison", "string", "randomised (all) | selected (a channel)"),
        C("n_treated", "bigint", "treated persons (all: every non-holdout person)"),
        C("n_messaged", "bigint", "of them, decided a message"),
        C("n_holdout", "bigint", "holdout persons compared with"),
        C("conv_rate_treated", "double", "share with at least one order in the window"),
        C("conv_rate_holdout", "double"),
        C("conv_rate_diff", "double", "treated - holdout"),
        C("conv_rate_ci_low", "double"), C("conv_rate_ci_high", "double"),
        C("revenue_pp_treated", "double", "order value per person in the window"),
        C("revenue_pp_holdout", "double"),
        C("revenue_pp_diff", "double", "treated - holdout"),
        C("revenue_pp_ci_low", "double"), C("revenue_pp_ci_high", "double"),
        C("ci_method", "string", "welch_t: unpooled variances, Welch-Satterthwaite df"),
        C("confidence", "double"),
        C("decisions_version", "bigint"), C("events_version", "bigint"),
        C("computed_at", "timestamp"),
    ))

MAINTENANCE = Table(
    "ops.maintenance", "per table per maintenance run: compaction, retention, VACUUM, checkpoint; "
                       "files and bytes before / after",
    owner="maintenance", partition_by=("ds",), keys=("ds", "run_id", "table_name"),
    notes="Appended by jobs/maintenance.py (tailor/maintenance.py), one row per table per run; "
          "reruns add rows (history), a table with nothing to do gets status noop. Live = the "
          "latest snapshot's files (what readers open); stored = every data file in the table's "
          "directory, including removed ones kept for time travel.",
    columns=(
        C("ds", "string", "the run's date"),
        C("run_id", "string", "the execution (ops.runs.run_id)"),
        C("table_name", "string", "layer.name"),
        C("status", "string", "done | noop | conflict (a concurrent commit: retried next run) | failed"),
        C("operations", "string", "what changed, in order: compact,retention,vacuum,checkpoint,cleanup_logs"),
        C("files_before", "bigint", "live files before"), C("files_after", "bigint"),
        C("bytes_before", "bigint", "live bytes before"), C("bytes_after", "bigint"),
        C("stored_files_before", "bigint", "data files in storage before"),
        C("stored_files_after", "bigint"),
        C("stored_bytes_before", "bigint"), C("stored_bytes_after", "bigint"),
        C("files_compacted", "bigint", "small files compaction replaced"),
        C("files_vacuumed", "bigint", "removed files VACUUM deleted"),
        C("bytes_vacuumed", "bigint"),
        C("log_files_deleted", "bigint", "expired commit files deleted"),
        C("version_before", "bigint"), C("version_after", "bigint"),
        C("checkpoint_version", "bigint", "newest checkpoint after the run"),
        C("retention_hours", "double", "files removed longer ago than this may be deleted"),
        C("time_travel_from_version", "bigint", "oldest version guaranteed readable after the run "
                                                "(null: not vacuumed)"),
        C("seconds", "double"),
        C("note", "string", "why a step was skipped, or the error"),
        C("finished_at", "timestamp"),
    ))

TABLES = (INGEST_LOG, QUALITY, FEATURE_DRIFT, POLICY_GATE, RUNS, INCREMENTALITY, MAINTENANCE)
