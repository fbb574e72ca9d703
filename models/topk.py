"""Whole-catalog evaluation of served top-K lists: NDCG@K, Recall@K, MAP@K and candidate recall.

The gate's ranking metrics (:mod:`models.metrics`) judge a ranker *inside* its candidate lists;
this module judges what a person is finally shown against what they did next, over the whole
catalog, so a list that never contains the answer scores 0 and a candidate pool that misses it
caps every ranker. Inputs are long frames of ``(person_id, item_id)`` pairs:

- ``recommended``: the served lists, with a 1-based ``rank`` column;
- ``future``: the next period's interactions (the ground truth);
- ``seen``: the interactions before the cutoff.

**Re-seen items.** With ``exclude_seen=True`` (discovery catalogs: films, books, fashion) an item
the person had interacted with before the cutoff is never relevant, so recommending it is never a
hit; with ``False`` (re-purchase is the goal: groceries) every next-period item counts.

Persons are those with at least one relevant item (others are undefined for recall and NDCG and
are left out); a relevant person who was recommended nothing scores 0 on every metric. Every
metric is a mean over those persons, with a person-bootstrap 95% interval; :func:`compare`
reuses the same resamples for every list, so differences between two recommenders get paired
intervals.

Definitions (binary relevance, ``R`` = a person's relevant items, ``hits`` the ranks ≤ K whose
item is in ``R``): Recall@K = |hits| / |R|; DCG@K = Σ_hits 1 / log2(rank + 1), NDCG@K = DCG@K /
the DCG of min(K, |R|) hits at the top; AP@K = Σ_hits precision@rank / min(K, |R|).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from tailor.models.metrics import N_BOOT, Estimate, percentile_interval

KEYS = ["person_id", "item_id"]
METRICS = ("ndcg", "recall", "map")


def relevant(future: pd.DataFrame, seen: pd.DataFrame | None, exclude_seen: bool) -> pd.DataFrame:
    """Distinct (person_id, item_id) of ``future``, minus ``seen`` pairs when ``exclude_seen``."""
    pairs = future[KEYS].drop_duplicates()
    if exclude_seen and seen is not None:
        pairs = unseen(pairs, seen)
    return pairs.reset_index(drop=True)


def unseen(frame: pd.DataFrame, seen: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` whose (person_id, item_id) is not a pair of ``seen``."""
    if not len(seen):
        return frame
    old = seen[KEYS].drop_duplicates().assign(__seen=True)
    merged = frame.merge(old, on=KEYS, how="left")
    return merged[merged["__seen"].isna()].drop(columns="__seen")


def per_person(recommended: pd.DataFrame, truth: pd.DataFrame, k: int) -> pd.DataFrame:
    """One row per person of ``truth`` (index person_id): ndcg, recall, map at ``k`` and n_relevant.

    ``recommended`` holds person_id, item_id, rank (1 = first); ranks above ``k`` are ignored and a
    list's duplicate items count once (at their best rank)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    n_rel = truth.groupby("person_id").size().rename("n_relevant")
    top = (recommended.loc[recommended["rank"] <= k, [*KEYS, "rank"]]
           .sort_values("rank").drop_duplicates(KEYS))
    # re-rank inside the cut so gaps or duplicates in the input cannot inflate a position
    top["rank"] = top.groupby("person_id").cumcount() + 1
    hits = top.merge(truth[KEYS].drop_duplicates(), on=KEYS)
    hits = hits[hits["person_id"].isin(n_rel.index)].sort_values(["person_id", "rank"])
    hits["gain"] = 1.0 / np.log2(hits["rank"] + 1.0)
    hits["n_hit"] = hits.groupby("person_id").cumcount() + 1
    hits["precision"] = hits["n_hit"] / hits["rank"]
    by = hits.groupby("person_id")
    out = pd.DataFrame(index=n_rel.index)
    out["n_relevant"] = n_rel
    cap = np.minimum(out["n_relevant"], k)
    ideal = np.array([_ideal_dcg(int(c)) for c in cap])
    out["ndcg"] = by["gain"].sum().reindex(out.index, fill_value=0.0) / ideal
    out["recall"] = by.size().reindex(out.index, fill_value=0) / out["n_relevant"]
    out["map"] = by["precision"].sum().reindex(out.index, fill_value=0.0) / cap
    return out


def candidate_recall(pool: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """Per person of ``truth``: the share of their relevant items that ``pool`` (any size) holds."""
    n_rel = truth.groupby("person_id").size()
    found = (pool[KEYS].drop_duplicates().merge(truth[KEYS].drop_duplicates(), on=KEYS)
             .groupby("person_id").size())
    return (found.reindex(n_rel.index, fill_value=0) / n_rel).rename("recall")


@dataclass(frozen=True)
class TopKReport:
    """Estimates per (list name, metric) and paired differences against ``reference``."""

    k: int
    persons: int
    estimates: dict[str, dict[str, Estimate]]
    differences: dict[str, dict[str, Estimate]]
    reference: str | None

    def as_dict(self) -> dict:
        def flat(block: Mapping[str, Mapping[str, Estimate]]) -> dict:
            return {name: {m: [e.value, e.ci_low, e.ci_high] for m, e in ms.items()}
                    for name, ms in block.items()}
        return {"k": self.k, "persons": self.persons, "reference": self.reference,
                "estimates": flat(self.estimates), "differences": flat(self.differences)}


def compare(lists: Mapping[str, pd.DataFrame], truth: pd.DataFrame, k: int,
            reference: str | None = None, extra: Mapping[str, pd.Series] | None = None,
            n_boot: int = N_BOOT, seed: int = 0) -> TopKReport:
    """NDCG/Recall/MAP@k of each named list (same persons, same bootstrap resamples), and each
    list's difference to ``reference`` (absolute, metric units) with a paired interval.

    ``extra``: further per-person series to report the same way (e.g. candidate recall of each
    stage); persons missing from a series count 0."""
    persons = truth["person_id"].drop_duplicates().sort_values().to_numpy()
    if len(persons) == 0:
        raise ValueError("no person has a relevant item: nothing to evaluate")
    values: dict[str, dict[str, np.ndarray]] = {
        name: {m: table[m].reindex(persons).to_numpy(float) for m in METRICS}
        for name, table in ((n, per_person(frame, truth, k)) for n, frame in lists.items())}
    for name, series in (extra or {}).items():
        values[name] = {"recall": series.reindex(persons, fill_value=0.0).to_numpy(float)}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(persons), (n_boot, len(persons)))
    means = {n: {m: v[draws].mean(axis=1) for m, v in ms.items()} for n, ms in values.items()}
    estimates = {n: {m: Estimate(float(v.mean()), *percentile_interval(means[n][m])) for m, v in ms.items()}
                 for n, ms in values.items()}
    differences: dict[str, dict[str, Estimate]] = {}
    if reference is not None:
        if reference not in values:
            raise KeyError(f"reference {reference!r} is not one of {sorted(values)}")
        for name, ms in values.items():
            if name == reference:
                continue
            differences[name] = {
                m: Estimate(float(v.mean() - values[reference][m].mean()),
                            *percentile_interval(means[name][m] - means[reference][m]))
                for m, v in ms.items() if m in values[reference]}
    return TopKReport(k, len(persons), estimates, differences, reference)


def _ideal_dcg(n: int) -> float:
    return float(np.sum(1.0 / np.log2(np.arange(2, n + 2)))) if n > 0 else float("nan")

