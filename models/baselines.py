"""Simple, explainable baselines every model must beat before it may become champion.

A baseline only looks at the train split (never at test labels) and returns a score per test row on
the same scale as the model, so both are judged by the same metrics on the same rows. Baselines are
deliberately "fitted" where that is free (a scale factor, an isotonic map): a strawman baseline
would make every model look good.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from tailor.models.lifetime import CLV_SUMMARY, buyers, clv_summary, fit_population, has_clv

# Column names the feature groups use for historical spend / recency, most specific first.
SPEND_COLUMNS = ("spend_90d", "monetary_90d", "spend_30d", "monetary_30d", "monetary", "spend_365d",
                 "monetary_365d", "spend")
SPEND_PATTERN = re.compile(r"(spend|monetary|revenue)(_\d+[dh])?")
RECENCY_COLUMNS = ("recency_days", "days_since_last_purchase", "recency")
FREQUENCY_COLUMNS = ("frequency", "orders", "purchases")
MONETARY_COLUMNS = ("monetary", "spend", "spend_365d", "spend_90d", "monetary_90d")
POPULARITY_COLUMN = "popularity"

log = logging.getLogger(__name__)


def _first_present(frame: pd.DataFrame, preferred: Sequence[str],
                   pattern: re.Pattern[str] | None = None) -> str | None:
    for name in preferred:
        if name in frame.columns:
            return name
    if pattern is not None:
        for name in frame.columns:
            if pattern.fullmatch(str(name)):
                return str(name)
    return None


def spend_column(frame: pd.DataFrame) -> str | None:
    """The historical-spend column the LTV baseline uses, if the frame has one."""
    return _first_present(frame, SPEND_COLUMNS, SPEND_PATTERN)


def recency_column(frame: pd.DataFrame) -> str | None:
    """The days-since-last-purchase column the churn baseline uses, if the frame has one."""
    return _first_present(frame, RECENCY_COLUMNS)


Predictor = Callable[[pd.DataFrame], np.ndarray]


def named(rule: str, predictor: Predictor) -> Predictor:
    """``predictor`` labelled with the rule it really applies: a baseline that falls back (e.g.
    BG/NBD without its features → historical spend) says so in provenance and the model card."""
    predictor.rule = rule  # type: ignore[attr-defined]
    return predictor


def rule_of(predictor: Predictor, default: str) -> str:
    """The rule a fitted predictor applies (``default``: its baseline's declared rule)."""
    return str(getattr(predictor, "rule", default))


@dataclass(frozen=True)
class Baseline:
    """A baseline rule: ``fit(train)`` returns a predictor (a scale, an isotonic map, ...).

    The gate calls it as ``baseline(train, test, horizon_days)``; the scoring job fits it once
    and ships only the fitted predictor to the executors (see models/serving_model.py). ``rule``
    is the name in provenance: ``baseline:<rule>``. A rule with ``uses_horizon`` predicts over
    the model's label horizon (days), which its ``rule_fit(train, horizon_days)`` is given.
    """

    rule: str
    rule_fit: Callable[..., Predictor]
    uses_horizon: bool = False

    def fit(self, train: pd.DataFrame, horizon_days: int | None = None) -> Predictor:
        if not self.uses_horizon:
            return self.rule_fit(train)
        if horizon_days is None:
            raise ValueError(f"baseline {self.rule} predicts over a horizon: pass horizon_days "
                             f"(cfg.models.horizon(<model>))")
        return self.rule_fit(train, horizon_days)

    def __call__(self, train: pd.DataFrame, test: pd.DataFrame,
                 horizon_days: int | None = None) -> np.ndarray:
        return self.fit(train, horizon_days)(test)


def _constant(value: float) -> Predictor:
    return lambda test: np.full(len(test), value)


def _fit_historical_spend(train: pd.DataFrame) -> Predictor:
    """Historical spend scaled to the label horizon, else the train mean.

    The scale (horizon spend per unit of historical spend) is fitted on train by least squares
    through the origin, so the rule is right whatever window the spend column covers.
    """
    column = spend_column(train)
    label = train["label"].to_numpy(float)
    if column is None:  # a constant baseline is easy to beat: make that visible
        log.warning("LTV baseline: no spend column (%s), using the train mean", SPEND_COLUMNS[0])
        return named("train_mean", _constant(float(label.mean())))
    x = train[column].fillna(0).to_numpy(float)
    denom = float(np.dot(x, x))
    scale = max(float(np.dot(x, label)) / denom, 0.0) if denom > 0 else 0.0
    return named("historical_spend",
                 lambda test: np.clip(test[column].fillna(0).to_numpy(float) * scale, 0.0, None))


def _fit_bgnbd_gg(train: pd.DataFrame, horizon_days: int) -> Predictor:
    """BG/NBD × Gamma-Gamma (Fader, Hardie & Lee 2005): expected spend over the horizon.

    Refitted on the train rows' ``features.clv`` summaries (buyers: ``clv_age`` > 0), so it
    predicts any horizon, not only the group's 30 / 90 days; people who never bought get the
    train mean label of non-buyers (the models say nothing about them). Without the clv columns
    (a frame built before the group existed), or when train cannot identify the models (no
    repeat buyer; Gamma-Gamma q <= 1), it is the historical-spend rule, with a warning.
    """
    if not has_clv(train):
        log.warning("LTV baseline: no features.clv columns (%s); using historical spend",
                    ", ".join(CLV_SUMMARY))
        return _fit_historical_spend(train)
    try:
        model = fit_population(train)
    except (ValueError, ArithmeticError) as exc:
        log.warning("LTV baseline: BG/NBD x Gamma-Gamma not identified on train (%s); "
                    "using historical spend", exc)
        return _fit_historical_spend(train)
    bought_train = buyers(train)
    labels = train["label"].to_numpy(float)
    newcomer = float(labels[~bought_train].mean()) if (~bought_train).any() else 0.0

    def predict(test: pd.DataFrame) -> np.ndarray:
        out = np.full(len(test), newcomer)
        bought = buyers(test)
        if bought.any():
            out[bought] = model.expected_value(clv_summary(test[bought]), float(horizon_days))
        return np.clip(out, 0.0, None)

    return named("bgnbd_gg", predict)


def _fit_recency(train: pd.DataFrame) -> Predictor:
    """The recency rule "the longer since the last purchase, the likelier to churn".

    Recency is mapped to a probability by an increasing isotonic fit on train, so AUC equals that of
    ranking by recency and log loss is defined. Without a recency column: the train churn rate.
    """
    column = recency_column(train)
    label = train["label"].to_numpy(float)
    if column is None:
        log.warning("churn baseline: no recency column (%s), using the train churn rate",
                    RECENCY_COLUMNS[0])
        return named("train_rate", _constant(float(label.mean())))
    fill = float(train[column].max())  # never seen buying = as stale as the stalest known person
    from sklearn.isotonic import IsotonicRegression  # imported where a baseline is fitted

    iso = IsotonicRegression(increasing=True, out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(train[column].fillna(fill).to_numpy(float), label)
    return named("recency", lambda test: iso.predict(test[column].fillna(fill).to_numpy(float)))


def _fit_rfm_logistic(train: pd.DataFrame) -> Predictor:
    """The marketer's churn model: a logistic regression on recency, frequency and monetary value.

    Inputs are ``log1p``-transformed (all three are heavy-tailed counts and amounts) and
    standardised on train; the fit is L2-regularised (sklearn's default C=1). The probabilities
    are the regression's own, so Brier score and log loss judge a calibrated rule, not a ranking.
    Without frequency it is the recency rule; with a single class in train, the train rate.
    """
    label = train["label"].to_numpy(float)
    recency = recency_column(train)
    frequency = _first_present(train, FREQUENCY_COLUMNS)
    if recency is None or frequency is None or label.min() == label.max():
        log.warning("churn baseline: %s; using the recency rule",
                    "train labels hold one class" if recency and frequency else
                    f"no {'recency' if recency is None else 'frequency'} column")
        return _fit_recency(train)
    monetary = _first_present(train, MONETARY_COLUMNS, SPEND_PATTERN)
    columns = [c for c in (recency, frequency, monetary) if c is not None]
    fill = {c: (float(train[c].max()) if c == recency else 0.0) for c in columns}

    def design(frame: pd.DataFrame) -> np.ndarray:
        x = np.column_stack([frame[c].astype(float).fillna(fill[c]).clip(lower=0.0).to_numpy()
                             for c in columns])
        return np.log1p(x)

    x = design(train)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit((x - mean) / std, label.astype(int))
    return named("rfm_logistic",
                 lambda test: model.predict_proba((design(test) - mean) / std)[:, 1])


def _popularity(test: pd.DataFrame) -> np.ndarray:
    if POPULARITY_COLUMN not in test.columns:
        raise ValueError(f"ranker frame needs a {POPULARITY_COLUMN!r} column for its baseline")
    return test[POPULARITY_COLUMN].fillna(0).to_numpy(float)


historical_spend_baseline = Baseline("historical_spend", _fit_historical_spend)
ltv_baseline = Baseline("bgnbd_gg", _fit_bgnbd_gg, uses_horizon=True)
churn_baseline = Baseline("rfm_logistic", _fit_rfm_logistic)
recency_baseline = Baseline("recency", _fit_recency)   # what churn_baseline falls back to
# Rank every person's candidates by item popularity before the cutoff (same list for all).
popularity_baseline = Baseline("popularity", lambda train: _popularity)
