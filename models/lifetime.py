"""Lifetime value over a horizon longer than any history can label.

A model can only learn spend over a horizon its training set can label: a 28-day label needs
28 days after every cutoff, a 365-day label a year of history beyond the oldest cutoff — which
a young business, an imported sample or the demo world does not have. BG/NBD (Fader, Hardie &
Lee 2005) knows how a customer's purchases accumulate over time from their own frequency,
recency and age, so the LTV model's prediction over its label horizon ``h`` is carried to the
lifetime ``H`` by each person's ratio E[purchases in H] / E[purchases in h]
(:meth:`models.clv.ClvModel.horizon_ratio`). P(alive) cancels in that ratio: who has lapsed is
already in the LTV model's prediction over ``h``; the ratio is how purchases accumulate *if*
alive, given the person's frequency and age (dropout after each purchase makes it less than the
calendar's ``H / h``). The LTV model keeps what it learned about the next ``h`` days (recency,
spend per order, features BG/NBD ignores); the backbone contributes only the shape of the
future. The CDNOW bench (bench/ltv_cdnow.py) judges
exactly this on real data: 13-week predictions carried to the paper's 39-week holdout.

The population parameters are refitted on the LTV training set's ``features.clv`` summaries
(the same rows and fit as the ``bgnbd_gg`` baseline, :func:`fit_population`). People who never
bought (``clv_age`` = 0) get the ratio of a customer just acquired. When the backbone cannot
be fitted (no clv columns, no repeat buyer, Gamma-Gamma not identified) the ratio is the
calendar's, ``H / h``, and the rule says so (``calendar``), as a fallen-back baseline does.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tailor.models.clv import ClvModel

log = logging.getLogger(__name__)

# features.clv's per-buyer summary (days) → the names models.clv reads
CLV_AGE = "clv_age"
CLV_SUMMARY = {"clv_frequency": "frequency", "clv_recency": "recency", CLV_AGE: "T",
               "clv_monetary": "monetary_value"}

BGNBD_RATIO, CALENDAR, SAME_HORIZON = "bgnbd_ratio", "calendar", "same_horizon"


def has_clv(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` carries the ``features.clv`` summary columns."""
    return all(c in frame.columns for c in CLV_SUMMARY)


def clv_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The ``features.clv`` columns as ``models.clv`` summaries (days); missing values (the
    group's non-buyers) are 0, which is a customer with T = 0."""
    return pd.DataFrame({target: frame[source].astype(float).fillna(0.0).to_numpy()
                         for source, target in CLV_SUMMARY.items()})


def buyers(frame: pd.DataFrame) -> np.ndarray:
    """Rows of people with an order before their as-of day (``clv_age`` > 0)."""
    return (frame[CLV_AGE].fillna(0) > 0).to_numpy()


def fit_population(train: pd.DataFrame) -> ClvModel:
    """BG/NBD × Gamma-Gamma fitted on ``train``'s buyers. Raises ``KeyError`` without the clv
    columns and ``ValueError`` / ``ArithmeticError`` when the rows cannot identify the models
    (no repeat buyer; Gamma-Gamma q <= 1), with the reason."""
    if not has_clv(train):
        raise KeyError(f"no features.clv columns ({', '.join(CLV_SUMMARY)})")
    model = ClvModel.fit(clv_summary(train[buyers(train)]))
    model.gamma_gamma.population_mean  # noqa: B018  raises when q <= 1
    return model


@dataclass(frozen=True)
class LifetimeExtension:
    """``predict(frame)``: per row, the factor that carries a prediction over ``horizon_days``
    to ``lifetime_days`` (picklable: a few floats, shipped to executors like a model)."""

    horizon_days: int
    lifetime_days: int
    rule: str
    clv: ClvModel | None = None

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        if self.rule == SAME_HORIZON:
            return np.ones(len(frame))
        if self.clv is None:
            return np.full(len(frame), self.lifetime_days / self.horizon_days)
        return self.clv.horizon_ratio(clv_summary(frame), float(self.horizon_days),
                                      float(self.lifetime_days))

    def describe(self) -> dict:
        """What the run log records: the rule, both horizons and the fitted parameters."""
        out = {"rule": self.rule, "horizon_days": self.horizon_days,
               "lifetime_days": self.lifetime_days}
        if self.clv is not None:
            out["params"] = {k: round(v, 6) for k, v in self.clv.params().items()}
        return out


def fit_lifetime(train: pd.DataFrame, horizon_days: int, lifetime_days: int
                 ) -> LifetimeExtension:
    """The extension from LTV's label horizon to ``lifetime_days``, fitted on ``train``."""
    if horizon_days <= 0 or lifetime_days < horizon_days:
        raise ValueError(f"LTV lifetime ({lifetime_days} days) must be at least the LTV label "
                         f"horizon ({horizon_days} days): set models.ltv_lifetime_days >= "
                         f"models.horizon('ltv')")
    if lifetime_days == horizon_days:
        return LifetimeExtension(horizon_days, lifetime_days, SAME_HORIZON)
    try:
        clv = fit_population(train)
    except (KeyError, ValueError, ArithmeticError) as exc:
        log.warning("LTV lifetime: BG/NBD not fitted on the training rows (%s); carrying "
                    "%d-day predictions to %d days by the calendar", exc, horizon_days,
                    lifetime_days)
        return LifetimeExtension(horizon_days, lifetime_days, CALENDAR)
    return LifetimeExtension(horizon_days, lifetime_days, BGNBD_RATIO, clv)
