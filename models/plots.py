"""One diagnostic figure per model task, logged next to the run so a reviewer sees the model, the
baseline and the champion side by side on the same held-out rows.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot): no global backend or figure
registry, so this is safe in Spark drivers, Airflow workers and tests without a display.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd

from tailor.models.metrics import brier, hit_rate_per_person, roc_auc

if TYPE_CHECKING:  # imported where a figure is drawn: declaring a model draws none
    from matplotlib.figure import Figure


def _figure(**kwargs) -> Figure:
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def calibration_plot(label: np.ndarray, person: np.ndarray, scores: Mapping[str, np.ndarray],
                     top_k: int) -> Figure:
    """LTV: mean actual vs mean predicted spend per predicted decile, for every scorer."""
    fig = _figure(figsize=(6, 5))
    ax = fig.add_subplot()
    top = float(np.max(label)) if len(label) else 1.0
    for name, score in scores.items():
        bins = pd.qcut(pd.Series(score).rank(method="first"), q=min(10, len(score)), labels=False)
        grouped = pd.DataFrame({"pred": score, "actual": label, "bin": bins}).groupby("bin").mean()
        ax.plot(grouped["pred"], grouped["actual"], marker="o", label=name)
        top = max(top, float(grouped["pred"].max()))
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1, label="perfect")
    ax.set(xlabel="mean predicted (per predicted decile)", ylabel="mean actual",
           title="LTV calibration on held-out persons")
    ax.legend()
    return fig


def reliability(label: np.ndarray, score: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Mean predicted probability and observed rate per predicted-probability decile (rows:
    ``predicted``, ``observed``, ``n``): on the diagonal when the probabilities are calibrated."""
    q = min(bins, len(score))
    group = pd.qcut(pd.Series(score).rank(method="first"), q=q, labels=False) if q else []
    frame = pd.DataFrame({"predicted": score, "observed": label, "bin": group})
    return frame.groupby("bin").agg(predicted=("predicted", "mean"), observed=("observed", "mean"),
                                    n=("observed", "size"))


def roc_plot(label: np.ndarray, person: np.ndarray, scores: Mapping[str, np.ndarray],
             top_k: int) -> Figure:
    """Churn: ROC curve per scorer (AUC in the legend) and a reliability diagram (observed rate
    vs mean predicted probability per predicted decile, Brier score in the legend)."""
    fig = _figure(figsize=(10, 5))
    ax, rel = fig.subplots(1, 2)
    for name, score in scores.items():
        if np.unique(label).size > 1:
            from sklearn.metrics import roc_curve

            fpr, tpr, _ = roc_curve(label, score)
            ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc(label, score):.3f})")
        if len(score):
            table = reliability(np.asarray(label, float), np.asarray(score, float))
            rel.plot(table["predicted"], table["observed"], marker="o",
                     label=f"{name} (Brier {brier(label, score):.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    ax.set(xlabel="false positive rate", ylabel="true positive rate",
           title="Churn ROC on held-out persons")
    ax.legend(loc="lower right")
    rel.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="calibrated")
    rel.set(xlabel="mean predicted probability (per decile)", ylabel="observed churn rate",
            title="Reliability on held-out persons", xlim=(0, 1), ylim=(0, 1))
    rel.legend(loc="upper left")
    return fig


def hit_rate_curve(label: np.ndarray, person: np.ndarray, scores: Mapping[str, np.ndarray],
                   top_k: int) -> Figure:
    """Ranker: hit-rate@k for k = 1..2*top_k per scorer (the chosen top_k is marked)."""
    codes, uniques = pd.factorize(pd.Series(person))
    ks = np.arange(1, 2 * top_k + 1)
    fig = _figure(figsize=(6, 5))
    ax = fig.add_subplot()
    for name, score in scores.items():
        rates = [np.nanmean(hit_rate_per_person(label, score, codes, len(uniques), k)) for k in ks]
        ax.plot(ks, rates, marker="o", label=name)
    ax.axvline(top_k, color="grey", linestyle="--", linewidth=1)
    ax.set(xlabel="k (items shown)", ylabel="hit rate@k (persons with a positive)",
           title="Ranker gain curve on held-out persons")
    ax.legend(loc="lower right")
    return fig
