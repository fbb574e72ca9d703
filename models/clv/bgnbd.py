"""BG/NBD: how many purchases a customer will make, and whether they are still "alive".

Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2). While alive a customer buys as a Poisson process with
rate λ ~ Gamma(r, α); after every purchase they drop out for good with probability p ~ Beta(a, b).
A customer is summarised by ``frequency`` x (repeat purchases), ``recency`` t_x (time from the
first to the last purchase) and ``T`` (time from the first purchase to the end of observation),
all in one time unit (days, weeks: whatever the summary used; α scales with it).

Every function is vectorised over customers (numpy arrays or pandas columns in, arrays out), so
scoring runs unchanged inside Spark's ``mapInPandas``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import betaln, expit, gammaln, hyp2f1

from tailor.models.clv.mle import FitReport, collapse, maximise


@dataclass(frozen=True)
class BgNbdParams:
    """Fitted BG/NBD parameters: r, α (purchase rate), a, b (dropout)."""

    r: float
    alpha: float
    a: float
    b: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _arrays(frequency, recency, age) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.asarray(frequency, float), np.asarray(recency, float), np.asarray(age, float))


def loglik(params: BgNbdParams, frequency, recency, age) -> np.ndarray:
    """Per-customer log-likelihood (FHL 2005, eq. 6), computed in log space."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, big_t = _arrays(frequency, recency, age)
    common = (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
              + betaln(a, b + x) - betaln(a, b))
    still_alive = -(r + x) * np.log(alpha + big_t)
    repeat = x > 0
    # B(a+1, b+x-1) / B(a, b+x) = a / (b+x-1): the "dropped out right after the last purchase" term
    dropped = np.where(repeat,
                       np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                       - (r + x) * np.log(alpha + t_x),
                       -np.inf)
    return common + np.logaddexp(still_alive, dropped)


def validate_summary(frequency, recency, age) -> None:
    """Refuse summaries the model cannot mean: negative values, recency beyond T, x = 0 with a
    recency, no repeat purchase at all."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    problems = []
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(big_t).all()):
        problems.append("missing or infinite values")
    if (x < 0).any() or (t_x < 0).any() or (big_t < 0).any():
        problems.append("negative values")
    if (t_x > big_t + 1e-9).any():
        problems.append(f"{int((t_x > big_t + 1e-9).sum())} rows with recency > T")
    if ((x == 0) & (t_x != 0)).any():
        problems.append("rows with frequency 0 but a recency (recency is 0 without repeat purchases)")
    if not (x > 0).any():
        problems.append("no customer with a repeat purchase (the dropout process is not identified)")
    if problems:
        raise ValueError("BG/NBD summary: " + "; ".join(problems)
                         + ". Build it with models.clv.rfm_summary (frequency = repeat purchase days).")


def fit(frequency, recency, age, weights=None) -> tuple[BgNbdParams, FitReport]:
    """Maximum likelihood estimates from per-customer summaries (optionally weighted by counts)."""
    validate_summary(frequency, recency, age)
    (x, t_x, big_t), weights = collapse(*_arrays(frequency, recency, age), weights=weights)
    init = {"r": 1.0, "alpha": max(float(np.average(big_t, weights=weights)), 1e-3), "a": 1.0, "b": 1.0}
    found, report = maximise(lambda p: loglik(BgNbdParams(**p), x, t_x, big_t), init, weights,
                             what="BG/NBD")
    return BgNbdParams(**found), report


def _log_odds_dropped(params: BgNbdParams, x, t_x, big_t) -> np.ndarray:
    """log of  a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)  for x > 0 (−inf for x = 0)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    return np.where(repeat,
                    np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0))
                    + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x)),
                    -np.inf)


def p_alive(params: BgNbdParams, frequency, recency, age) -> np.ndarray:
    """P(still alive at T | x, t_x, T) (FHL 2005, eq. 11); 1 for customers without repeats."""
    x, t_x, big_t = _arrays(frequency, recency, age)
    return expit(-_log_odds_dropped(params, x, t_x, big_t))


def expected_purchases(params: BgNbdParams, t, frequency, recency, age) -> np.ndarray:
    """E[number of purchases in (T, T + t] | x, t_x, T] (FHL 2005, eq. 10); ``t`` a scalar or one
    horizon per customer, in the summary's time unit.

    The Gaussian hypergeometric term is evaluated in its Pfaff-transformed form
    ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; t/(α+T+t)) = 2F1(r+x, a−1; a+b+x−1; −t/(α+T)),
    which never overflows for heavy buyers (checked against arbitrary-precision values).
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, big_t = _arrays(frequency, recency, age)
    t = np.asarray(t, float)
    if abs(a - 1.0) < 1e-9:
        raise ValueError("BG/NBD expected purchases: a = 1 makes eq. 10 singular; refit or perturb a")
    c = a + b + x - 1
    z = -t / (alpha + big_t)
    hyp = np.asarray(hyp2f1(r + x, a - 1, c, z), float)
    # Beyond z = -1 scipy continues 2F1 analytically, which returns ±inf when a - 1 is close to
    # -1 (a fit at the boundary a → 0, e.g. a few weeks of history); there, and only there, the
    # other Pfaff transformation, 2F1(A, B; C; z) = (1 - z)^(-B) 2F1(C - A, B; C; z / (z - 1)),
    # evaluates the same value as a series on (0, 1). Finite values are left as they were.
    lost = (z < -1.0) & ~np.isfinite(hyp)   # hyp already has the broadcast shape
    if lost.any():
        w = z / (z - 1.0)
        with np.errstate(invalid="ignore", over="ignore"):
            pfaff = (1.0 - z) ** (1.0 - a) * hyp2f1(c - r - x, a - 1, c, w)
        hyp = np.where(lost, pfaff, hyp)
    return c / (a - 1) * (1.0 - hyp) * p_alive(params, x, t_x, big_t)


def expected_purchases_new(params: BgNbdParams, t) -> np.ndarray:
    """E[X(t)]: expected repeat purchases in the first ``t`` after a customer's first purchase
    (FHL 2005, eq. 9), e.g. to compare the fitted model with a cohort's cumulative repeats."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t = np.asarray(t, float)
    return (a + b - 1) / (a - 1) * (1.0 - hyp2f1(r, a - 1, a + b - 1, -t / alpha))
