"""The feature groups Tailor materialises, declared once: ``features.<name>_v<version>``.

Bump ``version`` whenever a group's logic changes: the table name changes with it, so models
trained on the old definition keep pointing at the old table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from pyspark.sql import DataFrame

from features import behaviour, items, profile


@dataclass(frozen=True)
class FeatureGroup:
    name: str
    version: int
    entity: str                 # person_id | item_id
    owner: str
    description: str
    sources: tuple[str, ...]
    ttl_days: int               # how long a value stays valid for point-in-time lookups
    compute: Callable[[DataFrame, datetime], DataFrame]  # (silver events, as_of) -> features

    @property
    def table(self) -> str:
        return f"features.{self.name}_v{self.version}"


GROUPS: dict[str, FeatureGroup] = {g.name: g for g in [
    FeatureGroup("profile", 1, "person_id", "growth-data",
                 "Long-lived profile: RFM, tenure, spend, favourite category, channel "
                 "responsiveness, preferred send hour, discount sensitivity.",
                 ("silver.events",), 365, profile.compute),
    FeatureGroup("behaviour", 1, "person_id", "growth-data",
                 "Short-lived behaviour: views / carts / purchases in the last 1 h, 24 h, 7 d, "
                 "and hours since the last event.",
                 ("silver.events",), 7, behaviour.compute),
    FeatureGroup("item_stats", 1, "item_id", "growth-data",
                 "Item statistics: category, price, 7/30-day views and purchases, popularity rank.",
                 ("silver.events",), 30, items.compute),
]}
