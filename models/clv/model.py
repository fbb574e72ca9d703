"""BG/NBD × Gamma-Gamma as one object: fit on summaries, score any horizon, ship to executors.

``ClvModel.fit(summary)`` fits both sub-models on an :func:`models.clv.rfm.rfm_summary` frame
(optionally with a ``weight`` column: a count per distinct row). The fitted model is a few floats
(:meth:`ClvModel.params` / :meth:`ClvModel.from_params`), so it pickles into a ``mapInPandas``
closure or an MLflow run's params as is, and :meth:`ClvModel.score` turns a pandas batch of
summaries into the four outputs at once::

    model = ClvModel.fit(rfm_summary(orders, end="2026-06-30"))
    scored = summary_df.mapInPandas(lambda batches: (model.score(b, horizon=90) for b in batches),
                                    schema)   # schema = summary columns + SCORE_COLUMNS (doubles)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from tailor.models.clv import bgnbd, gamma_gamma
from tailor.models.clv.bgnbd import BgNbdParams
from tailor.models.clv.gamma_gamma import GammaGammaParams
from tailor.models.clv.mle import FitReport
from tailor.models.clv.rfm import FREQUENCY, MONETARY, TIME_UNIT_DAYS, summary_arrays

WEIGHT = "weight"
EXPECTED_PURCHASES, P_ALIVE, EXPECTED_SPEND, EXPECTED_VALUE = (
    "expected_purchases", "p_alive", "expected_spend", "expected_value")
SCORE_COLUMNS = (EXPECTED_PURCHASES, P_ALIVE, EXPECTED_SPEND, EXPECTED_VALUE)


@dataclass(frozen=True)
class ClvModel:
    """A fitted BG/NBD (purchases, P(alive)) and Gamma-Gamma (spend per purchase).

    Horizons are in the time unit of the summaries it was fitted on (``time_unit_days`` days).
    """

    bgnbd: BgNbdParams
    gamma_gamma: GammaGammaParams
    time_unit_days: float = 1.0
    reports: Mapping[str, FitReport] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def fit(cls, summary: pd.DataFrame, time_unit_days: float | None = None) -> ClvModel:
        """Maximum likelihood on per-customer summaries (frequency, recency, T, monetary_value;
        an optional ``weight`` column counts identical customers). ``time_unit_days`` defaults
        to the one :func:`~models.clv.rfm.rfm_summary` recorded in ``summary.attrs``, else 1."""
        if time_unit_days is None:
            time_unit_days = summary.attrs.get(TIME_UNIT_DAYS, 1.0)
        x, t_x, big_t = summary_arrays(summary)
        if MONETARY not in summary.columns:
            raise KeyError(f"summary has no {MONETARY!r} column; build it with models.clv.rfm_summary")
        weights = summary[WEIGHT].to_numpy(float) if WEIGHT in summary.columns else None
        bg, bg_report = bgnbd.fit(x, t_x, big_t, weights)
        gg, gg_report = gamma_gamma.fit(x, summary[MONETARY].to_numpy(float), weights)
        return cls(bg, gg, float(time_unit_days), {"bgnbd": bg_report, "gamma_gamma": gg_report})

    def params(self) -> dict[str, float]:
        """Flat dict: r, alpha, a, b (BG/NBD), p, q, gamma (Gamma-Gamma), time_unit_days."""
        return {**self.bgnbd.as_dict(), **self.gamma_gamma.as_dict(),
                "time_unit_days": self.time_unit_days}

    @classmethod
    def from_params(cls, params: Mapping[str, float]) -> ClvModel:
        """The inverse of :meth:`params` (e.g. from an MLflow run)."""
        return cls(BgNbdParams(*(float(params[k]) for k in ("r", "alpha", "a", "b"))),
                   GammaGammaParams(*(float(params[k]) for k in ("p", "q", "gamma"))),
                   float(params.get("time_unit_days", 1.0)))

    def expected_purchases(self, summary: pd.DataFrame, t) -> np.ndarray:
        """Expected purchase days in the next ``t`` (scalar or one per customer)."""
        return bgnbd.expected_purchases(self.bgnbd, t, *summary_arrays(summary))

    def horizon_ratio(self, summary: pd.DataFrame, short, long) -> np.ndarray:
        """E[purchases in the next ``long``] / E[purchases in the next ``short``] per customer:
        how much more a customer is expected to buy over the longer horizon, given their
        frequency and age (P(alive), and with it recency, cancels; dropout after each future
        purchase does not, so the ratio is below ``long / short``). A prediction over ``short``
        times this ratio is a prediction over ``long`` — the way to horizons longer than any
        history can label. A customer with T = 0 (x = t_x = 0) gets the ratio of a customer
        just acquired (FHL 2005, eq. 9). Where E[X(short)] vanishes, or the evaluation failed
        (E[X(t)] is increasing and concave from 0, so a valid ratio lies in [1, long / short];
        the Gauss hypergeometric term cancels catastrophically for some extreme (x, t_x, T) —
        seen on a 100k-customer world), the calendar ratio ``long / short``."""
        near = self.expected_purchases(summary, short)
        far = self.expected_purchases(summary, long)
        calendar = np.broadcast_to(np.asarray(long, float) / np.asarray(short, float), near.shape)
        ok = np.isfinite(near) & np.isfinite(far) & (near > 1e-12)
        ratio = np.where(ok, far / np.where(ok, near, 1.0), calendar)
        valid = ok & (ratio >= 1.0 - 1e-9) & (ratio <= calendar * (1.0 + 1e-9))
        return np.where(valid, ratio, calendar)

    def p_alive(self, summary: pd.DataFrame) -> np.ndarray:
        """Probability that each customer is still active at the end of observation."""
        return bgnbd.p_alive(self.bgnbd, *summary_arrays(summary))

    def expected_spend(self, summary: pd.DataFrame) -> np.ndarray:
        """Gamma-Gamma conditional expected value of one future purchase day."""
        return gamma_gamma.expected_spend(self.gamma_gamma, summary[FREQUENCY].to_numpy(float),
                                          summary[MONETARY].to_numpy(float))

    def expected_value(self, summary: pd.DataFrame, horizon, discount_rate: float = 0.0,
                       period: float | None = None) -> np.ndarray:
        """Expected spend in the next ``horizon``: expected purchases × expected spend.

        With ``discount_rate`` d > 0, the purchases expected in each ``period`` k (k = 1, 2, ...;
        the last one cut at the horizon) are discounted by (1 + d)^k, as lifetimes' and
        pymc-marketing's ``customer_lifetime_value`` do; ``period`` defaults to the horizon (one
        period). Purchase count and spend per purchase are independent in the model, so the
        product of their expectations is the expectation of the spend.
        """
        spend = self.expected_spend(summary)
        if discount_rate == 0.0:
            return self.expected_purchases(summary, horizon) * spend
        if discount_rate < 0:
            raise ValueError(f"discount_rate must be >= 0, got {discount_rate}")
        horizon = np.asarray(horizon, float)
        step = float(period) if period else float(np.max(horizon))
        n_periods = int(np.ceil(float(np.max(horizon)) / step - 1e-12))
        value = np.zeros(len(summary))
        before = np.zeros(len(summary))
        for k in range(1, n_periods + 1):
            upto = self.expected_purchases(summary, np.minimum(k * step, horizon))
            value += (upto - before) / (1 + discount_rate) ** k
            before = upto
        return value * spend

    def score(self, summary: pd.DataFrame, horizon, discount_rate: float = 0.0,
              period: float | None = None) -> pd.DataFrame:
        """The summary batch with the four :data:`SCORE_COLUMNS` appended (a ``mapInPandas`` body
        per batch); one horizon for all or one per row."""
        purchases = self.expected_purchases(summary, horizon)
        spend = self.expected_spend(summary)
        value = (purchases * spend if discount_rate == 0.0
                 else self.expected_value(summary, horizon, discount_rate, period))
        return summary.assign(**{EXPECTED_PURCHASES: purchases, P_ALIVE: self.p_alive(summary),
                                 EXPECTED_SPEND: spend, EXPECTED_VALUE: value})
