"""One typed configuration loader, used by every layer.

``conf/base.yaml`` holds documented defaults; ``conf/<TAILOR_ENV>.yaml`` (default ``local``) is
deep-merged on top; ``TAILOR__SECTION__KEY=value`` environment variables override single values.
Sections are pydantic models so a typo or a wrong type fails at load time with the exact path.
"""
from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tailor.home import project_root  # noqa: F401 (re-exported: where the project is)

ENV_PREFIX = "TAILOR__"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PathsConfig(_Section):
    lakehouse: str
    landing: str
    serving: str
    runs: str
    mlflow_tracking_uri: str
    mlflow_artifacts: str


class SparkConnectConfig(_Section):
    """One long-lived Spark for many jobs (tailor/spark_connect.py)."""
    per_run: bool = True          # the daily DAG starts one server per run and stops it at the end
    port: int = 15002             # where `tailor spark start` serves (127.0.0.1 only)
    start_timeout_s: int = 180    # how long start waits for the server to accept sessions


class JobHostConfig(_Section):
    """One warm Python for many jobs (tailor/jobhost/): libraries imported once, a fork per job."""
    per_run: bool = True          # the daily DAG starts a host first and stops it last
    preload: list[str] = []       # modules the host imports before serving (see conf/base.yaml)
    start_timeout_s: int = 60     # how long `tailor host start` waits for the host to listen
    idle_timeout_s: int = 3600    # a host with no job for this long stops itself (0: never)
    stop_grace_s: float = 10.0    # SIGTERM → SIGKILL for a job whose caller went away; how
                                  # long `tailor host stop` waits for the host to exit


class SparkConfig(_Section):
    master: str
    app_name: str
    shuffle_partitions: int
    driver_memory: str
    conf: dict[str, str] = {}
    remote: str = ""              # sc://host:port of a Connect server every job must use
    concurrent_writes: int = Field(default=2, ge=1)
    class_archive: bool = True    # map Spark's classes from `tailor spark archive`'s archive
    connect: SparkConnectConfig = SparkConnectConfig()

    @property
    def task_cpus(self) -> int:
        """Cores one Spark task owns (``spark.task.cpus``, Spark's default 1): the threads a
        library may use inside a task (XGBoost's predictions in score and decide)."""
        return int(self.conf.get("spark.task.cpus", "1"))

    @field_validator("conf", mode="before")
    @classmethod
    def _spark_strings(cls, conf: Any) -> Any:
        """Spark settings are strings; YAML (and TAILOR__SPARK__CONF__spark.x=true) gives
        ``true`` / ``4`` as a bool / number: passed on as Spark spells them ("true", "4")."""
        if not isinstance(conf, dict):
            return conf
        return {key: _spark_string(key, value) for key, value in conf.items()}


