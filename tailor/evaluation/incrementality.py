"""Incrementality: what deciding (and messaging) earned against the global holdout.

For a decision day ``d`` (the ``gold.decisions`` partition ``ds = d``, served from the end of
``d``), every decided person's outcome is counted over the window ``[day_end(d),
day_end(d) + window_days)``: whether they placed any order (a purchase or a conversion,
``features/windows.py``) and the order value they spent. A day is evaluated only once its window
is complete (``d + window_days <= ds`` of the run).

Two kinds of rows per day (``ops.incrementality``):

* ``channel = "all"`` — **randomised**: every non-holdout person decided that day (intent to
  treat: messaged or not, as decided) against every holdout person. The holdout is a stable hash
  of the person id (``tailor/agents/holdout.py``), independent of everything else, so the
  difference is an unbiased estimate of what the policy's decisions add per person.
* ``channel = c`` — **selected**: the non-holdout persons the policy decided to message on ``c``
  against the holdout persons whose consent allows ``c`` (the holdout has no channel: nobody
  decided what it would have received). Restricting the holdout to ``c``'s consenters removes
  the consent difference, but the treated group is still the policy's *choice* among them
  (persons it expected to respond), so this difference mixes the message's effect with
  selection: read it as descriptive, not causal. A clean per-channel comparison would need the
  action the policy would have chosen for each holdout person, which ``gold.decisions`` does not
  record for the holdout.

Both compare means of per-person outcomes (a rate is the mean of a 0/1 outcome) with a Welch
interval: unpooled variances, Student t quantile at the Welch–Satterthwaite degrees of freedom
(→ the normal interval for large groups). No interval when a group has fewer than two persons
or both groups' outcomes are constant (zero standard error).

The Spark part (:func:`outcome_sums`) reduces persons to sufficient statistics per day, channel
and arm (n, sum, sum of squares), so the statistics (:func:`incrementality_rows`) run on a few
rows of pandas.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame

ALL = "all"
TREATED, HOLDOUT = "treated", "holdout"
RANDOMISED, SELECTED = "randomised", "selected"
CI_METHOD = "welch_t"
SUM_COLUMNS = ["decision_ds", "channel", "arm", "n", "n_messaged", "converted", "revenue",
               "revenue_sq"]


def window_complete(decision_ds: str, ds: str, window_days: int) -> bool:
    """True when the outcome window of ``decision_ds`` has ended by the end of ``ds``."""
    return date.fromisoformat(decision_ds) + timedelta(days=window_days) <= date.fromisoformat(ds)


def days_to_evaluate(decision_days: Iterable[str], ds: str, window_days: int,
                     done: Iterable[str] = (), max_days: int | None = None) -> list[str]:
    """Decision days with a complete window that no other run has evaluated, newest first, at
    most ``max_days`` of them."""
    done_set = set(done)
    days = sorted({d for d in decision_days
                   if d not in done_set and window_complete(d, ds, window_days)}, reverse=True)
    return days[:max_days] if max_days is not None else days


def window_dates(decision_days: Iterable[str], window_days: int) -> list[str]:
    """Event dates the windows of ``decision_days`` cover (for partition pruning)."""
    out: set[str] = set()
    for d in decision_days:
        first = date.fromisoformat(d) + timedelta(days=1)
        out |= {(first + timedelta(days=i)).isoformat() for i in range(window_days)}
    return sorted(out)


# ----------------------------------------------------------------------------- statistics

@dataclass(frozen=True)
class Interval:
    diff: float
    low: float | None
    high: float | None


def _mean_var(n: float, total: float, total_sq: float) -> tuple[float, float]:
    mean = total / n
    var = max((total_sq - total * total / n) / (n - 1), 0.0) if n > 1 else math.nan
    return mean, var


def welch_interval(n1: float, sum1: float, sumsq1: float, n0: float, sum0: float, sumsq0: float,
                   confidence: float) -> Interval:
    """Difference of means (group 1 − group 0) from sufficient statistics, with a Welch
    interval (unpooled variances, t quantile at the Welch–Satterthwaite df)."""
    from scipy.stats import t as student_t

    m1, v1 = _mean_var(n1, sum1, sumsq1)
    m0, v0 = _mean_var(n0, sum0, sumsq0)
    diff = m1 - m0
    if n1 < 2 or n0 < 2:
        return Interval(diff, None, None)
    a, b = v1 / n1, v0 / n0
    se = math.sqrt(a + b)
    if se == 0.0:
        return Interval(diff, None, None)
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n0 - 1))
    half = float(student_t.ppf(0.5 + confidence / 2, df)) * se
    return Interval(diff, diff - half, diff + half)


def _compare(t: Any, h: Any, total: str, square: str, confidence: float
             ) -> tuple[float | None, float | None, Interval | None]:
    """Means of one outcome in the treated (``t``) and holdout (``h``) sums, and the interval
    of their difference (None when a group is missing or empty)."""
    mean_t = float(getattr(t, total)) / t.n if t is not None and t.n else None
    mean_h = float(getattr(h, total)) / h.n if h is not None and h.n else None
    if mean_t is None or mean_h is None:
        return mean_t, mean_h, None
    return mean_t, mean_h, welch_interval(t.n, getattr(t, total), getattr(t, square),
                                          h.n, getattr(h, total), getattr(h, square), confidence)


def incrementality_rows(sums: "pd.DataFrame", *, ds: str, window_days: int, confidence: float,
                        decisions_version: int | None, events_version: int | None,
                        computed_at: datetime) -> "pd.DataFrame":
    """``ops.incrementality`` rows from per (decision_ds, channel, arm) sufficient statistics
    (columns :data:`SUM_COLUMNS`; arm ``treated`` | ``holdout``). Pure."""
    import pandas as pd

    from tailor.catalog import table

    columns = table("ops.incrementality").column_names
    rows: list[dict[str, Any]] = []
    keyed = {(r.decision_ds, r.channel, r.arm): r for r in sums.itertuples(index=False)}
    for decision_ds, channel in sorted({(d, c) for d, c, _ in keyed},
                                       key=lambda k: (k[0], k[1] != ALL, k[1])):
        t, h = keyed.get((decision_ds, channel, TREATED)), keyed.get((decision_ds, channel, HOLDOUT))
        row: dict[str, Any] = {
            "ds": ds, "decision_ds": decision_ds, "window_days": window_days, "channel": channel,
            "comparison": RANDOMISED if channel == ALL else SELECTED,
            "n_treated": int(t.n) if t is not None else 0,
            "n_messaged": int(t.n_messaged) if t is not None else 0,
            "n_holdout": int(h.n) if h is not None else 0,
            "ci_method": CI_METHOD, "confidence": confidence,
            "decisions_version": decisions_version, "events_version": events_version,
            "computed_at": pd.Timestamp(computed_at),
        }
        for name, total, square in (("conv_rate", "converted", "converted"),
                                    ("revenue_pp", "revenue", "revenue_sq")):
            mean_t, mean_h, ci = _compare(t, h, total, square, confidence)
            row[f"{name}_treated"], row[f"{name}_holdout"] = mean_t, mean_h
            row[f"{name}_diff"] = ci.diff if ci else None
            row[f"{name}_ci_low"] = ci.low if ci else None
            row[f"{name}_ci_high"] = ci.high if ci else None
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("window_days",):
        frame[col] = frame[col].astype("int32")
    for col in ("n_treated", "n_messaged", "n_holdout"):
        frame[col] = frame[col].astype("int64")
    for col in ("decisions_version", "events_version"):
        frame[col] = frame[col].astype("Int64")
    for col in columns:
        if col.startswith(("conv_rate", "revenue_pp")) or col == "confidence":
            frame[col] = frame[col].astype("float64")
    frame["computed_at"] = pd.to_datetime(frame["computed_at"], utc=True)
    return frame


# ----------------------------------------------------------------------------- Spark part

def outcome_sums(decisions: "DataFrame", events: "DataFrame", window_days: int) -> "DataFrame":
    """Sufficient statistics per (decision_ds, channel, arm) of the persons decided on each
    day of ``decisions`` (columns person_id, ds, holdout, channel, allowed_channels), their
    outcomes taken from the order events of ``events`` (silver.events) in each day's window.

    A non-holdout person counts in ``all`` and, when messaged, in its channel (arm
    ``treated``); a holdout person counts in ``all`` and in every channel its consent allows
    (arm ``holdout``). Columns :data:`SUM_COLUMNS`.
    """
    from pyspark.sql import functions as F

    from tailor.features.windows import is_order, order_value

    day = F.to_date(F.col("d.ds"))
    people = (decisions.alias("d")
              .select(F.col("d.person_id").alias("person_id"), F.col("d.ds").alias("decision_ds"),
                      F.coalesce(F.col("d.holdout"), F.lit(False)).alias("holdout"),
                      F.col("d.channel").alias("channel"),
                      F.coalesce(F.col("d.allowed_channels"), F.array().cast("array<string>"))
                      .alias("allowed_channels"),
                      F.date_add(day, 1).cast("timestamp").alias("w_start"),
                      F.date_add(day, 1 + window_days).cast("timestamp").alias("w_end")))
    orders = (events.where(is_order())
              .select(F.col("person_id").alias("o_person"), F.col("event_ts").alias("o_ts"),
                      order_value().alias("o_value")))
    in_window = (people.join(orders, (F.col("person_id") == F.col("o_person"))
                             & (F.col("o_ts") >= F.col("w_start")) & (F.col("o_ts") < F.col("w_end")))
                 .groupBy("person_id", "decision_ds")
                 .agg(F.lit(1).cast("long").alias("converted"),
                      F.sum("o_value").cast("double").alias("revenue")))
    per_person = (people.join(in_window, ["person_id", "decision_ds"], "left")
                  .fillna({"converted": 0, "revenue": 0.0}))
    groups = F.when(F.col("holdout"), F.concat(F.array(F.lit(ALL)), F.col("allowed_channels"))) \
        .when(F.col("channel").isNotNull(), F.array(F.lit(ALL), F.col("channel"))) \
        .otherwise(F.array(F.lit(ALL)))
    exploded = per_person.select(
        "decision_ds", F.explode(F.array_distinct(groups)).alias("channel_group"),
        F.when(F.col("holdout"), F.lit(HOLDOUT)).otherwise(F.lit(TREATED)).alias("arm"),
        (F.col("channel").isNotNull() & ~F.col("holdout")).cast("long").alias("messaged"),
        "converted", "revenue")
    return (exploded.groupBy("decision_ds", F.col("channel_group").alias("channel"), "arm")
            .agg(F.count(F.lit(1)).alias("n"), F.sum("messaged").alias("n_messaged"),
                 F.sum("converted").alias("converted"), F.sum("revenue").alias("revenue"),
                 F.sum(F.col("revenue") * F.col("revenue")).alias("revenue_sq"))
            .select(*SUM_COLUMNS))
