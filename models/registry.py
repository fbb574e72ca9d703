"""MLflow IO: tracking store, the ``tailor`` experiment, runs, registration, aliases, champions.

Only this module talks to MLflow, so moving from the embedded sqlite store to a tracking server is a
config change. Promotion is by alias (MLflow 3 has no stages): ``champion`` is what scoring uses,
``challenger`` is the latest model that did not pass the gate.

Every move of ``champion`` (by the gate, ``tailor models promote`` or ``rollback``) is recorded on
the version taking it: model-version tags ``promoted_by``, ``promoted_at``, ``promote_reason``,
``promoted_via`` (gate | promote | rollback) and, on a forward move, ``previous_champion`` (the
version it replaced: where a rollback returns to). A version rolled back from gets
``rolled_back_by`` / ``_at`` / ``_reason`` / ``_to``.
"""
from __future__ import annotations

import getpass
import json
import os
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

import mlflow
import mlflow.xgboost
import numpy as np
import pandas as pd
import xgboost as xgb
from matplotlib.figure import Figure
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature

from tailor.config import Config
from tailor.models.card import model_card
from tailor.models.catalog import SPECS, feature_columns, get_spec

EXPERIMENT = "tailor"
CHAMPION = "champion"
CHALLENGER = "challenger"
MODEL_ARTIFACT = "model"
CARD_ARTIFACT = "model_card.md"
POLICY = "policy"   # the learned policy registers as <prefix>_policy (tailor/agents/registry.py)
MODELS = (*SPECS, POLICY)
DESCRIPTION_LIMIT = 5000   # MLflow's model-version description column (String(5000))


class RegistryError(LookupError):
    """A registry request that cannot be met (unknown model or version, nothing to roll back to);
    the message says what to do instead."""


class NoChampionError(LookupError):
    """No version of the model carries the ``champion`` alias (never trained, or never passed)."""


@dataclass(frozen=True)
class Champion:
    model: xgb.XGBModel
    version: str
    feature_cols: list[str]
    holdout: dict[str, Any] | None  # how its test persons were chosen (None: not recorded)


def holdout_definition(cfg: Config) -> dict[str, Any]:
    """What decides which persons are held out; a champion trained under another definition may
    have trained on today's test persons, so it cannot be judged fairly on them."""
    return {"split_salt": cfg.models.split_salt, "test_share": cfg.models.test_share}


@dataclass(frozen=True)
class RunRecord:
    """Everything a training run leaves behind, assembled by ``models.training``."""

    name: str
    model: xgb.XGBModel
    params: Mapping[str, Any]
    metrics: Mapping[str, float]
    feature_cols: Sequence[str]
    data_versions: Mapping[str, Any]
    evaluation: Mapping[str, Any]
    figure: Figure
    sample: pd.DataFrame
    promoted: bool
    reason: str
    previous_champion: str | None
    baseline_rule: str | None = None   # the rule the baseline actually used (after any fallback)


def registered_name(name: str, cfg: Config) -> str:
    return f"{cfg.models.registry_prefix}_{name}"


