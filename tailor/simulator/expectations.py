"""Exact expectations of the simulator's response model (the oracle's arithmetic, no I/O).

Two pieces of ``Marketing._send_and_respond`` need more than its closed-form odds
(``marketing.response_odds``):

* **Timing.** A response counts only if it lands before the response cap. Every delay is an
  integer number of seconds, ``floor + floor(Exponential(mean))``, and ``floor(Exponential(m))``
  is geometric: P(k) = (1 - q) q^k with q = exp(-1/m). The send second within its hour is uniform
  on {0 .. SEND_JITTER - 1}. The distribution of a sum of such terms is therefore a discrete
  convolution, and adding a geometric term is the first-order recursion
  y[n] = q y[n-1] + (1 - q) x[n] (``scipy.signal.lfilter``), exact up to float rounding. Only the
  mass below the cap matters, so the arrays stop there (at most 30 h = 108,000 seconds).
* **Order value.** A conversion buys ``pick_items('conversion')``: a category (favourite with
  ``favourite_share``, second with ``second_share``, else one drawn by popularity), two items
  drawn independently by popularity within it, the pricier one with probability
  spend / (1 + spend) (ties: the first draw), else the cheaper one; ``pick_quantity``:
  1 + Poisson(extra_quantity_per_spend x spend). Its value is ``order_value`` (rounded to cents),
  so the expectation sums the rounded value over items and quantities, exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.signal import lfilter

from tailor.simulator.catalog import Catalog
from tailor.simulator.marketing import (
    CLICK_DELAY,
    CONVERT_DELAY,
    OPEN_DELAY_FLOOR,
    SEND_JITTER,
    UNSUBSCRIBE_DELAY,
    ActionBank,
    Delay,
    order_value,
)
from tailor.simulator.params import WorldParams

_POISSON_TAIL = 1e-17     # quantities beyond this tail mass are left out of the expectation


def _jitter_pmf(limit: int, jitter: int) -> np.ndarray:
    pmf = np.zeros(limit)
    pmf[:min(jitter, limit)] = 1.0 / jitter
    return pmf


def _add_delay(pmf: np.ndarray, delay: Delay) -> np.ndarray:
    """Distribution of X + delay on {0 .. len-1} (mass beyond is dropped), given X's."""
    q = np.exp(-1.0 / delay.mean)
    shifted = np.zeros_like(pmf)
    if delay.floor < pmf.shape[0]:
        shifted[delay.floor:] = pmf[:pmf.shape[0] - delay.floor]
    return lfilter([1.0 - q], [1.0, -q], shifted)


def lands_before(limit: int, delays: Sequence[Delay], jitter: int = SEND_JITTER) -> float:
    """P(J + sum of ``delays`` < ``limit``), J uniform on {0 .. jitter-1}: the probability that
    a chain of responses started at a uniformly random second of the send hour lands before a
    cap ``limit`` seconds after the hour began."""
    if limit <= 0:
        return 0.0
    pmf = _jitter_pmf(limit, jitter)
    for delay in delays:
        pmf = _add_delay(pmf, delay)
    return float(min(1.0, pmf.sum()))


def _geometric_below(limit: np.ndarray, delay: Delay) -> np.ndarray:
    """P(delay < limit) for integer limits (vectorised closed form)."""
    q = np.exp(-1.0 / delay.mean)
    room = limit - delay.floor          # P(floor(Exp) <= room - 1) = 1 - q^room
    return np.where(room > 0, 1.0 - q ** np.maximum(room, 0), 0.0)


@dataclass(frozen=True)
class ActionTiming:
    """Per action of a bank (index 0 = no_message: zeros) the probabilities that responses land
    before the cap: ``open`` = P(open lands | the customer opens), ``convert`` = P(conversion
    lands | opens, clicks and converts), and the unsubscribe window as P(unsubscribe lands) =
    ``unsub_base`` + ``unsub_per_open`` x P(open) (its clock starts at the open if an open lands,
    else at the send)."""

    open: np.ndarray
    convert: np.ndarray
    unsub_base: np.ndarray
    unsub_per_open: np.ndarray


def action_timing(bank: ActionBank, params: WorldParams) -> ActionTiming:
    """Exact landing probabilities for every action of ``bank`` under ``params``."""
    n = len(bank)
    out = {name: np.zeros(n) for name in ("open", "convert", "unsub_base", "unsub_per_open")}
    cache: dict[tuple[int, int], tuple[float, float, float, float]] = {}
    jitter = np.arange(SEND_JITTER)
    for a in range(1, n):
        channel, hour = int(bank.channel[a]), int(bank.send_hour[a])
        if (channel, hour) not in cache:
            limit = (params.response_cap_hours - hour) * 3600
            open_delay = Delay(OPEN_DELAY_FLOOR, params.open_delay_minutes[channel] * 60.0)
            room = limit - jitter               # seconds left after the send, per send second
            p_open = _geometric_below(room, open_delay)
            p_unsub_after_send = _geometric_below(room, UNSUBSCRIBE_DELAY)
            cache[channel, hour] = (
                float(p_open.mean()),
                lands_before(limit, [open_delay, CLICK_DELAY, CONVERT_DELAY]),
                float(p_unsub_after_send.mean()),
                lands_before(limit, [open_delay, UNSUBSCRIBE_DELAY])
                - float((p_open * p_unsub_after_send).mean()),
            )
        for name, value in zip(out, cache[channel, hour]):
            out[name][a] = value
    return ActionTiming(**out)


