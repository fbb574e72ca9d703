"""Feature drift: how far today's features moved from the data the champion model learned on.

Population stability index (PSI) per feature, ``sum((q - p) * ln(q / p))`` over bins, where ``p``
is the reference share (the champion's training set) and ``q`` today's share:

* numeric features: ``bins`` quantile bins cut on the **reference** (ties collapse bins, so a
  count feature that is mostly 0 gets few bins rather than empty ones) plus one bin for missing
  values; today's values outside the reference range fall in the first / last bin;
* string features: one bin per category seen on either side, plus missing;
* epsilon smoothing: every share becomes ``(share + eps) / (1 + eps * k)``, so an empty bin
  contributes a large but finite term instead of infinity.

Rule of thumb (and the defaults): PSI < 0.1 stable (``ok``), 0.1–0.25 moderate shift (``warn``: the
DAG's drift task succeeds and says so in its summary), >= 0.25 major shift (``block``: training
refuses to run for that day, see :func:`assert_trainable`, because a model refit on data that
moved this far would be promoted against a baseline fitted on the same moved data, and nobody
would have looked).

Configuration (``drift:`` in conf/base.yaml; the documented defaults below apply while the section
is absent)::

    drift:
      warn_psi: 0.1        # PSI at or above this: status warn (logged, task succeeds)
      block_psi: 0.25      # PSI at or above this: status block (train refuses to run for ds)
      bins: 10             # quantile bins cut on the reference, per numeric feature
      epsilon: 0.0001      # smoothing added to every bin share (no log(0))
      models: [churn, ltv] # whose champion's training snapshot is the reference

Only pure functions here plus :func:`assert_trainable`; ``jobs/drift.py`` reads and writes tables.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from tailor.config import DriftConfig

log = logging.getLogger(__name__)

TABLE = "ops.feature_drift"
OK, WARN, BLOCK = "ok", "warn", "block"
STATUSES = (OK, WARN, BLOCK)
# Columns of a training set that are not model inputs (as in jobs/train.py).
NON_FEATURES = {"person_id", "item_id", "cutoff", "split", "label", "ds"}


class DriftBlocked(RuntimeError):
    """A feature drifted past ``drift.block_psi`` for this ds: training must not run."""


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float | None          # None: the feature is missing (or empty) on one side
    kind: str                  # numeric | categorical | missing
    n_reference: int
    n_current: int
    note: str = ""


def _smooth(counts: np.ndarray, eps: float) -> np.ndarray:
    total = counts.sum()
    share = counts / total if total else np.zeros_like(counts, dtype=float)
    return (share + eps) / (1.0 + eps * len(counts))


def _psi(p_counts: np.ndarray, q_counts: np.ndarray, eps: float) -> float:
    p, q = _smooth(p_counts.astype(float), eps), _smooth(q_counts.astype(float), eps)
    return float(np.sum((q - p) * np.log(q / p)))


def psi_numeric(reference: Iterable[float], current: Iterable[float], bins: int = 10,
                eps: float = 1e-4) -> float:
    """PSI of a numeric feature with quantile bins cut on the reference (+ a missing bin)."""
    ref = pd.to_numeric(pd.Series(np.asarray(list(reference), dtype=object)),
                        errors="coerce").to_numpy(float)
    cur = pd.to_numeric(pd.Series(np.asarray(list(current), dtype=object)),
                        errors="coerce").to_numpy(float)
    if not len(ref) or not len(cur):
        return math.nan
    ref_ok, cur_ok = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
    if len(ref_ok):
        edges = np.unique(np.quantile(ref_ok, np.linspace(0, 1, bins + 1))[1:-1])
    else:
        edges = np.array([])

    def counts(values: np.ndarray, finite: np.ndarray) -> np.ndarray:
        # right-closed bins: a value equal to an edge goes up, so a mass point at the minimum
        # (e.g. zero purchases) gets its own bin
        idx = np.searchsorted(edges, finite, side="right")
        c = np.bincount(idx, minlength=len(edges) + 1)
        return np.append(c, len(values) - len(finite))  # the missing-value bin

    return _psi(counts(ref, ref_ok), counts(cur, cur_ok), eps)


def psi_categorical(reference: Iterable[Any], current: Iterable[Any],
                    eps: float = 1e-4) -> float:
    """PSI of a categorical feature: one bin per category on either side, + missing."""
    ref = pd.Series(list(reference), dtype=object)
    cur = pd.Series(list(current), dtype=object)
    if not len(ref) or not len(cur):
        return math.nan
    ref, cur = ref.where(ref.notna(), "\x00missing"), cur.where(cur.notna(), "\x00missing")
    cats = sorted(set(ref.astype(str)) | set(cur.astype(str)))
    p = ref.astype(str).value_counts().reindex(cats, fill_value=0).to_numpy()
    q = cur.astype(str).value_counts().reindex(cats, fill_value=0).to_numpy()
    return _psi(p, q, eps)


def feature_columns(frame: pd.DataFrame) -> list[str]:
    """Model-input columns of a training set or feature frame: not keys/labels, numeric or text."""
    return [c for c in frame.columns if c not in NON_FEATURES and
            (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
             or pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object)]


def compare(reference: pd.DataFrame, current: pd.DataFrame, features: Sequence[str] | None = None,
            bins: int = 10, eps: float = 1e-4) -> list[FeatureDrift]:
    """PSI for every feature of the reference (default: :func:`feature_columns`).

    A reference feature missing from today's frame gets ``psi=None`` and a note (a feature group
    changed under the champion); features only present today are not compared (the champion never
    saw them)."""
    features = list(features) if features is not None else feature_columns(reference)
    out = []
    for name in features:
        if name not in current.columns:
            out.append(FeatureDrift(name, None, "missing", len(reference), 0,
                                    "not in today's features"))
            continue
        ref, cur = reference[name], current[name]
        numeric = pd.api.types.is_numeric_dtype(ref) and pd.api.types.is_numeric_dtype(cur)
        value = (psi_numeric(ref.to_numpy(float), cur.to_numpy(float), bins, eps) if numeric
                 else psi_categorical(ref, cur, eps))
        note = "" if math.isfinite(value) else "no rows on one side"
        out.append(FeatureDrift(name, value if math.isfinite(value) else None,
                                "numeric" if numeric else "categorical",
                                int(ref.notna().sum()), int(cur.notna().sum()), note))
    return out


def status(psi: float | None, settings: DriftConfig) -> str:
    """ok / warn / block for one PSI. Unmeasurable drift (None) is a warning, never silent."""
    if psi is None or not math.isfinite(psi):
        return WARN
    if psi >= settings.block_psi:
        return BLOCK
    if psi >= settings.warn_psi:
        return WARN
    return OK


def assert_trainable(cfg: Any, ds: str, lakehouse: Any = None) -> dict[str, Any]:
    """Raise :class:`DriftBlocked` if any feature is at ``block`` in ``ops.feature_drift`` for
    ``ds``; otherwise return a short verdict (for the train job's summary).

    Call at the top of ``jobs/train.py::run`` (before reading the training sets)::

        from tailor.drift import assert_trainable
        drift = assert_trainable(ctx.cfg, ctx.ds, ctx.lakehouse)   # raises DriftBlocked

    No Spark: reads the ds partition with delta-rs. No drift rows for ds (no champion yet, or
    the drift task did not run) means nothing blocks training.
    """
    if lakehouse is None:
        from tailor.lakehouse import Lakehouse

        lakehouse = Lakehouse(cfg)
    if not lakehouse.exists(TABLE):
        return {"drift": "not measured", "blocked": []}
    rows = lakehouse.read_arrow(TABLE, partitions={"ds": ds},
                                columns=["model", "feature", "psi", "status"]).to_pylist()
    if not rows:
        return {"drift": "not measured", "blocked": []}
    blocked = sorted(f"{r['model']}.{r['feature']} (psi {r['psi']:.3f})" if r["psi"] is not None
                     else f"{r['model']}.{r['feature']}" for r in rows if r["status"] == BLOCK)
    warned = sorted(f"{r['model']}.{r['feature']}" for r in rows if r["status"] == WARN)
    if blocked:
        settings = cfg.drift
        raise DriftBlocked(
            f"training for ds={ds} refused: {len(blocked)} feature(s) drifted past "
            f"drift.block_psi={settings.block_psi}: {', '.join(blocked)}. Inspect with "
            f"`tailor sql \"SELECT * FROM ops.feature_drift WHERE ds = '{ds}'\"`; if the shift is "
            f"real and expected, raise drift.block_psi for this run "
            f"(TAILOR__DRIFT__BLOCK_PSI=...) and rerun train.")
    return {"drift": "warn" if warned else "ok", "blocked": [], "warned": warned}