def connect(cfg: Config) -> tuple[MlflowClient, str]:
    """Point MLflow at the configured store and return (client, id of the ``tailor`` experiment).

    The fluent API (``log_model``) uses the process-global URIs, so they are set here too.
    """
    uri = cfg.mlflow_tracking_uri
    if uri.startswith("sqlite:///"):
        Path(uri[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    return client, _experiment_id(client, cfg)


def _experiment_id(client: MlflowClient, cfg: Config) -> str:
    experiment = client.get_experiment_by_name(EXPERIMENT)
    if experiment is None:
        location = cfg.path(cfg.paths.mlflow_artifacts)
        if "://" not in location:
            Path(location).mkdir(parents=True, exist_ok=True)
            location = Path(location).as_uri()
        try:
            return client.create_experiment(EXPERIMENT, artifact_location=location)
        except MlflowException:  # created concurrently by a sibling training task
            experiment = client.get_experiment_by_name(EXPERIMENT)
            if experiment is None:
                raise
    if experiment.lifecycle_stage == "deleted":
        client.restore_experiment(experiment.experiment_id)
    return experiment.experiment_id


def _aliases(client: MlflowClient, registered: str) -> dict[str, str]:
    escaped = registered.replace("'", "\\'")
    found = client.search_registered_models(filter_string=f"name='{escaped}'")
    return {alias: str(v) for alias, v in found[0].aliases.items()} if found else {}


def find_champion(name: str, cfg: Config) -> Champion | None:
    """The current champion of ``name``, or None when there is none yet."""
    client, _ = connect(cfg)
    registered = registered_name(name, cfg)
    version = _aliases(client, registered).get(CHAMPION)
    if version is None:
        return None
    uri = f"models:/{registered}/{version}"
    model = mlflow.xgboost.load_model(uri)
    metadata = mlflow.models.get_model_info(uri).metadata or {}
    return Champion(model, version, list(metadata.get("feature_cols") or feature_columns(model)),
                    metadata.get("holdout"))


def load_champion(name: str, cfg: Config) -> tuple[xgb.XGBModel, str, list[str]]:
    """(model, version, feature columns) of the champion, for the scoring job.

    Raises ``NoChampionError`` rather than falling back to a model that never passed the gate.
    """
    champion = find_champion(name, cfg)
    if champion is None:
        raise NoChampionError(f"no {CHAMPION!r} alias on {registered_name(name, cfg)!r}: "
                              f"train it first (tailor run train_models)")
    return champion.model, champion.version, champion.feature_cols


def record_and_register(record: RunRecord, cfg: Config) -> tuple[str, str]:
    """Log the run, register its model, move the aliases the gate decided -> (run_id, version)."""
    client, experiment_id = connect(cfg)
    registered = registered_name(record.name, cfg)
    versions = {str(k): str(v) for k, v in record.data_versions.items()}
    tags = {"tailor.model": record.name, "tailor.promoted": str(record.promoted).lower(),
            "tailor.gate_reason": record.reason,
            "tailor.previous_champion": record.previous_champion or "none",
            "tailor.gate_metric": str(record.evaluation.get("gate_metric", "")),
            **{f"data_version.{table}": v for table, v in versions.items()}}
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"train_{record.name}",
                          tags=tags) as run:
        mlflow.log_params({**record.params,
                           **{f"data_version.{t}": v for t, v in versions.items()}})
        mlflow.log_metrics({k: float(v) for k, v in record.metrics.items() if np.isfinite(v)})
        mlflow.log_dict(list(record.feature_cols), "feature_cols.json")
        mlflow.log_dict(versions, "data_versions.json")
        mlflow.log_dict(dict(record.evaluation), "evaluation.json")
        plot_path = f"plots/{record.name}.png"
        mlflow.log_figure(record.figure, plot_path)
        info = mlflow.xgboost.log_model(
            record.model, name=MODEL_ARTIFACT, registered_model_name=registered,
            signature=infer_signature(record.sample, record.model.predict(record.sample)),
            # saved as input_example.json; MLflow checks it serves (loads + predicts, ~0.1 s)
            input_example=record.sample.head(5),
            # explicit requirements skip MLflow's slow import-tracing inference
            pip_requirements=[f"xgboost=={xgb.__version__}", f"pandas=={pd.__version__}",
                              f"numpy=={np.__version__}"],
            metadata={"feature_cols": list(record.feature_cols), "task": get_spec(record.name).task,
                      "data_versions": versions, "holdout": holdout_definition(cfg)})
        version = str(info.registered_model_version)
        spec = get_spec(record.name)
        card = model_card(record, registered=registered, version=version, task=spec.task,
                          label=spec.label, baseline_rule=record.baseline_rule or spec.baseline.rule,
                          plot_path=plot_path, run_id=run.info.run_id)
        mlflow.log_text(card, CARD_ARTIFACT)
    client.update_model_version(registered, version, description=_description(card, record.reason,
                                                                              run.info.run_id))
    for key, value in {"promoted": str(record.promoted).lower(), "gate_reason": record.reason,
                       "data_versions": json.dumps(versions, sort_keys=True),
                       "run_id": run.info.run_id}.items():
        client.set_model_version_tag(registered, version, key, value)
    move_aliases(client, registered, version, record.promoted, reason=record.reason)
    return run.info.run_id, version


def _description(card: str, reason: str, run_id: str) -> str:
    """The card as the version's description (the MLflow UI renders it), or, past the column's
    limit, the gate's reason and where the card is."""
    if len(card) <= DESCRIPTION_LIMIT:
        return card
    return f"{reason}\n\nModel card: runs:/{run_id}/{CARD_ARTIFACT}"[:DESCRIPTION_LIMIT]


def move_aliases(client: MlflowClient, registered: str, version: str, promoted: bool,
                 reason: str = "") -> None:
    """Winner takes ``champion`` (recording the version it replaced) and retires any stale
    ``challenger``; a loser becomes ``challenger`` and the champion stays where it is."""
    if promoted:
        previous = _aliases(client, registered).get(CHAMPION)
        _take_champion(client, registered, version, via="gate", by="pipeline", reason=reason,
                       previous=previous or "none")
        if CHALLENGER in _aliases(client, registered):
            client.delete_registered_model_alias(registered, CHALLENGER)
    else:
        client.set_registered_model_alias(registered, CHALLENGER, version)


def attach_report(run_ids: Sequence[str], path: str, cfg: Config) -> None:
    """Log the run's report page (``runs/<ds>/reports/models.html``) into each model's run."""
    client, _ = connect(cfg)
    for run_id in run_ids:
        client.log_artifact(run_id, path, artifact_path="reports")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _take_champion(client: MlflowClient, registered: str, version: str, *, via: str, by: str,
                   reason: str, previous: str | None) -> str:
    """Record who moves ``champion`` to ``version`` and why, then move it. ``previous`` (a
    version or "none") is recorded as where a rollback returns to; None keeps the recorded one
    (a rollback must not overwrite it, or a second rollback could not go further back)."""
    at = _now()
    tags = {"promoted_by": by, "promoted_at": at, "promote_reason": reason, "promoted_via": via}
    if previous is not None:
        tags["previous_champion"] = previous
    for key, value in tags.items():
        client.set_model_version_tag(registered, version, key, value)
    client.set_registered_model_alias(registered, CHAMPION, version)
    return at


def metric_key(name: str) -> str:
    """``name`` as an MLflow metric name: characters MLflow refuses (e.g. the parentheses of
    ``switch-dr(tau=20)``) become ``_`` → ``switch-dr_tau_20``. The policy's full names stay in
    ``evaluation.json`` and ``ops.policy_gate``."""
    return re.sub(r"[^A-Za-z0-9_\-. :/]", "_", name).rstrip("_")


# ---- reading and moving aliases by hand (tailor models) -----------------------------------------

def current_user() -> str:
    """Who runs this process (recorded as ``promoted_by``), or "unknown"."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


@dataclass(frozen=True)
class VersionInfo:
    """One registered version as ``tailor models show`` reports it."""

    model: str                       # short name: ltv, churn, ranker, policy
    registered: str
    version: str
    aliases: tuple[str, ...]
    created_at: str                  # ISO-8601, UTC
    run_id: str | None
    gate_promoted: bool | None       # the gate's verdict when it was trained (None: unrecorded)
    gate_reason: str
    data_versions: dict[str, str]
    previous_champion: str | None    # where a rollback from this version returns to
    gate_metric: str | None
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)   # every model-version tag

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self), aliases=list(self.aliases))


@dataclass(frozen=True)
class ModelSummary:
    """One row of ``tailor models list``."""

    model: str
    registered: str
    versions: int                    # 0: never registered
    latest: str | None
    champion: str | None
    challenger: str | None
    gate_metric: str | None          # and the champion's value of it, with its 95% CI
    gate_value: float | None = None
    gate_ci_low: float | None = None
    gate_ci_high: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class AliasMove:
    """What ``promote`` / ``rollback`` did: ``champion`` went from ``previous`` to ``version``."""

    model: str
    registered: str
    previous: str | None
    version: str
    via: str
    by: str
    reason: str
    at: str
    changed: bool                    # False: ``version`` was champion already
    gate_note: str | None = None     # the version's own gate verdict when it did not pass

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _store_client(cfg: Config) -> MlflowClient:
    """A client on the configured store; a missing sqlite store is an error, not created."""
    uri = cfg.mlflow_tracking_uri
    if uri.startswith("sqlite:///") and not Path(uri[len("sqlite:///"):]).exists():
        raise RegistryError(f"no MLflow store at {uri[len('sqlite:///'):]}: nothing has been "
                            f"trained here yet (tailor run train --ds YYYY-MM-DD trains the "
                            f"models, tailor run train_policy the policy)")
    return connect(cfg)[0]


def model_name(name: str, cfg: Config) -> str:
    """``name`` (short, e.g. ``churn``, or registered, e.g. ``tailor_churn``) -> short name."""
    prefix = f"{cfg.models.registry_prefix}_"
    short = name[len(prefix):] if name.startswith(prefix) else name
    if short not in MODELS:
        raise RegistryError(f"unknown model {name!r}; known: {', '.join(MODELS)} "
                            f"(registered as {prefix}<name>)")
    return short


def _registered_model(client: MlflowClient, registered: str) -> Any | None:
    try:
        return client.get_registered_model(registered)
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise


def _version_numbers(client: MlflowClient, registered: str) -> list[str]:
    """Every version of ``registered``, newest first."""
    escaped = registered.replace("'", "\\'")
    found = client.search_model_versions(f"name='{escaped}'")
    return [str(v) for v in sorted((int(mv.version) for mv in found), reverse=True)]


def _gate_metric(name: str, cfg: Config, run: Any | None) -> str | None:
    """The metric the gate judged ``name`` on, as the run logged it."""
    if run is None:
        return None
    tagged = run.data.tags.get("tailor.gate_metric")
    if tagged:
        return str(tagged)
    if name in SPECS:  # runs from before the tag: the spec's gate metric under today's config
        return get_spec(name).gate_metric(cfg).name
    estimator = run.data.params.get("gate_estimator")  # the policy: its own estimated reward
    return metric_key(f"challenger.reward.{estimator}") if estimator else None


def _run(client: MlflowClient, run_id: str | None) -> Any | None:
    if not run_id:
        return None
    try:
        return client.get_run(run_id)
    except MlflowException:  # the run was deleted: the version still reports what it can
        return None


def _version_info(client: MlflowClient, name: str, registered: str, version: str,
                  aliases: Mapping[str, str], cfg: Config) -> VersionInfo:
    mv = client.get_model_version(registered, version)
    tags = {str(k): str(v) for k, v in (mv.tags or {}).items()}
    run_id = mv.run_id or tags.get("run_id")
    run = _run(client, run_id)
    run_tags = run.data.tags if run else {}
    promoted = tags.get("promoted", run_tags.get("tailor.promoted"))
    previous = tags.get("previous_champion", run_tags.get("tailor.previous_champion"))
    try:
        data_versions = json.loads(tags.get("data_versions") or "{}")
    except json.JSONDecodeError:
        data_versions = {}
    created = datetime.fromtimestamp(mv.creation_timestamp / 1000, timezone.utc)
    return VersionInfo(
        model=name, registered=registered, version=str(version),
        aliases=tuple(sorted(a for a, v in aliases.items() if v == str(version))),
        created_at=created.isoformat(timespec="seconds"), run_id=run_id,
        gate_promoted=None if promoted is None else promoted == "true",
        gate_reason=tags.get("gate_reason", run_tags.get("tailor.gate_reason", "")),
        data_versions={str(k): str(v) for k, v in data_versions.items()},
        previous_champion=None if previous in (None, "", "none") else previous,
        gate_metric=_gate_metric(name, cfg, run),
        metrics=dict(run.data.metrics) if run else {},
        params=dict(run.data.params) if run else {}, tags=tags)


def list_models(cfg: Config) -> list[ModelSummary]:
    """Every model Tailor registers (ltv, churn, ranker, policy), registered yet or not."""
    client = _store_client(cfg)
    out = []
    for name in MODELS:
        registered = registered_name(name, cfg)
        model = _registered_model(client, registered)
        numbers = _version_numbers(client, registered) if model is not None else []
        aliases = {a: str(v) for a, v in (model.aliases if model is not None else {}).items()}
        champion = aliases.get(CHAMPION)
        summary = ModelSummary(name, registered, len(numbers), numbers[0] if numbers else None,
                               champion, aliases.get(CHALLENGER), None)
        if champion is not None:
            info = _version_info(client, name, registered, champion, aliases, cfg)
            key, m = info.gate_metric, info.metrics
            if key is not None:
                summary = replace(summary, gate_metric=key, gate_value=m.get(key),
                                  gate_ci_low=m.get(f"{key}_ci_low"),
                                  gate_ci_high=m.get(f"{key}_ci_high"))
        out.append(summary)
    return out


def model_versions(name: str, cfg: Config, version: str | None = None,
                   last: int | None = None) -> tuple[list[VersionInfo], int]:
    """(versions of ``name``, newest first, and how many exist): all of them, the ``last``
    newest, or just ``version``."""
    client = _store_client(cfg)
    name = model_name(name, cfg)
    registered = registered_name(name, cfg)
    model = _registered_model(client, registered)
    numbers = _version_numbers(client, registered) if model is not None else []
    if model is None or not numbers:
        raise RegistryError(f"{registered} has no versions yet: "
                            + ("tailor run train_policy --ds YYYY-MM-DD" if name == POLICY
                               else "tailor run train --ds YYYY-MM-DD") + " registers one")
    aliases = {a: str(v) for a, v in model.aliases.items()}
    if version is not None:
        _check_version(registered, str(version), numbers)
        chosen = [str(version)]
    else:
        chosen = numbers[:last] if last else numbers
    return [_version_info(client, name, registered, v, aliases, cfg) for v in chosen], len(numbers)


def _check_version(registered: str, version: str, numbers: Sequence[str]) -> None:
    if version not in numbers:
        shown = ", ".join(numbers[:10]) + (", ..." if len(numbers) > 10 else "")
        raise RegistryError(f"{registered} has no version {version!r}; its versions: {shown} "
                            f"(tailor models show {registered} lists them)")


def model_card_text(name: str, version: str | None, cfg: Config) -> str:
    """The ``model_card.md`` logged with ``version``'s run (None: the champion's)."""
    if version is None:
        registered = registered_name(model_name(name, cfg), cfg)
        version = _aliases(_store_client(cfg), registered).get(CHAMPION)
        if version is None:
            raise RegistryError(f"{registered} has no champion: say which version's card, "
                                f"--version V")
    (info,), _ = model_versions(name, cfg, version=version)
    if info.run_id is None:
        raise RegistryError(f"{info.registered} v{version} has no run, so no model card")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # stdout is the card
    try:
        return str(mlflow.artifacts.load_text(f"runs:/{info.run_id}/{CARD_ARTIFACT}"))
    except (MlflowException, OSError):
        raise RegistryError(f"{info.registered} v{version} was trained before model cards were "
                            f"logged (run {info.run_id} has no {CARD_ARTIFACT})") from None


def promote(name: str, version: str, cfg: Config, *, reason: str,
            by: str | None = None) -> AliasMove:
    """Move ``champion`` of ``name`` to ``version`` by hand, recording who, when and why; the
    version it replaces becomes the one ``rollback`` returns to."""
    if not reason.strip():
        raise RegistryError("say why: --reason TEXT is recorded with the promotion")
    client = _store_client(cfg)
    name = model_name(name, cfg)
    registered = registered_name(name, cfg)
    version = str(version)
    _check_version(registered, version, _version_numbers(client, registered))
    aliases = _aliases(client, registered)
    previous = aliases.get(CHAMPION)
    info = _version_info(client, name, registered, version, aliases, cfg)
    note = info.gate_reason if info.gate_promoted is False else None
    by = by or current_user()
    if previous == version:
        return AliasMove(name, registered, previous, version, "promote", by, reason, _now(),
                         changed=False, gate_note=note)
    at = _take_champion(client, registered, version, via="promote", by=by, reason=reason,
                        previous=previous or "none")
    if aliases.get(CHALLENGER) == version:  # the challenger is champion now
        client.delete_registered_model_alias(registered, CHALLENGER)
    return AliasMove(name, registered, previous, version, "promote", by, reason, at,
                     changed=True, gate_note=note)


def rollback(name: str, cfg: Config, *, reason: str = "",
             by: str | None = None) -> AliasMove:
    """Give ``champion`` back to the version the current champion replaced. Repeated rollbacks
    walk further back (a rollback keeps the target's own record of what it replaced)."""
    client = _store_client(cfg)
    name = model_name(name, cfg)
    registered = registered_name(name, cfg)
    numbers = _version_numbers(client, registered)
    aliases = _aliases(client, registered)
    current = aliases.get(CHAMPION)
    if current is None:
        raise RegistryError(f"{registered} has no champion, so nothing to roll back; "
                            f"tailor models promote {name} VERSION --reason TEXT sets one")
    info = _version_info(client, name, registered, current, aliases, cfg)
    target = info.previous_champion
    if target is None:
        raise RegistryError(f"nothing to roll back to: {registered} v{current} replaced no earlier "
                            f"champion (none is recorded); tailor models promote {name} VERSION "
                            f"--reason TEXT serves another version")
    if target not in numbers:
        raise RegistryError(f"cannot roll back {registered} v{current} to v{target}: that "
                            f"version no longer exists; tailor models promote {name} VERSION "
                            f"--reason TEXT serves another one")
    by = by or current_user()
    reason = reason or f"rollback from v{current}"
    at = _take_champion(client, registered, target, via="rollback", by=by, reason=reason,
                        previous=None)
    for key, value in {"rolled_back_by": by, "rolled_back_at": at,
                       "rolled_back_reason": reason, "rolled_back_to": target}.items():
        client.set_model_version_tag(registered, current, key, value)
    return AliasMove(name, registered, current, target, "rollback", by, reason, at, changed=True)
