"""MLflow IO: tracking store, the ``tailor`` experiment, runs, registration, aliases, champions.

Only this module talks to MLflow, so moving from the embedded sqlite store to a tracking server is a
config change. Promotion is by alias (MLflow 3 has no stages): ``champion`` is what scoring uses,
``challenger`` is the latest model that did not pass the gate.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
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
from tailor.models.catalog import feature_columns, get_spec

EXPERIMENT = "tailor"
CHAMPION = "champion"
CHALLENGER = "challenger"
MODEL_ARTIFACT = "model"


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
            **{f"data_version.{table}": v for table, v in versions.items()}}
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"train_{record.name}",
                          tags=tags) as run:
        mlflow.log_params({**record.params,
                           **{f"data_version.{t}": v for t, v in versions.items()}})
        mlflow.log_metrics({k: float(v) for k, v in record.metrics.items() if np.isfinite(v)})
        mlflow.log_dict(list(record.feature_cols), "feature_cols.json")
        mlflow.log_dict(versions, "data_versions.json")
        mlflow.log_dict(dict(record.evaluation), "evaluation.json")
        mlflow.log_figure(record.figure, f"plots/{record.name}.png")
        info = mlflow.xgboost.log_model(
            record.model, name=MODEL_ARTIFACT, registered_model_name=registered,
            signature=infer_signature(record.sample, record.model.predict(record.sample)),
            # explicit requirements skip MLflow's slow import-tracing inference
            pip_requirements=[f"xgboost=={xgb.__version__}", f"pandas=={pd.__version__}",
                              f"numpy=={np.__version__}"],
            metadata={"feature_cols": list(record.feature_cols), "task": get_spec(record.name).task,
                      "data_versions": versions, "holdout": holdout_definition(cfg)})
    version = str(info.registered_model_version)
    client.update_model_version(registered, version, description=record.reason)
    for key, value in {"promoted": str(record.promoted).lower(), "gate_reason": record.reason,
                       "data_versions": json.dumps(versions, sort_keys=True),
                       "run_id": run.info.run_id}.items():
        client.set_model_version_tag(registered, version, key, value)
    move_aliases(client, registered, version, record.promoted)
    return run.info.run_id, version


def move_aliases(client: MlflowClient, registered: str, version: str, promoted: bool) -> None:
    """Winner takes ``champion`` and retires any stale ``challenger``; a loser becomes
    ``challenger`` and the champion stays where it is."""
    if promoted:
        client.set_registered_model_alias(registered, CHAMPION, version)
        if CHALLENGER in _aliases(client, registered):
            client.delete_registered_model_alias(registered, CHALLENGER)
    else:
        client.set_registered_model_alias(registered, CHALLENGER, version)


def attach_report(run_ids: Sequence[str], path: str, cfg: Config) -> None:
    """Log the run's report page (``runs/<ds>/reports/models.html``) into each model's run."""
    client, _ = connect(cfg)
    for run_id in run_ids:
        client.log_artifact(run_id, path, artifact_path="reports")
