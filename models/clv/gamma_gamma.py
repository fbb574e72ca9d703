"""Gamma-Gamma: how much a customer spends per purchase.

Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (after Colombo & Jiang 1999).
Each purchase's value is Gamma(p, ν), each customer's ν ~ Gamma(q, γ); purchase values are
independent of the purchase process. The data are, per customer with x ≥ 1 repeat purchases,
``monetary_value`` m_x = the mean value of those repeat purchases (the first purchase is left
out, as in the paper). Vectorised like :mod:`models.clv.bgnbd`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import gammaln

from tailor.models.clv.mle import FitReport, collapse, maximise


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma parameters p, q, γ."""

    p: float
    q: float
    gamma: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def population_mean(self) -> float:
        """E[M] for a customer with no repeat purchase: γp / (q − 1) (finite only for q > 1)."""
        if self.q <= 1:
            raise ValueError(f"Gamma-Gamma q = {self.q:.3f} <= 1: the population mean spend is "
                             "infinite; the data have too heavy a tail of average spend to model")
        return self.gamma * self.p / (self.q - 1)


def loglik(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """Per-customer log density of the mean repeat-purchase value m_x given x (x ≥ 1, m_x > 0)."""
    p, q, g = params.p, params.q, params.gamma
    x = np.asarray(frequency, float)
    m = np.asarray(monetary_value, float)
    px = p * x
    return (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + m * x))


def fitting_rows(frequency, monetary_value) -> np.ndarray:
    """Which customers the model is fitted on: at least one repeat purchase and a positive mean
    value (a mean of 0, e.g. free items only, has no Gamma density)."""
    x = np.asarray(frequency, float)
    m = np.asarray(monetary_value, float)
    return (x > 0) & np.isfinite(m) & (m > 0)


def fit(frequency, monetary_value, weights=None) -> tuple[GammaGammaParams, FitReport]:
    """Maximum likelihood over the :func:`fitting_rows` (others are ignored)."""
    keep = fitting_rows(frequency, monetary_value)
    if keep.sum() < 2:
        raise ValueError(f"Gamma-Gamma needs customers with repeat purchases of positive value; "
                         f"found {int(keep.sum())}")
    (x, m), w = collapse(np.asarray(frequency, float)[keep], np.asarray(monetary_value, float)[keep],
                         weights=None if weights is None else np.asarray(weights, float)[keep])
    init = {"p": 1.0, "q": 2.0, "gamma": float(np.average(m, weights=w))}
    found, report = maximise(lambda p: loglik(GammaGammaParams(**p), x, m), init, w,
                             what="Gamma-Gamma")
    return GammaGammaParams(**found), report


def expected_spend(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """E[value of a future purchase | x, m_x] = (γ + x m_x) p / (p x + q − 1): a weighted mean of
    the population mean and the customer's own mean; the population mean when x = 0."""
    p, q = params.p, params.q
    x = np.asarray(frequency, float)
    m = np.where(x > 0, np.nan_to_num(np.asarray(monetary_value, float)), 0.0)
    population = params.population_mean  # raises when q <= 1
    weight_own = p * x / (p * x + q - 1)
    return (1 - weight_own) * population + weight_own * m
