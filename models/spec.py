"""What a model *is*: the few declarations in which LTV, churn and ranker differ.

Everything else (split, fit, evaluate, gate, register) is shared in ``models.training`` and
``models.registry``, so adding a model means writing one small ``ModelSpec``, not a new pipeline.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import xgboost as xgb
from matplotlib.figure import Figure

from models.baselines import Baseline  # fit(train) -> predictor; the gate calls (train, test)
from models.metrics import Metric
from tailor.config import Config

Plot = Callable[[np.ndarray, np.ndarray, Mapping[str, np.ndarray], int], Figure]
Score = Callable[[xgb.XGBModel, pd.DataFrame], np.ndarray]

LABEL = "label"
PERSON = "person_id"
CUTOFF = "cutoff"


def query_ids(frame: pd.DataFrame) -> pd.Series:
    """The candidate list each row belongs to: one per person *and cutoff* (a training set holds
    several cutoffs; ranking a person's list at one cutoff against their list at another would
    let a ranker score the cutoff, not the item)."""
    if CUTOFF not in frame.columns:
        return frame[PERSON]
    return frame[PERSON].astype(str) + "|" + frame[CUTOFF].astype(str)


def score_nonnegative(model: xgb.XGBModel, features: pd.DataFrame) -> np.ndarray:
    """Regression output clipped at 0 (spend cannot be negative)."""
    return np.clip(model.predict(features), 0.0, None)


def score_probability(model: xgb.XGBModel, features: pd.DataFrame) -> np.ndarray:
    """Probability of the positive class."""
    return model.predict_proba(features)[:, 1]


def score_raw(model: xgb.XGBModel, features: pd.DataFrame) -> np.ndarray:
    """The model's raw output (a ranking score: only the order within a person matters)."""
    return np.asarray(model.predict(features), float)


@dataclass(frozen=True)
class ModelSpec:
    """Declaration of one model.

    ``metrics(cfg)[0]`` is the gate metric: the one the promotion gate compares on.
    ``grouped`` = rows are candidates of a person at a cutoff (learning-to-rank): fit with
    ``qid`` = :func:`query_ids`, and evaluated per candidate list.
    ``params`` are task-specific XGBoost parameters layered over ``cfg.models.xgboost``.
    """

    name: str
    task: str
    estimator: type[xgb.XGBModel]
    metrics: Callable[[Config], tuple[Metric, ...]]
    baseline: Baseline
    plot: Plot
    score: Score
    params: Mapping[str, Any] = field(default_factory=dict)
    grouped: bool = False

    def gate_metric(self, cfg: Config) -> Metric:
        return self.metrics(cfg)[0]

    def xgb_params(self, cfg: Config) -> dict[str, Any]:
        return {**cfg.models.xgboost.model_dump(), "random_state": cfg.models.random_seed,
                "tree_method": "hist", **self.params, **cfg.models.overrides.get(self.name, {})}

    def fit(self, train: pd.DataFrame, feature_cols: Sequence[str], cfg: Config) -> xgb.XGBModel:
        """Fit a fresh estimator on the train rows; features stay a DataFrame so the booster
        remembers their names (``predict`` selects columns by those names later)."""
        model = self.estimator(**self.xgb_params(cfg))
        if self.grouped:
            qid = pd.factorize(query_ids(train))[0]
            order = np.argsort(qid, kind="stable")
            train, qid = train.iloc[order], qid[order]
            model.fit(train[list(feature_cols)], train[LABEL], qid=qid)
        else:
            model.fit(train[list(feature_cols)], train[LABEL])
        return model