@dataclass(frozen=True)
class OrderValues:
    """Per customer and offer level: E[order value] and E[order value^2] of one conversion."""

    discounts: np.ndarray      # (k,) distinct discount shares, ascending
    mean: np.ndarray           # (n, k)
    second_moment: np.ndarray  # (n, k)


def category_item_tables(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """(categories, items) matrices: P(item | category) of the pricier and of the cheaper of
    two independent popularity draws within the category, tie -> the first draw."""
    n_cat, n_items = len(catalog.categories), catalog.size
    hi, lo = np.zeros((n_cat, n_items)), np.zeros((n_cat, n_items))
    for c in range(n_cat):
        pos = np.arange(catalog._first[c], catalog._last[c] + 1)
        cum = catalog._cum[pos]
        w = np.diff(np.r_[float(c), cum])           # what sample_in_category's search yields
        items = catalog._order[pos]
        price = catalog.price[items]
        le = (price[None, :] <= price[:, None]) @ w  # row i: mass with price <= price_i
        lt = (price[None, :] < price[:, None]) @ w
        ge = (price[None, :] >= price[:, None]) @ w
        gt = (price[None, :] > price[:, None]) @ w
        hi[c, items] = w * (le + lt)
        lo[c, items] = w * (ge + gt)
    return hi, lo


def popular_category_probs(catalog: Catalog) -> np.ndarray:
    """P(category) of the popularity draw (``Behaviour.pick_items``' clipped search)."""
    cum = np.cumsum(catalog.category_weights)
    probs = np.diff(np.r_[0.0, cum])
    probs[-1] = 1.0 - (cum[-2] if cum.shape[0] > 1 else 0.0)
    return probs


def order_values(catalog: Catalog, params: WorldParams, favourite: np.ndarray,
                 second: np.ndarray, spend_level: np.ndarray, discounts: np.ndarray,
                 tables: tuple[np.ndarray, np.ndarray] | None = None,
                 block: int = 4096) -> OrderValues:
    """E[value] and E[value^2] of one conversion per customer (favourite / second category
    indices, spend level) and per discount share in ``discounts``. ``tables``:
    ``category_item_tables(catalog)`` when the caller keeps them."""
    discounts = np.asarray(discounts, dtype=np.float64)
    hi, lo = tables if tables is not None else category_item_tables(catalog)
    popular = popular_category_probs(catalog)
    lam_max = params.extra_quantity_per_spend * float(np.max(spend_level, initial=0.0))
    k_max = _poisson_support(lam_max)
    quantity = np.arange(1, k_max + 2)                             # 1 + k, k = 0..k_max
    # value[d, item, q]: the simulator's rounded order value, computed with its own function
    value = np.stack([order_value(catalog.price[:, None], quantity[None, :], d)
                      for d in discounts])
    n = favourite.shape[0]
    mean, second_moment = np.zeros((n, discounts.shape[0])), np.zeros((n, discounts.shape[0]))
    rest = 1.0 - params.favourite_share - params.second_share
    for start in range(0, n, block):
        rows = slice(start, min(n, start + block))
        m = rows.stop - rows.start
        cat = np.tile(rest * popular, (m, 1))
        cat[np.arange(m), favourite[rows]] += params.favourite_share
        cat[np.arange(m), second[rows]] += params.second_share
        spend = spend_level[rows]
        taste = spend / (1.0 + spend)
        item = taste[:, None] * (cat @ hi) + (1.0 - taste)[:, None] * (cat @ lo)   # (m, items)
        q_pmf = _poisson_pmf(params.extra_quantity_per_spend * spend, k_max)       # (m, q)
        for d in range(discounts.shape[0]):
            mean[rows, d] = ((item @ value[d]) * q_pmf).sum(axis=1)
            second_moment[rows, d] = ((item @ value[d] ** 2) * q_pmf).sum(axis=1)
    return OrderValues(discounts, mean, second_moment)


def _poisson_support(lam: float) -> int:
    """A k with P(Poisson(lam) > k) below _POISSON_TAIL (at least 1): past k > 2 lam the terms
    shrink by more than half each step, so the tail is below twice the last term."""
    k, term = 0, np.exp(-lam)
    while (k <= 2 * lam or term > _POISSON_TAIL / 2) and k < 254:
        k += 1
        term *= lam / k
    return max(k, 1)


def _poisson_pmf(lam: np.ndarray, k_max: int) -> np.ndarray:
    """(n, k_max + 1) Poisson probabilities of 0..k_max."""
    k = np.arange(k_max + 1)
    log_fact = np.cumsum(np.r_[0.0, np.log(np.arange(1, k_max + 1))])
    with np.errstate(divide="ignore"):
        log_lam = np.log(lam)[:, None]
    pmf = np.exp(np.where(k[None, :] == 0, 0.0, k[None, :] * log_lam) - lam[:, None]
                 - log_fact[None, :])
    return pmf
