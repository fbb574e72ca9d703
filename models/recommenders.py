"""The reference recommenders a served top-K list is judged against (:mod:`models.topk`).

Each takes the interactions before the cutoff (``history``: person_id, item_id, optionally a
``weight``, e.g. purchases) and the persons to serve, and returns their lists as a long frame
(person_id, item_id, rank) with at most ``k`` distinct items per person:

- :func:`popularity` — the most interacted items (distinct persons), the same list for everyone;
- :func:`item_knn` — item-based collaborative filtering (Sarwar et al. 2001): cosine similarity
  of items over the person × item incidence matrix, each item keeping its ``neighbours`` most
  similar; a person's score for an item is the sum of its similarities to the items they
  interacted with;
- :func:`own_frequency` — each person's own most frequent items ("buy again"), the list that
  re-purchase catalogs (groceries) must beat.

With ``exclude_seen`` a person's own past items are never recommended (discovery catalogs);
ties break on item_id so every list is deterministic. All hold the person × item matrix in one
process (scipy sparse; the item × item similarity is |items|² floats at most): a bench-scale
reference, not a serving path.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from tailor.models.topk import unseen

KEYS = ["person_id", "item_id"]


def popularity(history: pd.DataFrame, persons: pd.Series, k: int,
               exclude_seen: bool = False) -> pd.DataFrame:
    """The ``k`` items with the most distinct persons (after removing each person's own items
    when ``exclude_seen``)."""
    counts = history[KEYS].drop_duplicates().groupby("item_id").size()
    ranked = counts.reset_index(name="n").sort_values(["n", "item_id"], ascending=[False, True])
    depth = k + (int(history.groupby("person_id")["item_id"].nunique().max()) if exclude_seen
                 and len(history) else 0)
    top = ranked["item_id"].head(depth).to_numpy()
    pairs = pd.DataFrame({"person_id": np.repeat(persons.drop_duplicates().to_numpy(), len(top)),
                          "item_id": np.tile(top, persons.nunique()),
                          "score": np.tile(-np.arange(len(top), dtype=float), persons.nunique())})
    return _top(pairs, history, k, exclude_seen)


def item_knn(history: pd.DataFrame, persons: pd.Series, k: int, neighbours: int = 50,
             exclude_seen: bool = True) -> pd.DataFrame:
    """Item-kNN lists; persons without history get nothing (pair it with popularity to fill)."""
    pairs = history[KEYS].drop_duplicates()
    p_codes, p_index = pd.factorize(pairs["person_id"])
    i_codes, i_index = pd.factorize(pairs["item_id"])
    x = sparse.csr_matrix((np.ones(len(pairs)), (p_codes, i_codes)),
                          shape=(len(p_index), len(i_index)))
    norms = np.sqrt(np.asarray(x.sum(axis=0)).ravel())
    xn = x.multiply(1.0 / np.maximum(norms, 1e-12)).tocsc()
    sim = (xn.T @ xn).tocsr()
    sim.setdiag(0.0)
    sim.eliminate_zeros()
    sim = _keep_top_per_row(sim, neighbours)
    wanted = pd.Index(p_index).get_indexer(persons.drop_duplicates())
    wanted = wanted[wanted >= 0]
    scores = (x[wanted] @ sim.T).tocoo()
    frame = pd.DataFrame({"person_id": np.asarray(p_index)[wanted][scores.row],
                          "item_id": np.asarray(i_index)[scores.col], "score": scores.data})
    return _top(frame, history, k, exclude_seen)


def own_frequency(history: pd.DataFrame, persons: pd.Series, k: int) -> pd.DataFrame:
    """Each person's own ``k`` most frequent items (by summed ``weight`` if given, else rows)."""
    weight = history["weight"] if "weight" in history else pd.Series(1.0, index=history.index)
    frame = (history.assign(score=weight.astype(float))
             .groupby(KEYS, as_index=False)["score"].sum())
    frame = frame[frame["person_id"].isin(persons)]
    return _top(frame, history, k, exclude_seen=False)


def _top(scored: pd.DataFrame, history: pd.DataFrame, k: int, exclude_seen: bool) -> pd.DataFrame:
    if exclude_seen:
        scored = unseen(scored, history)
    ranked = scored.sort_values(["person_id", "score", "item_id"], ascending=[True, False, True])
    ranked = ranked.drop_duplicates(KEYS)
    ranked["rank"] = ranked.groupby("person_id").cumcount() + 1
    return ranked.loc[ranked["rank"] <= k, [*KEYS, "rank"]].reset_index(drop=True)


def _keep_top_per_row(m: sparse.csr_matrix, n: int) -> sparse.csr_matrix:
    """Only the ``n`` largest entries of each row (ties: the lower column)."""
    rows, cols, vals = [], [], []
    for r in range(m.shape[0]):
        start, end = m.indptr[r], m.indptr[r + 1]
        if end == start:
            continue
        c, v = m.indices[start:end], m.data[start:end]
        keep = np.lexsort((c, -v))[:n]
        rows.append(np.full(len(keep), r))
        cols.append(c[keep])
        vals.append(v[keep])
    if not rows:
        return sparse.csr_matrix(m.shape)
    return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=m.shape)