def _spark_string(key: str, value: Any) -> str:
    """One ``spark.conf`` value as Spark spells it; anything but a scalar is refused."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError(f"spark.conf.{key}: expected a string, number or true/false "
                     f"(Spark takes every setting as a string), got {value!r}")


class LakehouseConfig(_Section):
    engine: str
    target_file_rows: int
    max_commit_retries: int


class PrivacyConfig(_Section):
    pseudonym_key: str
    person_id_length: int


class IngestConfig(_Section):
    # events dated more than this after their receipt are refused (server: 400; ingest:
    # quarantined as future_ts); "receipt" in replay = the landing file's arrival (tailor/clock.py)
    max_future_skew_seconds: float = Field(default=300.0, ge=0)


class FeaturesConfig(_Section):
    behaviour_windows_hours: list[int]
    # Point-in-time join plan (features/pit.py): auto = broadcast small entity sides, else window.
    pit_strategy: Literal["auto", "window", "broadcast"] = "auto"
    pit_broadcast_max_mb: int = Field(default=64, ge=0)


class ClockConfig(_Section):
    """Where write and arrival times come from (tailor/clock.py)."""

    mode: str = "live"            # live: wall clock; replay: landing-file days + run delay
    run_delay_minutes: int = 60   # the daily run writes this long after its day ends
    replay_keep_written: bool = False  # replay: keep past as-of days an earlier run wrote


class DriftConfig(_Section):
    """Feature drift (PSI) gates: see tailor/drift.py."""

    warn_psi: float = 0.1        # PSI at or above this: status warn (logged, task succeeds)
    block_psi: float = 0.25      # PSI at or above this: status block (train refuses to run)
    bins: int = 10               # quantile bins cut on the reference, per numeric feature
    epsilon: float = 1e-4        # smoothing added to every bin share (no log(0))
    models: list[str] = ["churn", "ltv"]  # whose champion's training snapshot is the reference
    # each side (reference, today) is held in the drift process: above this many rows, a stable
    # sample of persons (tailor/sampling.py); PSI over 10 bins needs far fewer. null = no cap
    max_rows: int | None = Field(default=500_000, ge=1000)
    parallel_tables: int = Field(default=2, ge=1)   # contracts checked at a time (processes)

    @model_validator(mode="after")
    def _ordered(self) -> "DriftConfig":
        if not 0 <= self.warn_psi <= self.block_psi:
            raise ValueError(f"drift: need 0 <= warn_psi ({self.warn_psi}) <= block_psi "
                             f"({self.block_psi})")
        if self.bins < 2 or self.epsilon <= 0:
            raise ValueError("drift: bins must be >= 2 and epsilon > 0")
        return self


class XGBoostConfig(_Section):
    n_estimators: int
    max_depth: int
    learning_rate: float
    subsample: float
    n_jobs: int


class RankerConfig(_Section):
    candidates_per_user: int
    top_k: int
    seen_items: Literal["keep", "exclude"] = "keep"   # already-touched items (features/candidates.py)


class MinEvidenceConfig(_Section):
    """Below any of these the promotion gate does not decide (models/gate.py ``evidence``)."""
    persons: int = 50        # distinct held-out persons
    positives: int = 30      # held-out positive labels (binary: the rarer class; LTV: spenders)
    lists: int = 30          # ranking: held-out candidate lists with at least one positive


class PromotionConfig(_Section):
    min_relative_gain: float
    require_significant: bool = True   # a win's bootstrap 95% CI must lie above 0
    min_evidence: MinEvidenceConfig = MinEvidenceConfig()


class ModelsConfig(_Section):
    label_horizon_days: int
    horizons: dict[str, int] = {}   # per-model label horizon (days); unlisted: label_horizon_days
    # gold.user_scores.ltv_lifetime: LTV carried from its label horizon to this many days by
    # BG/NBD (models/lifetime.py); equal to horizon('ltv') serves the model's own horizon
    ltv_lifetime_days: int = 365
    # training sets: this many cutoffs, cutoff_step_days apart, the latest at ds - horizon
    # (anchor "ds") or the latest calendar-grid day at or before it ("calendar", features/asof.py)
    training_cutoffs: int = 4
    cutoff_step_days: int = 7
    cutoff_anchor: Literal["calendar", "ds"] = "calendar"
    # the train job holds a training set in its process: above this many rows, a stable sample
    # of persons (models/training_data.py; the share is logged in MLflow). null = no cap
    max_training_rows: int | None = Field(default=2_000_000, ge=1000)
    test_share: float
    split_salt: str
    evaluation: Literal["forward", "person"] = "forward"   # models/training.py split_frame
    random_seed: int
    registry_prefix: str
    promotion: PromotionConfig
    xgboost: XGBoostConfig
    overrides: dict[str, dict[str, Any]] = {}
    ranker: RankerConfig

    def horizon(self, model: str) -> int:
        """``model``'s label horizon in days: ``horizons[model]``, else ``label_horizon_days``."""
        return int(self.horizons.get(model, self.label_horizon_days))

    @model_validator(mode="after")
    def _lifetime_covers_horizon(self) -> "ModelsConfig":
        if self.ltv_lifetime_days < self.horizon("ltv"):
            raise ValueError(f"models.ltv_lifetime_days ({self.ltv_lifetime_days}) is shorter "
                             f"than the LTV label horizon ({self.horizon('ltv')} days): set it "
                             f"to at least that (equal serves the model's own horizon)")
        return self


class OutcomesConfig(_Section):
    """training.policy: logged decision points and their outcomes (features/outcomes.py)."""

    attribution_hours: float = 48.0   # conversions / unsubscribes this long after a decision count
    lookback_days: int = 28           # decision days kept (the newest has a complete window)
    feature_step_days: int = 7        # the features job materialises the decisions' context days
                                      # this far apart (1 = every day: fresh contexts, more work)
    context_anchor: Literal["calendar", "ds"] = "calendar"   # as models.cutoff_anchor


