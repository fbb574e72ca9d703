"""ops: how the pipeline itself is doing — ingest bookkeeping, data quality, drift."""
from tailor.catalog.schema import Column as C
from tailor.catalog.schema import Table

INGEST_LOG = Table(
    "ops.ingest_log", "every landing file ingested, once (batch and nearline ingest share it)",
    owner="ingest", keys=("landing_file",),
    columns=(
        C("landing_file", "string"),
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

TABLES = (INGEST_LOG, QUALITY, FEATURE_DRIFT, POLICY_GATE)
