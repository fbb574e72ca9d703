"""Point-in-time (as-of) join of entity rows to feature rows, for many cutoffs at once.

For every entity row ``(keys, ts)`` pick the feature row of the same entity with the greatest
event time that was *known* at ``ts``:

    event_ts <= ts   and   written_at <= ts   and   event_ts > ts - ttl

and return exactly one output row per entity row (left semantics): its feature columns are null
when no feature row qualifies. ``written_at`` is when the row reached the lakehouse, so a value
that was late-arriving or backfilled after ``ts`` never leaks into a training row for ``ts``,
even though its event time is before ``ts``.

Two plans, the same answer (the PIT tests run every rule against both):

* ``window`` (any size; one shuffle, no cross join, no range join): entity rows and feature rows
  are unioned, hash-partitioned by entity and sorted by the instant each row becomes *visible*
  (``greatest(event_ts, written_at)`` for a feature row, ``ts`` for an entity row; feature rows
  first on equal instants, so ``<=`` is inclusive). A running ``max`` over
  ``struct(event_ts, written_at, features...)`` — an O(1)-per-row running aggregate in Spark's
  window operator — then holds, at each entity row, the visible feature row with the latest
  event time. Ordering by visibility rather than by event time is what makes the write-time
  rule correct: a row backfilled late becomes visible late, yet once visible it still loses to
  any visible row with a later event time. The TTL is checked on the chosen row: if the latest
  visible event is too old, every visible event is. Cost: a sort of entity + feature rows.
* ``broadcast`` (when the entity side is small enough to broadcast): the (keys, ts) of the
  entity rows are broadcast to the feature scan, which keeps only the (feature row, entity row)
  pairs that satisfy all three rules — before any shuffle — and the ``max`` of the same struct
  per (keys, ts) is joined back to the entity rows. Only qualifying pairs and the entity rows
  are shuffled, never the whole feature table: 15-30 % faster in bench/pit_join.py (10M
  entity rows: 55.8 s vs 64.5 s; 1M warm: ~4.7 s vs ~6.5 s). Cost grows with the pairs per
  entity row (entity rows of a key × its feature rows inside the TTL), so it is chosen only for
  small entity sides (``auto``).

The struct order breaks ties deterministically in both: equal event times → the later
``written_at`` (the latest correction) wins, then the larger feature values, so the same inputs
always give the same output.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

_KIND, _T, _LEFT, _RIGHT, _BEST = "__pit_kind", "__pit_t", "__pit_left", "__pit_right", "__pit_best"
_E, _W = "__pit_event_ts", "__pit_written_at"
STRATEGIES = ("auto", "window", "broadcast")
BROADCAST_MAX_BYTES = 64 * 2**20   # auto: broadcast the entity (keys, ts) below this estimate


def pit_join(entities: DataFrame, features: DataFrame, ttl: timedelta | None,
             keys: str | Sequence[str] = "person_id", *, ts_col: str = "ts",
             event_ts_col: str = "event_ts", written_at_col: str | None = "written_at",
             feature_cols: Sequence[str] | None = None, prefix: str = "",
             strategy: str = "auto", broadcast_max_bytes: int = BROADCAST_MAX_BYTES) -> DataFrame:
    """One row per row of ``entities`` (all its columns, same order) + the feature columns.

    ``entities``: the entity key column(s), ``ts_col`` (the cutoff instant; timestamp) and any
    other columns (labels, cutoff names, ...), which pass through untouched. Duplicate entity
    rows stay duplicated; an entity may appear at many ``ts`` (many cutoffs at once).
    ``features``: the key column(s), ``event_ts_col``, ``written_at_col`` (``None`` = no
    write-time rule, e.g. for sources without one) and the feature columns (default: all the
    others). Feature rows with a null key, event time or write time are never used.
    ``ttl``: a value whose event time is ``ttl`` or more before ``ts`` is expired (``None``: no
    expiry). ``prefix`` is prepended to the output feature column names (to join several groups
    with overlapping column names). ``strategy``: ``window``, ``broadcast`` or ``auto`` (broadcast
    when Spark's size estimate of the entity (keys, ts) is at most ``broadcast_max_bytes``).
    """
    keys = [keys] if isinstance(keys, str) else list(keys)
    meta = {*keys, event_ts_col, *([written_at_col] if written_at_col else [])}
    feature_cols = list(feature_cols) if feature_cols is not None else [
        c for c in features.columns if c not in meta]
    missing = [c for c in (*keys, ts_col) if c not in entities.columns] + \
        [c for c in (*meta, *feature_cols) if c not in features.columns]
    if missing:
        raise ValueError(f"pit_join: missing columns {missing} (entities: {entities.columns}, "
                         f"features: {features.columns})")
    out_names = [prefix + c for c in feature_cols]
    clash = sorted(set(out_names) & set(entities.columns))
    if clash:
        raise ValueError(f"pit_join: feature columns {clash} already exist in the entity frame; "
                         "pass prefix= or drop them")
    if any(c.startswith("__pit_") for c in (*entities.columns, *features.columns)):
        raise ValueError("pit_join: column names starting with '__pit_' are reserved")
    if strategy not in STRATEGIES:
        raise ValueError(f"pit_join: strategy {strategy!r} is not one of {STRATEGIES}")
    if strategy == "auto":
        strategy = choose_strategy(entities.select(*[_col(k) for k in keys], _col(ts_col)),
                                   broadcast_max_bytes)

    event_ts = _col(event_ts_col).cast("timestamp")
    written_at = _col(written_at_col).cast("timestamp") if written_at_col else event_ts
    usable = F.lit(True)
    for k in keys:
        usable = usable & _col(k).isNotNull()
    usable = usable & event_ts.isNotNull() & written_at.isNotNull()

    rows = features.where(usable).select(
        *[_col(k) for k in keys], event_ts.alias(_E), written_at.alias(_W),
        *[_col(c) for c in feature_cols])
    plan = _window_plan if strategy == "window" else _broadcast_plan
    return plan(entities, rows, keys, ts_col, feature_cols, out_names, ttl)


def choose_strategy(entity_keys: DataFrame, broadcast_max_bytes: int) -> str:
    """``broadcast`` if Spark's estimate of ``entity_keys`` (no job is run) fits the budget,
    else ``window`` (also when there is no estimate, e.g. under Spark Connect)."""
    try:
        stats = entity_keys._jdf.queryExecution().optimizedPlan().stats()
        size = int(str(stats.sizeInBytes()))   # scala BigInt; Long.MaxValue when unknown
    except Exception:  # noqa: BLE001 - no JVM handle or no statistics: the plan that works at any size
        return "window"
    return "broadcast" if size <= broadcast_max_bytes else "window"


def _best_struct(feature_cols: Sequence[str]) -> Column:
    """The struct whose ``max`` is the answer: latest event, then latest write, then values."""
    return F.struct(F.col(_E), F.col(_W), *[_col(c) for c in feature_cols])


def _window_plan(entities: DataFrame, rows: DataFrame, keys: list[str], ts_col: str,
                 feature_cols: Sequence[str], out_names: list[str],
                 ttl: timedelta | None) -> DataFrame:
    right = rows.select(
        *[_col(k) for k in keys],
        F.greatest(F.col(_E), F.col(_W)).alias(_T),
        F.lit(0).alias(_KIND),
        _best_struct(feature_cols).alias(_RIGHT))
    left = entities.select(
        *[_col(k) for k in keys],
        _col(ts_col).cast("timestamp").alias(_T),
        F.lit(1).alias(_KIND),
        F.struct(*[_col(c) for c in entities.columns]).alias(_LEFT))
    right_type = right.schema[_RIGHT].dataType
    left_type = left.schema[_LEFT].dataType
    union = (left.withColumn(_RIGHT, F.lit(None).cast(right_type))
             .unionByName(right.withColumn(_LEFT, F.lit(None).cast(left_type))))

    running = (Window.partitionBy(*[_col(k) for k in keys])
               .orderBy(F.col(_T).asc_nulls_first(), F.col(_KIND))
               .rowsBetween(Window.unboundedPreceding, Window.currentRow))
    best = F.col(_BEST)
    fresh: Column = best[_E] > (F.col(_T) - F.lit(ttl)) if ttl is not None else F.lit(True)
    return (union.withColumn(_BEST, F.max(_RIGHT).over(running))
            .where(F.col(_KIND) == 1)
            .select(*[F.col(_LEFT).getField(c).alias(c) for c in entities.columns],
                    *[F.when(fresh, best[c]).alias(n) for c, n in zip(feature_cols, out_names)]))


def _broadcast_plan(entities: DataFrame, rows: DataFrame, keys: list[str], ts_col: str,
                    feature_cols: Sequence[str], out_names: list[str],
                    ttl: timedelta | None) -> DataFrame:
    probe_keys = [f"__pit_key{i}" for i in range(len(keys))]
    probe = entities.select(*[_col(k).alias(p) for k, p in zip(keys, probe_keys)],
                            _col(ts_col).cast("timestamp").alias(_T))
    on = [_col(k) == F.col(p) for k, p in zip(keys, probe_keys)]
    known = (F.col(_E) <= F.col(_T)) & (F.col(_W) <= F.col(_T))
    if ttl is not None:
        known = known & (F.col(_E) > F.col(_T) - F.lit(ttl))
    best = (rows.join(F.broadcast(probe), on).where(known)
            .groupBy(*probe_keys, _T).agg(F.max(_best_struct(feature_cols)).alias(_BEST)))
    left = entities.withColumn(_LEFT, _col(ts_col).cast("timestamp"))
    return (left.join(best, [*on, F.col(_LEFT) == F.col(_T)], "left")
            .select(*[_col(c) for c in entities.columns],
                    *[F.col(_BEST)[c].alias(n) for c, n in zip(feature_cols, out_names)]))


def _col(name: str) -> Column:
    """A column by its exact name (dots and other odd characters quoted)."""
    return F.col("`" + name.replace("`", "``") + "`")
