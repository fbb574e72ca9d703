"""What a model *is*: the few declarations in which LTV, churn and ranker differ.

Everything else (split, fit, evaluate, gate, register) is shared in ``models.training`` and
``models.registry``, so adding a model means writing one small ``ModelSpec``, not a new pipeline.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from tailor.config import Config
from tailor.models.baselines import Baseline  # fit(train) -> predictor; the gate calls (train, test)
from tailor.models.metrics import Metric

if TYPE_CHECKING:  # a spec is read by jobs that never fit a model: no xgboost / matplotlib import
    import xgboost as xgb
    from matplotlib.figure import Figure

    Plot = Callable[[np.ndarray, np.ndarray, Mapping[str, np.ndarray], int], Figure]
    Score = Callable[[xgb.XGBModel, pd.DataFrame], np.ndarray]

LABEL = "label"
ROWS = ("persons", "candidates")
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

    ``metrics(cfg)[0]`` is the gate metric: the one the promotion gate compares on; ``guards``
    name other metrics of the set on which the new model must not be significantly worse (its
    gain's 95% CI entirely below 0 refuses it), so one number cannot hide a regression.
    ``grouped`` = rows are candidates of a person at a cutoff (learning-to-rank): fit with
    ``qid`` = :func:`query_ids`, and evaluated per candidate list.
    ``params`` are task-specific XGBoost parameters layered over ``cfg.models.xgboost``.

    The training set (``jobs/training_sets.py`` builds ``training.<name>`` from the spec alone):
    ``rows`` = ``"persons"`` (one row per person × cutoff, with the person labels
    ``future_spend`` and ``future_purchases`` of the label window) or ``"candidates"`` (person ×
    candidate item × cutoff, with ``label`` = 1.0 if the person interacted with the item in the
    window); ``label`` = a Spark SQL expression over those columns; ``population`` = a SQL filter
    over the features saying who the model is trained on (and drift-checked against), or None.
    """

    name: str
    task: str
    estimator: str
    metrics: Callable[[Config], tuple[Metric, ...]]
    baseline: Baseline
    plot: Plot
    score: Score
    params: Mapping[str, Any] = field(default_factory=dict)
    grouped: bool = False
    rows: str = "persons"
    label: str = LABEL
    label_type: str = "double"
    population: str | None = None
    guards: tuple[str, ...] = ()   # metrics that must not be significantly worse (models/gate.py)

    def __post_init__(self) -> None:
        if self.rows not in ROWS:
            raise ValueError(f"{self.name}: rows={self.rows!r}; use one of {ROWS}")

    def in_population(self, frame: Any) -> Any:
        """``frame`` (Spark or pandas) restricted to the model's population; unchanged when the
        population's columns are absent (e.g. imported data without the profile's frequency)."""
        if not self.population:
            return frame
        if isinstance(frame, pd.DataFrame):
            try:
                return frame.query(self.population)
            except pd.errors.UndefinedVariableError:
                return frame
        from pyspark.errors import AnalysisException
        try:
            return frame.where(self.population)
        except AnalysisException:
            return frame

    def gate_metric(self, cfg: Config) -> Metric:
        return self.metrics(cfg)[0]

    def xgb_params(self, cfg: Config) -> dict[str, Any]:
        return {**cfg.models.xgboost.model_dump(), "random_state": cfg.models.random_seed,
                "tree_method": "hist", **self.params, **cfg.models.overrides.get(self.name, {})}

    def estimator_class(self) -> type[xgb.XGBModel]:
        """The xgboost estimator class named by ``estimator`` (imported here, on first use)."""
        return getattr(importlib.import_module("xgboost"), self.estimator)

    def fit(self, train: pd.DataFrame, feature_cols: Sequence[str], cfg: Config) -> xgb.XGBModel:
        """Fit a fresh estimator on the train rows; features stay a DataFrame so the booster
        remembers their names (``predict`` selects columns by those names later)."""
        model = self.estimator_class()(**self.xgb_params(cfg))
        if self.grouped:
            qid = pd.factorize(query_ids(train))[0]
            order = np.argsort(qid, kind="stable")
            train, qid = train.iloc[order], qid[order]
            model.fit(train[list(feature_cols)], train[LABEL], qid=qid)
        else:
            model.fit(train[list(feature_cols)], train[LABEL])
        return model
