"""Maximum likelihood for the CLV models: positive parameters searched on the log scale.

One small helper shared by BG/NBD and Gamma-Gamma: the caller gives the per-row log-likelihood
as a function of a parameter dict; rows may carry weights (a count per distinct summary row, so
millions of customers collapse into the few thousand distinct ``(frequency, recency, T)`` rows
a Spark ``groupBy().count()`` returns).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
from scipy.optimize import minimize

LogLik = Callable[[Mapping[str, float]], np.ndarray]


def collapse(*columns: np.ndarray, weights: np.ndarray | None = None
             ) -> tuple[list[np.ndarray], np.ndarray]:
    """Identical rows merged into one with the summed weight (customers share summaries: the
    CDNOW master's 23,570 are a few thousand distinct rows), so each likelihood pass is cheaper."""
    stacked = np.column_stack([np.asarray(c, float) for c in columns])
    w = np.ones(len(stacked)) if weights is None else np.asarray(weights, float)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return [unique[:, i] for i in range(unique.shape[1])], np.bincount(inverse.ravel(), weights=w)


@dataclass(frozen=True)
class FitReport:
    """How the optimiser ended: the maximised mean log-likelihood per (weighted) row."""

    mean_loglik: float
    converged: bool
    iterations: int
    message: str


def maximise(loglik: LogLik, init: Mapping[str, float], weights: np.ndarray | None = None,
             what: str = "model") -> tuple[dict[str, float], FitReport]:
    """Parameters maximising the weighted mean of ``loglik(params)``; every parameter > 0.

    BFGS on ``log(params)``; if it stops without converging (flat or ragged surface), a
    Nelder-Mead polish from where it stopped. Raises ``ValueError`` when the likelihood is not
    finite at the start (bad data, e.g. a negative recency) so the caller can say which rows.
    """
    names = list(init)
    w = None if weights is None else np.asarray(weights, float)
    total = float(w.sum()) if w is not None else None

    def objective(z: np.ndarray) -> float:
        ll = loglik(dict(zip(names, np.exp(z))))
        value = float(np.dot(w, ll) / total) if w is not None else float(np.mean(ll))
        return -value if np.isfinite(value) else np.inf

    z0 = np.log([float(init[n]) for n in names])
    if not np.isfinite(objective(z0)):
        raise ValueError(f"{what}: the log-likelihood is not finite at the starting values {dict(init)}; "
                         "check the summary for negative, missing or inconsistent values")
    res = minimize(objective, z0, method="BFGS", options={"gtol": 1e-6, "maxiter": 2000})
    if not res.success:
        res = minimize(objective, res.x, method="Nelder-Mead",
                       options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000, "maxfev": 20000})
    params = dict(zip(names, (float(v) for v in np.exp(res.x))))
    return params, FitReport(mean_loglik=-float(res.fun), converged=bool(res.success),
                             iterations=int(res.nit), message=str(res.message))