class HeuristicConfig(_Section):
    """The hand-written baseline policy (tailor/agents/heuristic.py)."""

    default_order_value: float = 40.0  # order value assumed for persons who never ordered
    offer_lift: float = 15.0           # response lift per unit of discount × discount sensitivity
    hour_decay_hours: float = 6.0      # response falls by e per this many hours off the preferred hour
    churn_weight: float = 1.0          # value multiplier 1 + churn_weight × churn risk


class LearningConfig(_Section):
    """The learned policy (tailor/agents/learned.py) and how it is trained."""

    eval_days: int = 7                 # newest decision days held out for off-policy evaluation
    ensemble: int = 10                 # bootstrap reward models (Thompson sampling over them)
    exploration: Literal["thompson", "epsilon"] = "thompson"
    epsilon: float = 0.05              # uniform share over allowed actions (support for OPE)
    unsubscribe_cost: float = 0.0      # value lost per unsubscribe, charged against an action
    max_rows: int = 500_000            # training.policy rows held (a person sample above it)
    seed: int = 11
    xgboost: dict[str, Any] = {}       # overrides of models.xgboost for the reward models


class PolicyGateConfig(_Section):
    """When a challenger policy replaces the champion (tailor/agents/gate.py)."""

    estimator: str = "dr"              # the OPE estimator the decision rests on (bench/ope_sim.py)
    n_boot: int = 200                  # bootstrap resamples (persons resampled as a whole)
    alpha: float = 0.05                # 1 - confidence of the intervals
    min_rows: int = 1000               # fewer usable logged rows: no decision, champion stays
    max_unsubscribe_rate: float = 0.02       # estimated unsubscribes per decision
    max_messages_per_decision: float = 1.0   # expected messages per decision
    max_discount_per_decision: float = 5.0   # expected discount spend per decision (currency)


class PolicyConfig(_Section):
    epsilon: float
    holdout_share: float
    holdout_salt: str
    message_cost: float
    min_expected_value: float
    quiet_hours: list[int]
    actions: str
    serve: Literal["champion", "heuristic", "uniform"] = "champion"
    outcomes: OutcomesConfig = OutcomesConfig()
    heuristic: HeuristicConfig = HeuristicConfig()
    learning: LearningConfig = LearningConfig()
    gate: PolicyGateConfig = PolicyGateConfig()


class OPEConfig(_Section):
    """Thresholds of the variance-controlled estimators (tailor/evaluation/ope)."""

    switch_tau: float = 20.0     # switch-DR: rounds with importance weight above this use the model
    clip: float = 20.0           # clipped DR / IPS: weights capped here
    dros_lambda: float = 20.0    # DRos: shrinkage strength


class IdentityConfig(_Section):
    max_iterations: int = 30
    local_graph_max_edges: int = Field(default=200_000, ge=0)
    identified_events: bool = True
    broadcast_max_triples: int = Field(default=5_000_000, ge=0)
    ground_truth: str | None = None


class QualityConfig(_Section):
    fail_on_breach: bool
    max_quarantine_share: float
    data_docs: bool = True
    max_rows: int | None = Field(default=500_000, ge=1000)
    parallel_tables: int = Field(default=2, ge=1)   # contracts checked at a time (processes)


class ServingApiKeysConfig(_Section):
    events: list[str] = []
    admin: list[str] = []


class ServingEventsConfig(_Section):
    fsync: Literal["always", "interval", "never"] = "always"
    fsync_interval_ms: int = 200
    rotate_seconds: float = 30.0
    rotate_bytes: int = 64 * 1024 * 1024
    max_per_request: int = 1000


class ServingDecisionLogConfig(_Section):
    enabled: bool = True
    rotate_seconds: float = 60.0
    rotate_bytes: int = 256 * 1024 * 1024


class ServingOverlayConfig(_Section):
    poll_seconds: float = 5.0
    local_consent_ttl_hours: float = 168.0


class ServingConnectionsConfig(_Section):
    max: int = 10000
    fd_reserve: int = 64
    retry_after_seconds: int = 1


class ServingTimeoutsConfig(_Section):
    header_seconds: float = 10.0
    body_seconds: float = 30.0
    keepalive_seconds: float = 75.0
    write_seconds: float = 30.0


