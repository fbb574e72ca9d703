"""The known models by name, and scoring with any of them (used by training and the scoring job)."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd

from tailor.models import churn, ltv, ranker
from tailor.models.spec import ModelSpec

if TYPE_CHECKING:
    import xgboost as xgb

M = TypeVar("M", bound="xgb.XGBModel")

SPECS: dict[str, ModelSpec] = {spec.name: spec for spec in (ltv.SPEC, churn.SPEC, ranker.SPEC)}


def get_spec(name: str) -> ModelSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(SPECS)}") from None


def feature_columns(model: xgb.XGBModel) -> list[str]:
    """The feature columns the model was fitted on, in order (stored in the booster itself)."""
    names = model.get_booster().feature_names
    if not names:
        raise ValueError("model has no feature names; fit it on a pandas DataFrame")
    return list(names)


def predict(name: str, model: xgb.XGBModel, frame: pd.DataFrame) -> np.ndarray:
    """Score ``frame`` (any extra columns, any column order): LTV -> spend >= 0, churn ->
    probability, ranker -> score (compare within a person only)."""
    columns = feature_columns(model)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: frame lacks feature columns the model needs: {missing}")
    return get_spec(name).score(model, frame[columns])


def with_threads(model: M, threads: int) -> M:
    """A copy of ``model`` predicting on ``threads`` OpenMP threads. Inside a Spark task, the
    task's cores (``spark.task.cpus``): two tasks whose XGBoost each takes both cores of a
    two-core machine contend."""
    mine = copy.deepcopy(model)
    mine.set_params(n_jobs=threads)
    return mine
