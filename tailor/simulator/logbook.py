"""What a simulated world's landing files record about marketing: the decision points with
their realised outcomes, the consent timeline and the sends (for message fatigue).

Read once, with polars, from the files ``world.json`` lists; the oracle builds on it. Times are
seconds since the first simulated midnight (UTC), days are simulated day indices, users are
global user indices (``C0000001`` is user 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

from tailor.events import CHANNELS

_DAY = 86400
_KINDS = ("message_sent", "decision_served", "conversion", "unsubscribe", "consent_change")
_SCHEMA = {"event_type": pl.String, "ts": pl.String, "customer_id": pl.String,
           "channel": pl.String, "message_id": pl.String, "action_id": pl.String,
           "propensity": pl.Float64, "price": pl.Float64, "granted": pl.Boolean,
           "send_hour": pl.Int64, "discount": pl.Float64}
_T_BITS = 30                      # seconds since the start fit in 30 bits (< 12,400 days)


def user_index(customer_ids: pl.Expr | pl.Series) -> pl.Expr | pl.Series:
    """``C0000123`` -> 122."""
    return customer_ids.str.slice(1).cast(pl.Int64) - 1


@dataclass
class Logbook:
    """Marketing events of one world."""

    decisions: pl.DataFrame     # one row per decision point (see ``read``)
    consent_key: np.ndarray     # sorted (user * 4 + channel) << 30 | t of consent events
    consent_granted: np.ndarray  # aligned: granted after that event
    days: int

    @classmethod
    def read(cls, world_dir: str | Path, files: list[str], start_date: date,
             days: int) -> "Logbook":
        """Scan the landing ``files`` (relative to ``world_dir``) of a world starting at
        ``start_date`` with ``days`` simulated days."""
        paths = [str(Path(world_dir) / f) for f in files]
        epoch = int(datetime(start_date.year, start_date.month, start_date.day,
                             tzinfo=timezone.utc).timestamp())
        events = (pl.scan_ndjson(paths, schema=_SCHEMA)
                  .filter(pl.col("event_type").is_in(_KINDS))
                  .with_columns(
                      (pl.col("ts").str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%SZ")
                       .dt.epoch("s") - epoch).alias("t"),
                      user_index(pl.col("customer_id")).alias("user"))
                  .collect())
        return cls(_decision_points(events), *_consent_timeline(events), days)

    def consent_at(self, user: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(n, 4) per-channel consent of ``user`` just before second ``t`` (no event yet:
        not granted)."""
        user = np.asarray(user, dtype=np.int64)[:, None]
        channel = np.arange(len(CHANNELS))[None, :]
        group = (user * len(CHANNELS) + channel) << _T_BITS
        pos = np.searchsorted(self.consent_key, group | np.asarray(t, dtype=np.int64)[:, None],
                              side="left") - 1
        safe = np.maximum(pos, 0)
        same = (pos >= 0) & ((self.consent_key[safe] >> _T_BITS) == (group >> _T_BITS))
        return same & self.consent_granted[safe]

    def sends_by_day(self, n_users: int) -> np.ndarray:
        """(users, days) number of messages sent to each user on each day."""
        sent = self.decisions.filter(pl.col("channel").is_not_null())
        counts = np.zeros((n_users, self.days), dtype=np.int64)
        np.add.at(counts, (sent["user"].to_numpy(), sent["day"].to_numpy()), 1)
        return counts


def _decision_points(events: pl.DataFrame) -> pl.DataFrame:
    """message_sent and decision_served rows with their attributed conversions and unsubscribes
    (joined on message_id: a message id is one (customer, send day))."""
    points = (events.filter(pl.col("event_type").is_in(["message_sent", "decision_served"]))
              .select("customer_id", "user", (pl.col("t") // _DAY).alias("day"), "t",
                      "action_id", "propensity", "channel", "message_id", "send_hour",
                      "discount"))
    conversions = (events.filter(pl.col("event_type") == "conversion")
                   .group_by("message_id")
                   .agg(pl.col("price").sum().alias("value"), pl.len().alias("conversions")))
    unsubscribes = (events.filter((pl.col("event_type") == "unsubscribe")
                                  & pl.col("message_id").is_not_null())
                    .group_by("message_id").agg(pl.len().alias("unsubscribes")))
    return (points.join(conversions, on="message_id", how="left")
            .join(unsubscribes, on="message_id", how="left")
            .with_columns(pl.col("value").fill_null(0.0),
                          pl.col("conversions").fill_null(0).cast(pl.Int64),
                          (pl.col("unsubscribes").fill_null(0) > 0).alias("unsubscribed"))
            .drop("unsubscribes")
            .sort("day", "user"))


def _consent_timeline(events: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    changes = (events.filter(pl.col("event_type").is_in(["consent_change", "unsubscribe"]))
               .select("user", "t", pl.col("channel")
                       .replace_strict(list(CHANNELS), list(range(len(CHANNELS))),
                                       return_dtype=pl.Int64),
                       pl.when(pl.col("event_type") == "unsubscribe").then(False)
                       .otherwise(pl.col("granted")).alias("granted")))
    key = (((changes["user"].to_numpy() * len(CHANNELS) + changes["channel"].to_numpy())
            << _T_BITS) | changes["t"].to_numpy())
    order = np.argsort(key, kind="stable")
    return key[order], changes["granted"].to_numpy()[order]