class ServingConfig(_Section):
    host: str
    port: int
    top_k: int
    store: Literal["tkv", "sqlite"] = "tkv"
    reload_interval_seconds: float = 1.0
    keep_snapshots: int = 5
    max_messages_per_day: int = 2
    max_k: int = 100
    max_batch: int = 1000
    max_body_bytes: int = 1024 * 1024
    max_head_bytes: int = 64 * 1024
    connections: ServingConnectionsConfig = ServingConnectionsConfig()
    timeouts: ServingTimeoutsConfig = ServingTimeoutsConfig()
    verify_interval_seconds: float = 900.0
    surfaces: list[str] = []
    landing_dir: str = ""
    api_keys: ServingApiKeysConfig = ServingApiKeysConfig()
    events: ServingEventsConfig = ServingEventsConfig()
    decision_log: ServingDecisionLogConfig = ServingDecisionLogConfig()
    overlay: ServingOverlayConfig = ServingOverlayConfig()


class SimulatorConfig(_Section):
    users: int
    days: int
    items: int
    seed: int
    start_date: str


class NearlineConfig(_Section):
    """The nearline DAG (every few minutes): incremental ingest, behaviour refresh, overlay."""

    checkpoint: str               # streaming checkpoint; relative = under paths.lakehouse
    max_files_per_trigger: int    # landing files per micro-batch (bounds one batch's work)
    max_file_age: str             # file source maxFileAge: older files are not listed
    behaviour_group: str          # features.registry.GROUPS key refreshed as of now
    overlay_table: str            # where the lookup server reads the overlay


class CostConfig(_Section):
    """What a CPU-hour costs (tailor/evaluation/cost.py: cost per 1,000 decisions)."""

    price_per_core_hour: float = Field(default=0.048, ge=0)
    currency: str = "USD"
    cpu_sample_seconds: float = Field(default=1.0, ge=0)  # ops.runs' tree sampling (tailor/usage.py)


class IncrementalityConfig(_Section):
    """Treated vs holdout outcomes per decision day (jobs/incrementality.py)."""

    window_days: int = Field(default=7, ge=1)     # outcomes counted this many days after a decision
    max_days_per_run: int = Field(default=30, ge=1)  # complete days evaluated per run, newest first
    confidence: float = Field(default=0.95, gt=0, lt=1)  # of the Welch interval


class MaintenanceConfig(_Section):
    """Table maintenance (jobs/maintenance.py -> ops.maintenance): compaction, VACUUM, checkpoints."""

    tables: list[str] = ["bronze.*", "silver.*", "features.*", "training.*", "gold.*", "ops.*"]
    compact: bool = True
    target_file_mb: int = Field(default=128, ge=1)   # compaction writes files of about this size
    min_files: int = Field(default=10, ge=2)         # a partition is compacted once it holds this
                                                     # many files smaller than target_file_mb
    vacuum: bool = True
    keep_history: list[str] = ["training.*"]         # read by time travel as long as their model
                                                     # is champion (drift): never vacuumed, logs
                                                     # never expire
    retention_hours: float | None = Field(default=None, gt=0)  # None: the time-travel floor
    checkpoint: bool = True
    cleanup_logs: bool = True                        # expired commit files, never inside the window


def time_travel_floor(cfg: "Config") -> tuple[float, list[str]]:
    """The shortest retention (hours) that keeps every version lineage and rollback read by time
    travel, and why. VACUUM and log cleanup must never go below it (``maintenance``).

    * decisions name the exact data, feature and model-input versions they were made from
      (``gold.decisions`` provenance); the policy still learns from and is evaluated on the
      decisions of the last ``policy.outcomes.lookback_days`` decision days, the newest of which
      is ``ceil(attribution_hours / 24)`` days old — their versions must stay readable (``tailor
      sql --as-of``), plus a day for the run that made the oldest of them;
    * rollback: ``tailor publish --version N`` re-publishes an earlier gold.decisions version;
      the served stack keeps ``serving.keep_snapshots`` publishes (one a day), plus a day;
    * at least Delta's own 7 days (concurrent readers of an older snapshot).
    """
    outcomes = cfg.policy.outcomes
    lineage = outcomes.lookback_days + math.ceil(outcomes.attribution_hours / 24) + 1
    rollback = cfg.serving.keep_snapshots + 1
    days = max(7, lineage, rollback)
    reasons = [f"lineage: decisions of the last {outcomes.lookback_days} decision days (policy."
               f"outcomes.lookback_days) + {math.ceil(outcomes.attribution_hours / 24)} attribution "
               f"days + 1 = {lineage} days",
               f"rollback: republishing any of the last {cfg.serving.keep_snapshots} publishes "
               f"(serving.keep_snapshots) + 1 = {rollback} days",
               "Delta's minimum: 7 days"]
    return days * 24.0, reasons


