"""Nearline logic shared by jobs/overlay.py and jobs/behaviour_refresh.py (pure where possible).

Time rules (documented in conf/base.yaml ``nearline:`` and here):

- **as of** = ``min(now, end of ds)``: a live run (ds = today) reflects events up to now; a run
  for a past ds (backfill, test, simulated world) reflects that whole day, like the daily jobs.
- **since the last daily run** = the end of the ``ds`` of the policy the server answers from:
  the earlier of the latest ``ds`` partition of gold.decisions and the ``ds`` in the manifest of
  the snapshot ``serving/CURRENT`` points at (a decisions day the gate kept from publishing, or a
  rollback, must not hide revocations the served policy never saw). With neither, every bronze
  event counts.
- **today** = the UTC day of ``as of`` (= ds); ``messages_today`` counts message_sent events from its
  start, even those before "since" (the daily policy does not know today's sends).
- **consent** goes by *receipt*, not event time (``tailor/consent.py``): every consent change
  received by ``as of`` counts, whatever its date (a revocation dated last week but received
  today is in the overlay), and a channel is listed as revoked when the consent rule says so
  over the person's whole consent history and one of its changes was received since the last
  daily run (earlier ones the daily policy has already applied).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.catalog import table
from tailor.consent import CONSENT_EVENTS, consent_changes, consent_states, receipt_column
from tailor.identity.recent import resolve_recent
from tailor.lakehouse import arrow_io

OVERLAY = table("gold.overlay")
ORDER_EVENTS = ("purchase", "conversion")


def today_start(as_of: datetime) -> datetime:
    """Start of the UTC day ``as_of`` belongs to; an as-of at midnight closes the day before."""
    at = as_of - timedelta(microseconds=1)
    return datetime(at.year, at.month, at.day, tzinfo=timezone.utc)


def nearline_as_of(ds: str, now: datetime | None = None) -> datetime:
    """``min(now, end of ds)`` in UTC (see module docstring)."""
    d = date.fromisoformat(ds)
    end = datetime(d.year, d.month, d.day, tzinfo=timezone.utc) + timedelta(days=1)
    now = now or datetime.now(timezone.utc)
    return min(now, end)


def last_daily_end(lh: Any, table: str = "gold.decisions") -> datetime | None:
    """End of the latest ds partition of ``table`` (None if it was never written)."""
    if not lh.exists(table):
        return None
    files = arrow_io.live_files(arrow_io.open_table(lh.uri(table)))
    days = {f["partition_values"].get("ds") for f in files}
    days.discard(None)
    if not days:
        return None
    d = date.fromisoformat(max(days))
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc) + timedelta(days=1)


def served_daily_end(serving_dir: str) -> datetime | None:
    """End of the ``ds`` of the snapshot CURRENT points at (None: nothing published yet)."""
    import json

    from tailor.serving.snapshot import MANIFEST, read_current, snapshot_path

    current = read_current(serving_dir)
    if not current:
        return None
    try:
        ds = json.loads((snapshot_path(serving_dir, current) / MANIFEST).read_text()).get("ds")
    except (OSError, ValueError):
        return None
    if not ds:
        return None
    d = date.fromisoformat(str(ds)[:10])
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc) + timedelta(days=1)


def overlay_since(lh: Any, serving_dir: str) -> datetime | None:
    """The earlier of :func:`last_daily_end` and :func:`served_daily_end` (see module docstring)."""
    ends = [e for e in (last_daily_end(lh), served_daily_end(serving_dir)) if e is not None]
    return min(ends) if ends else None


def event_dates(start: datetime, end: datetime) -> list[str]:
    """The ``event_date`` partitions (YYYY-MM-DD) holding events in ``[start, end)``."""
    days, d = [], start.date()
    while datetime(d.year, d.month, d.day, tzinfo=timezone.utc) < end:
        days.append(d.isoformat())
        d += timedelta(days=1)
    return days


def recent_bronze(lh: Any, start: datetime | None, end: datetime) -> DataFrame:
    """bronze.events with ``start <= event_ts < end`` (partition-pruned; start None = all)."""
    parts = {"event_date": event_dates(start, end)} if start is not None else None
    df = lh.read("bronze.events", partitions=parts).where(F.col("event_ts") < F.lit(end))
    return df.where(F.col("event_ts") >= F.lit(start)) if start is not None else df


def consent_bronze(lh: Any, as_of: datetime) -> DataFrame:
    """Every consent change in bronze.events received by ``as_of``, whatever its event date
    (all partitions: a back-dated change lands in an old one). Costs a scan of bronze's
    ``event_type`` column per run; the consent rows themselves are few."""
    df = lh.read("bronze.events")
    return df.where(F.col("event_type").isin(*CONSENT_EVENTS) &
                    (receipt_column(df) <= F.lit(as_of)))


def resolve(lh: Any, cfg: Any, bronze: DataFrame) -> DataFrame:
    """Bronze rows → silver-shaped rows with person ids (recent logins, then the identity map)."""
    idmap = lh.read("silver.identity_map") if lh.exists("silver.identity_map") else None
    return resolve_recent(bronze, idmap, cfg.privacy.pseudonym_key, cfg.privacy.person_id_length)


def compute_overlay(events: DataFrame, since: datetime | None, as_of: datetime) -> DataFrame:
    """gold.overlay rows from person-keyed events (SILVER_COLUMNS) — see module docstring.

    revoked_channels: channels the consent rule (``tailor/consent.py``) calls revoked over
    every consent change received by ``as_of``, if one of them was received since the last
    daily run (``events`` must hold the person's whole consent history: :func:`consent_bronze`).
    messages_today: message_sent since the start of today. bought_items: item ids of
    purchases / conversions since the last daily run. Only persons with something to say get
    a row.
    """
    ev = events.where(F.col("event_ts") < F.lit(as_of))
    recent = ev.where(F.col("event_ts") >= F.lit(since)) if since is not None else ev
    states = consent_states(consent_changes(events, known_by=as_of))
    if since is not None:
        states = states.where(F.col("last_received") >= F.lit(since))
    revoked = (states.where(~F.col("granted")).groupBy("person_id")
               .agg(F.sort_array(F.collect_list("channel")).alias("revoked_channels")))
    messages = (ev.where((F.col("event_type") == "message_sent") &
                         (F.col("event_ts") >= F.lit(today_start(as_of))))
                .groupBy("person_id").agg(F.count("*").cast("int").alias("messages_today")))
    bought = (recent.where(F.col("event_type").isin(*ORDER_EVENTS) & F.col("item_id").isNotNull())
              .groupBy("person_id")
              .agg(F.sort_array(F.collect_set("item_id")).alias("bought_items")))
    empty = F.array().cast("array<string>")
    out = (revoked.join(messages, "person_id", "full").join(bought, "person_id", "full")
           .select(F.col("person_id").cast("string"),
                   F.coalesce("revoked_channels", empty).alias("revoked_channels"),
                   F.coalesce("messages_today", F.lit(0)).cast("int").alias("messages_today"),
                   F.coalesce("bought_items", empty).alias("bought_items"),
                   F.lit(as_of).cast("timestamp").alias("updated_at")))
    return out.where((F.size("revoked_channels") > 0) | (F.col("messages_today") > 0) |
                     (F.size("bought_items") > 0))
