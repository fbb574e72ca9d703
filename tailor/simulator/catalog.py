"""The item catalogue: ids, categories, prices and (hidden) popularity, plus vectorised sampling.

Items are drawn from counter-based streams keyed by item index, so item ``I00042`` is the same
item whatever the catalogue size. Popularity is heavy-tailed (a few items get most views), which
is what makes popularity and co-visitation baselines meaningful downstream.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tailor.simulator.streams import Streams

# Category name -> typical unit price (median, currency units).
CATEGORY_PRICES: dict[str, float] = {
    "electronics": 120.0, "books": 15.0, "fashion": 40.0, "home": 60.0, "beauty": 25.0,
    "sports": 50.0, "toys": 30.0, "grocery": 8.0, "garden": 45.0, "music": 20.0,
    "pets": 22.0, "outdoors": 70.0,
}


@dataclass(frozen=True)
class Catalog:
    """Items sorted by index; ``_cum``/``_order`` support sampling by category and popularity."""

    item_ids: np.ndarray          # str, "I00001" ...
    category: np.ndarray          # int index into ``categories``
    price: np.ndarray             # unit price
    popularity: np.ndarray        # hidden relative popularity (sums to 1)
    categories: tuple[str, ...]
    category_weights: np.ndarray  # share of popularity per category (sums to 1)
    _order: np.ndarray            # item indices sorted by (category, index)
    _cum: np.ndarray              # category + cumulative popularity share within the category
    _first: np.ndarray            # per category: first and last position in ``_order``
    _last: np.ndarray

    @property
    def size(self) -> int:
        return int(self.item_ids.shape[0])

    def sample_in_category(self, category: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Item index per draw: popularity-weighted within the given category."""
        pos = np.searchsorted(self._cum, category + u, side="left")
        # Clip: rounding of ``category + u`` must never spill into a neighbouring category.
        return self._order[np.clip(pos, self._first[category], self._last[category])]


def build_catalog(n_items: int, streams: Streams) -> Catalog:
    """A catalogue of ``n_items`` items across up to 12 categories."""
    if n_items < 1:
        raise ValueError("the catalogue needs at least one item")
    names = tuple(CATEGORY_PRICES)[:min(len(CATEGORY_PRICES), n_items)]
    idx = np.arange(n_items)
    # The first len(names) items cover every category once, so no category is empty.
    drawn = np.floor(streams.uniform("catalog:category", idx) * len(names)).astype(np.int64)
    category = np.where(idx < len(names), idx, drawn)
    base = np.array([CATEGORY_PRICES[n] for n in names])[category]
    raw = base * np.exp(0.45 * streams.normal("catalog:price", idx))
    price = np.maximum(0.99, np.round(raw) - 0.01).round(2)
    popularity = np.exp(1.3 * streams.normal("catalog:popularity", idx))
    popularity /= popularity.sum()

    order = np.lexsort((idx, category))
    sorted_cat = category[order]
    sorted_pop = popularity[order]
    cum = np.empty(n_items)
    weights = np.zeros(len(names))
    first = np.zeros(len(names), dtype=np.int64)
    last = np.zeros(len(names), dtype=np.int64)
    for c in range(len(names)):
        seg = np.flatnonzero(sorted_cat == c)
        first[c], last[c] = seg[0], seg[-1]
        share = np.cumsum(sorted_pop[seg])
        weights[c] = share[-1]
        share = share / share[-1]
        share[-1] = 1.0
        cum[seg] = c + share
    width = max(5, len(str(n_items)))
    item_ids = np.array([f"I{i + 1:0{width}d}" for i in idx])
    return Catalog(item_ids=item_ids, category=category, price=price, popularity=popularity,
                   categories=names, category_weights=weights / weights.sum(),
                   _order=order, _cum=cum, _first=first, _last=last)