class PostgresConfig(_Section):
    """A local PostgreSQL for the metadata stores (tailor/postgres.py, ``tailor postgres``)."""

    port: int = 5433              # 127.0.0.1 only; 5433 leaves a system server's 5432 alone
    user: str = "tailor"          # trust authentication, loopback only
    data_dir: str = ""            # "" = <paths.runs>/postgres/data
    databases: list[str] = ["airflow", "mlflow"]   # created by start when missing


class AirflowConfig(_Section):
    """How Tailor runs Airflow (tailor/dagrun.py: ``make demo``, the tests, the benches)."""

    # SQLAlchemy URL of Airflow's metadata DB; "" = SQLite under AIRFLOW_HOME (zero setup).
    # An AIRFLOW__DATABASE__SQL_ALCHEMY_CONN already in the environment wins.
    metadata_db: str = ""
    # inline: `airflow dags test` runs the tasks one after another in its own process (SQLite
    # is enough). local: Airflow's LocalExecutor runs independent tasks side by side (up to
    # parallelism), each in its own worker process reporting to an Airflow API server that
    # Tailor starts for the run on 127.0.0.1:api_port; needs metadata_db on PostgreSQL.
    executor: Literal["inline", "local"] = "inline"
    parallelism: int = Field(default=2, ge=1)
    api_port: int = 8781

    @model_validator(mode="after")
    def _local_needs_a_server_db(self) -> "AirflowConfig":
        if self.executor == "local" and not self.metadata_db.startswith("postgresql"):
            raise ValueError("airflow.executor 'local' runs tasks in parallel and needs Airflow's "
                             "metadata DB on PostgreSQL (SQLite allows one writer): set "
                             "airflow.metadata_db (`tailor postgres start` serves one; "
                             "conf/standalone.yaml does both), or use executor 'inline'")
        return self


class Config(_Section):
    """The whole configuration. ``root`` is the project directory relative paths resolve against."""

    env: str = "local"
    root: str = "."
    paths: PathsConfig
    spark: SparkConfig
    jobhost: JobHostConfig = JobHostConfig()
    lakehouse: LakehouseConfig
    privacy: PrivacyConfig
    ingest: IngestConfig = IngestConfig()
    features: FeaturesConfig
    clock: ClockConfig = ClockConfig()
    drift: DriftConfig = DriftConfig()
    models: ModelsConfig
    policy: PolicyConfig
    ope: OPEConfig = OPEConfig()
    identity: IdentityConfig = IdentityConfig()
    quality: QualityConfig
    serving: ServingConfig
    simulator: SimulatorConfig
    nearline: NearlineConfig
    cost: CostConfig = CostConfig()
    incrementality: IncrementalityConfig = IncrementalityConfig()
    maintenance: MaintenanceConfig = MaintenanceConfig()
    postgres: PostgresConfig = PostgresConfig()
    airflow: AirflowConfig = AirflowConfig()

    @model_validator(mode="after")
    def _retention_keeps_time_travel(self) -> "Config":
        floor, reasons = time_travel_floor(self)
        hours = self.maintenance.retention_hours
        if hours is not None and hours < floor:
            raise ValueError(
                f"maintenance.retention_hours={hours:g} is below the time-travel floor of "
                f"{floor:g} h ({'; '.join(reasons)}): VACUUM would delete files of versions "
                f"lineage and rollback still read. Set it to at least {floor:g} (e.g. "
                f"TAILOR__MAINTENANCE__RETENTION_HOURS={floor:g}) or leave it null (= the floor); "
                "to keep less history, shorten policy.outcomes.lookback_days or "
                "serving.keep_snapshots instead")
        return self

    @property
    def maintenance_retention_hours(self) -> float:
        """The retention maintenance uses: ``maintenance.retention_hours``, else the floor."""
        return self.maintenance.retention_hours or time_travel_floor(self)[0]

    def path(self, value: str) -> str:
        """Resolve a configured path: URIs pass through, relative paths hang off ``root``."""
        if "://" in value or os.path.isabs(value):
            return value
        return str(Path(self.root, value).resolve())

    @property
    def lakehouse_root(self) -> str:
        return self.path(self.paths.lakehouse)

    @property
    def landing_dir(self) -> str:
        return self.path(self.paths.landing)

    @property
    def serving_dir(self) -> str:
        return self.path(self.paths.serving)

    @property
    def serving_landing_dir(self) -> str:
        """Where the lookup server writes events and decision logs (a POSIX path)."""
        return self.path(self.serving.landing_dir) if self.serving.landing_dir else str(
            Path(self.landing_dir, "server"))

    @property
    def runs_dir(self) -> str:
        return self.path(self.paths.runs)

    @property
    def nearline_checkpoint(self) -> str:
        """The nearline ingest's streaming checkpoint (relative paths hang off the lakehouse)."""
        value = self.nearline.checkpoint
        if "://" in value or os.path.isabs(value):
            return value
        return f"{self.lakehouse_root.rstrip('/')}/{value}"

    @property
    def mlflow_tracking_uri(self) -> str:
        uri = self.paths.mlflow_tracking_uri
        if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
            return "sqlite:///" + self.path(uri[len("sqlite:///"):])
        return uri

    def load_actions(self) -> dict[str, Any]:
        """The action bank YAML (channels, send hours, offers) named by ``policy.actions``."""
        with open(self.path(self.policy.actions)) as fh:
            return yaml.safe_load(fh)


