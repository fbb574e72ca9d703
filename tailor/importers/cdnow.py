"""CDNOW: the first real dataset. 69,659 purchases by 23,570 customers of the online music shop
CDNOW, all of whom made their first purchase in Q1 1997, followed until 1998-06-30 (Fader &
Hardie's benchmark for customer-base analysis). It ships inside the ``lifetimes`` wheel as
``lifetimes/datasets/CDNOW_master.txt``: whitespace-separated ``customer_id date number_of_cds
dollar_value`` with a header line, one line per order.

How an order becomes a landing event (decisions made here, stated so nobody has to guess):

* one ``purchase`` per line; ``customer_id`` as in the file (zero-padded, e.g. ``00001``);
  ``quantity`` = number of CDs; ``price`` = dollar value / number of CDs (a unit price, as the
  event contract defines it, rounded to cents); ``ts`` = the order date at 00:00:00 UTC (the file
  has no time of day).
* CDNOW has no product ids: every order is ``item_id = "CD"``, ``category = "music"``. The
  ranker therefore has one item and cannot beat its popularity baseline: recommendations for
  CDNOW customers are that one item.
* CDNOW records no marketing consent, so by default **no consent event is emitted** and the
  guardian lets no message through: every decision is ``no_message`` (recommendations are still
  served). ``consent_channels=["email"]`` synthesises, for trying the lifecycle agent only, one
  ``consent_change`` (granted) per customer at their first order: that is invented data and the
  CLI says so.
* ``end_date`` shifts every date by a whole number of days so that the last order day
  (1998-06-30) becomes ``end_date`` (the demo uses its usual run date; the DAG's start date is in
  2026). Weekdays shift with it. Without it the original 1997–98 dates are kept.
* The source has no event ids: ``event_id`` is ``cdnow-`` + a hash of the line (see
  :mod:`tailor.importers.events`); two identical lines (same customer, day, CDs and value —
  they occur) stay two purchases.
"""
from __future__ import annotations

import importlib.util
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Sequence

import polars as pl

from tailor.events import CHANNELS
from tailor.importers.events import EventImportError, ImportReport, import_frame

MASTER = "CDNOW_master.txt"
ORIGINAL_LAST_DAY = date(1998, 6, 30)
NAMESPACE = "cdnow"
ITEM_ID, CATEGORY = "CD", "music"


def master_path() -> Path:
    """Where the installed ``lifetimes`` wheel keeps CDNOW_master.txt (without importing
    lifetimes itself, whose import pulls in autograd / scipy)."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.origin:
        raise EventImportError("the CDNOW data ships in the `lifetimes` package: "
                           ".venv/bin/pip install lifetimes")
    path = Path(os.path.dirname(spec.origin), "datasets", MASTER)
    if not path.exists():
        raise EventImportError(f"{path} is missing from the installed lifetimes package")
    return path


def read_master(path: str | Path | None = None) -> pl.DataFrame:
    """The master file as text columns customer_id, date (YYYYMMDD), number_of_cds, dollar_value."""
    path = Path(path) if path else master_path()
    rows = []
    with open(path) as fh:
        header = fh.readline().split()
        if header != ["customer_id", "date", "number_of_cds", "dollar_value"]:
            raise EventImportError(f"{path}: unexpected header {header}")
        for line in fh:
            parts = line.split()
            if parts:
                rows.append(parts + [None] * (4 - len(parts)) if len(parts) < 4 else parts[:4])
    return pl.DataFrame(rows, schema=header, orient="row")


def orders_frame(master: pl.DataFrame, end_date: date | None = None) -> pl.DataFrame:
    """Add the shifted ISO ``day`` and the ``unit_price`` columns the mapping reads."""
    shift = timedelta(days=(end_date - ORIGINAL_LAST_DAY).days) if end_date else timedelta(0)
    day = pl.col("date").str.strptime(pl.Date, "%Y%m%d", strict=False)
    cds = pl.col("number_of_cds").cast(pl.Float64, strict=False)
    value = pl.col("dollar_value").cast(pl.Float64, strict=False)
    return master.with_columns(
        (day + pl.duration(days=shift.days)).cast(pl.String).alias("day"),
        pl.when(cds > 0).then((value / cds).round(2)).cast(pl.String).alias("unit_price"))


MAPPING = {"customer_id": "customer_id", "ts": "day", "quantity": "number_of_cds",
           "price": "unit_price"}


def consent_events(orders: pl.DataFrame, channels: Sequence[str]) -> list[dict]:
    """Synthetic consent grants (one per customer and channel, at the first order)."""
    bad = [c for c in channels if c not in CHANNELS]
    if bad:
        raise EventImportError(f"unknown channels {bad}; use {CHANNELS}")
    if not channels:
        return []
    first = (orders.filter(pl.col("day").is_not_null())
             .group_by("customer_id").agg(pl.col("day").min()).sort("customer_id"))
    return [{"event_id": f"{NAMESPACE}-consent-{cid}-{ch}", "event_type": "consent_change",
             "ts": f"{day}T00:00:00Z", "customer_id": cid, "channel": ch, "granted": True}
            for cid, day in first.iter_rows() for ch in channels]


def import_cdnow(landing_dir: str | Path, end_date: date | None = None,
                 consent_channels: Sequence[str] = (), path: str | Path | None = None
                 ) -> ImportReport:
    """Write CDNOW as landing events into ``landing_dir``; returns the import report."""
    orders = orders_frame(read_master(path), end_date)
    report = import_frame(orders.select("customer_id", "day", "number_of_cds", "dollar_value",
                                        "unit_price"),
                          MAPPING, landing_dir,
                          {"event_type": "purchase", "item_id": ITEM_ID, "category": CATEGORY},
                          namespace=NAMESPACE, source=str(path or master_path()),
                          extra_events=consent_events(orders, consent_channels))
    return report
