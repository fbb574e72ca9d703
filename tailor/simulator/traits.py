"""Hidden user traits: what drives behaviour and responses but is never written to landing.

The pipeline has to *infer* these (category affinity, channel responsiveness, send-hour
preference, discount sensitivity, churn risk, spend level) from behaviour; the ground-truth files
let tests and notebooks check how well it did. Traits are drawn per user index from
counter-based streams, so they do not depend on chunking or on the population size.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tailor.events import CHANNELS
from tailor.simulator.catalog import Catalog
from tailor.simulator.params import WorldParams
from tailor.simulator.streams import Streams, choose_from_cumulative

# Peaks of daily activity (hour, share): morning commute, lunch, evening.
_HOUR_PEAKS = ((8.5, 0.25), (12.5, 0.25), (19.5, 0.5))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Traits:
    """Per-user hidden traits for one chunk of users (arrays aligned on ``user``)."""

    user: np.ndarray                  # global user index
    signup_day: np.ndarray            # day index the user becomes a customer (0 = already one)
    activity: np.ndarray              # expected sessions per active day
    spend_level: np.ndarray           # multiplies quantity and the taste for pricier items
    purchase_intent: np.ndarray       # P(buy | cart not empty); also scales conversions
    cart_rate: np.ndarray             # P(add to cart | view)
    churn_hazard: np.ndarray          # daily probability of going quiet for good
    preferred_hour: np.ndarray        # hour of day (float) the user is most reachable
    discount_sensitivity: np.ndarray  # 0..1: how much an offer moves clicks and conversions
    affinity: np.ndarray              # (n, 4): base open probability per channel
    favourite: np.ndarray             # favourite category index
    second: np.ndarray                # second category index

    def ground_truth(self, catalog: Catalog) -> dict[str, np.ndarray]:
        """Columns for ``ground_truth/users.parquet``."""
        cols = {
            "signup_day": self.signup_day,
            "activity_rate": self.activity,
            "spend_level": self.spend_level,
            "purchase_intent": self.purchase_intent,
            "cart_rate": self.cart_rate,
            "churn_hazard": self.churn_hazard,
            "preferred_hour": self.preferred_hour,
            "discount_sensitivity": self.discount_sensitivity,
        }
        for c, channel in enumerate(CHANNELS):
            cols[f"affinity_{channel}"] = self.affinity[:, c]
        names = np.array(catalog.categories)
        cols["favourite_category"] = names[self.favourite]
        cols["second_category"] = names[self.second]
        return cols


def draw_traits(streams: Streams, params: WorldParams, catalog: Catalog,
                users: np.ndarray, days: int) -> Traits:
    """Traits of the users with global indices ``users``."""
    n = users.shape[0]

    def u(name: str) -> np.ndarray:
        return streams.uniform(f"trait:{name}", users)

    def z(name: str) -> np.ndarray:
        return streams.normal(f"trait:{name}", users)

    joins_later = (u("existing") >= params.existing_share) & (days > 1)
    signup_day = np.where(joins_later, 1 + np.floor(u("signup") * max(days - 1, 1)), 0)

    activity = np.minimum(params.activity_max,
                          params.activity_median * np.exp(params.activity_sigma * z("activity")))
    churn = np.minimum(params.churn_max,
                       params.churn_median * np.exp(params.churn_sigma * z("churn")))

    peak_cum = np.cumsum([share for _, share in _HOUR_PEAKS])
    peak = choose_from_cumulative(np.tile(peak_cum, (n, 1)), u("hour_peak"))
    centres = np.array([hour for hour, _ in _HOUR_PEAKS])[peak]
    preferred_hour = np.mod(centres + 1.5 * z("hour"), 24.0)

    shared = params.affinity_user_sd * z("responsiveness")
    affinity = np.column_stack([
        sigmoid(base + shared + params.affinity_channel_sd * z(f"affinity_{channel}"))
        for base, channel in zip(params.affinity_logit, CHANNELS)])

    weights = np.tile(catalog.category_weights, (n, 1))
    favourite = choose_from_cumulative(np.cumsum(weights, axis=1), u("favourite"))
    if weights.shape[1] > 1:
        weights[np.arange(n), favourite] = 0.0
        weights /= weights.sum(axis=1, keepdims=True)
        second = choose_from_cumulative(np.cumsum(weights, axis=1), u("second"))
    else:
        second = favourite.copy()

    return Traits(
        user=users,
        signup_day=signup_day.astype(np.int64),
        activity=activity,
        spend_level=np.exp(params.spend_sigma * z("spend")),
        purchase_intent=sigmoid(params.intent_logit[0] + params.intent_logit[1] * z("intent")),
        cart_rate=sigmoid(params.cart_logit[0] + params.cart_logit[1] * z("cart")),
        churn_hazard=churn,
        preferred_hour=preferred_hour,
        discount_sensitivity=u("discount") ** 1.5,
        affinity=affinity,
        favourite=favourite,
        second=second,
    )
