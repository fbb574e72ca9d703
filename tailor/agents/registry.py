"""Policies in MLflow: the learned policy is a registered model (``<prefix>_policy``) like the
others, promoted by alias — ``champion`` decides, ``challenger`` is the latest that did not pass
the gate (and decides in shadow). Until a learned policy is champion, the heuristic decides.

A policy is logged as an MLflow ``pyfunc`` model: ``predict`` takes a frame of person features
plus ``allowed_channels`` and returns the probability of every action, so it can be loaded and
called outside Tailor; :func:`load_policy` gives back the :class:`LearnedPolicy` itself.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import mlflow
import mlflow.pyfunc
import numpy as np
import pandas as pd

from tailor.agents.actions import Action
from tailor.agents.heuristic import HeuristicPolicy
from tailor.agents.learned import LearnedPolicy
from tailor.agents.policy import Policy, UniformPolicy, allowed_mask
from tailor.models.registry import (
    CHALLENGER,
    CHAMPION,
    POLICY,
    connect,
    metric_key,
    move_aliases,
    registered_name,
)

ARTIFACT = "policy"


class PolicyModel(mlflow.pyfunc.PythonModel):  # type: ignore[name-defined]
    """The pyfunc face of a learned policy: features + allowed_channels → action probabilities."""

    def __init__(self, policy: LearnedPolicy) -> None:
        self.policy = policy

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        allowed = allowed_mask(model_input["allowed_channels"].tolist(), self.policy.bank)
        probs = self.policy.probabilities(model_input, allowed)
        return pd.DataFrame(probs, columns=self.policy.action_ids, index=model_input.index)


@dataclass(frozen=True)
class Registered:
    run_id: str
    version: str


def log_policy(policy: LearnedPolicy, cfg, *, promoted: bool, reason: str,
               params: Mapping[str, Any], metrics: Mapping[str, float],
               data_versions: Mapping[str, Any], evaluation: Mapping[str, Any],
               sample: pd.DataFrame, figures: Mapping[str, Any] | None = None) -> Registered:
    """Log the run (params, metrics, evaluation, plots), register the policy, move aliases."""
    client, experiment_id = connect(cfg)
    registered = registered_name(POLICY, cfg)
    versions = {str(k): str(v) for k, v in data_versions.items()}
    tags = {"tailor.model": POLICY, "tailor.promoted": str(promoted).lower(),
            "tailor.gate_reason": reason}
    with mlflow.start_run(experiment_id=experiment_id, run_name="train_policy", tags=tags) as run:
        mlflow.log_params({**params, **{f"data_version.{t}": v for t, v in versions.items()}})
        mlflow.log_metrics({metric_key(k): float(v) for k, v in metrics.items()
                            if v is not None and np.isfinite(v)})
        mlflow.log_dict(dict(evaluation), "evaluation.json")
        mlflow.log_dict({"features": policy.models.features}, "feature_cols.json")
        for name, figure in dict(figures or {}).items():
            mlflow.log_figure(figure, f"plots/{name}.png")
        example = sample.head(5)
        info = mlflow.pyfunc.log_model(
            name=ARTIFACT, python_model=PolicyModel(policy), registered_model_name=registered,
            input_example=example, pip_requirements=_requirements(),
            metadata={"features": policy.models.features, "actions": policy.action_ids,
                      "settings": policy.settings.__dict__, "data_versions": versions,
                      "training": policy.models.info})
    version = str(info.registered_model_version)
    client.update_model_version(registered, version, description=reason)
    for key, value in {"promoted": str(promoted).lower(), "gate_reason": reason,
                       "data_versions": json.dumps(versions, sort_keys=True),
                       "run_id": run.info.run_id}.items():
        client.set_model_version_tag(registered, version, key, value)
    move_aliases(client, registered, version, promoted, reason=reason)
    return Registered(run.info.run_id, version)


def _requirements() -> list[str]:
    import xgboost as xgb

    return [f"xgboost=={xgb.__version__}", f"pandas=={pd.__version__}", f"numpy=={np.__version__}",
            f"mlflow=={mlflow.__version__}"]


def load_policy(cfg, alias: str, bank: Sequence[Action]) -> LearnedPolicy | None:
    """The learned policy carrying ``alias`` (over today's ``bank``), or None if there is none."""
    client, _ = connect(cfg)
    registered = registered_name(POLICY, cfg)
    try:
        mv = client.get_model_version_by_alias(registered, alias)
    except mlflow.exceptions.MlflowException:
        return None
    model = mlflow.pyfunc.load_model(f"models:/{registered}/{mv.version}")
    policy = model.unwrap_python_model().policy
    policy.version = str(mv.version)
    return policy.with_bank(bank)


def serving_policy(cfg, bank: Sequence[Action]) -> Policy:
    """What decides today (``policy.serve``): the champion, else the heuristic."""
    choice = cfg.policy.serve
    if choice == "uniform":
        return UniformPolicy(bank)
    if choice == "champion":
        champion = load_policy(cfg, CHAMPION, bank)
        if champion is not None:
            return champion
    return HeuristicPolicy.from_config(cfg, bank)


def shadow_policy(cfg, bank: Sequence[Action]) -> LearnedPolicy | None:
    """The challenger (decides in shadow, never served), or None."""
    return load_policy(cfg, CHALLENGER, bank)
