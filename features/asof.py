"""The days feature rows are materialised *as of*: training cutoffs and the policy's context
days, laid on a calendar grid so that consecutive daily runs share them.

``calendar`` (the default): the days of a series fall on the grid of ``step_days`` — days whose
proleptic ordinal (``date.toordinal``) is a multiple of ``step_days``; for 7, Sundays. The newest
is the latest grid day at or before the series' newest allowed day, the rest ``step_days``
apart. Six runs in seven (with a step of 7) therefore ask for exactly the days yesterday's run
asked for, so the features job, which keeps partitions an earlier run wrote
(``jobs/materialize_features.py``), computes ds only; and the training cutoffs and the context
days, being on one grid, coincide where their ranges overlap (the default run materialises 6–7
as-of days instead of 9). The price: the newest day is up to ``step_days - 1`` days older.

``ds``: the newest day is the newest allowed day itself (ds − horizon for cutoffs), so every
day of the series moves with ds and every run computes all of them.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, get_args

Anchor = Literal["calendar", "ds"]


def on_grid(day: date, step_days: int) -> date:
    """The latest day at or before ``day`` whose ordinal is a multiple of ``step_days``."""
    return date.fromordinal(day.toordinal() - day.toordinal() % step_days)


def series(newest: date, count: int, step_days: int, anchor: Anchor) -> list[str]:
    """``count`` days ``step_days`` apart, newest first, none after ``newest`` (ISO strings)."""
    if count < 1 or step_days < 1:
        raise ValueError(f"an as-of series needs count >= 1 and step_days >= 1 "
                         f"(got {count}, {step_days})")
    if anchor not in get_args(Anchor):
        raise ValueError(f"as-of anchor must be one of {get_args(Anchor)} (got {anchor!r})")
    first = on_grid(newest, step_days) if anchor == "calendar" else newest
    return [(first - timedelta(days=k * step_days)).isoformat() for k in range(count)]