class ConfigError(ValueError):
    """Configuration could not be loaded; the message says which file / key and what to do."""


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Recursively merge ``overlay`` into a copy of ``base`` (overlay wins on leaves)."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# Free-form maps whose keys are spelled by someone else (Spark's settings are camelCase:
# spark.eventLog.enabled): an environment override below them keeps its key's case.
_VERBATIM_MAPS = {("spark", "conf")}


def _env_keys(name: str) -> list[str]:
    """``TAILOR__SECTION__KEY`` → ["section", "key"]: lower case, except a key inside a
    verbatim map (``TAILOR__SPARK__CONF__spark.eventLog.enabled`` → its key as written)."""
    keys: list[str] = []
    for part in (k for k in name[len(ENV_PREFIX):].split("__") if k):
        verbatim = any(tuple(keys[:len(m)]) == m for m in _VERBATIM_MAPS)
        keys.append(part if verbatim else part.lower())
    return keys


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        keys = _env_keys(name)
        node = overrides
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = yaml.safe_load(raw) if raw else raw
    return overrides


# libyaml's parser when PyYAML has it (its wheels do): base.yaml in 2 ms instead of 34 ms, read by
# every `tailor` command (each task of a DAG run starts two)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with open(path) as fh:
            data = yaml.load(fh, Loader=_LOADER) or {}   # a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}); fix the file and retry") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def load_config(env: str | None = None, root: str | Path | None = None,
                overrides: dict[str, Any] | None = None,
                environ: dict[str, str] | None = None) -> Config:
    """Load base.yaml + the ``env`` overlay + TAILOR__* variables + explicit ``overrides``."""
    environ = dict(os.environ if environ is None else environ)
    root_path = Path(root).resolve() if root else project_root()
    env = env or environ.get("TAILOR_ENV", "local")
    base_file = root_path / "conf" / "base.yaml"
    if not base_file.exists():
        raise ConfigError(f"no {base_file}: run from the project directory or set TAILOR_HOME")
    data = _read_yaml(base_file)
    overlay_file = root_path / "conf" / f"{env}.yaml"
    if overlay_file.exists():
        overlay = _read_yaml(overlay_file)
        parent = overlay.pop("extends", None)   # an overlay may build on another (one level)
        if parent:
            parent_file = root_path / "conf" / f"{parent}.yaml"
            if not parent_file.exists():
                raise ConfigError(f"{overlay_file} extends {parent!r} but {parent_file} does "
                                  f"not exist")
            data = deep_merge(data, _read_yaml(parent_file))
        data = deep_merge(data, overlay)
    elif env != "base":
        raise ConfigError(f"TAILOR_ENV={env!r} but {overlay_file} does not exist")
    data = deep_merge(data, _env_overrides(environ))
    data = deep_merge(data, overrides or {})
    data["env"], data["root"] = env, str(root_path)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration (env={env}): {exc}") from exc


@lru_cache(maxsize=1)
def get_config() -> Config:
    """The process-wide configuration (loaded once)."""
    return load_config()
