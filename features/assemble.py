"""Every person-entity feature group joined onto persons: for one ds, or point in time.

Consumers (score, decide, candidates, notebooks) call :func:`person_features` instead of naming
groups and tables: the persons are the profile group's rows for ds (everyone with any event
before the as-of instant); every other person-entity group is left-joined and its missing values
filled with the group's declared ``fills`` (e.g. no message yet → response 0, preferred hour 18;
no event this week → counts 0, hours since last event capped at the window).

Training sets and the policy's logged decisions need the features *as they were known* at many
instants instead: :func:`person_features_asof` point-in-time joins every group to entity rows
(person, instant) with ``features.pit`` (event time, write time and TTL rules).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from tailor.features.labels import KNOWN, asof_group
from tailor.features.registry import FeatureGroup, person_groups

BOOKKEEPING = ("ds", "written_at")   # per-group columns that are not features


def person_features(lakehouse, ds: str, groups: Iterable[FeatureGroup] | None = None) -> DataFrame:
    """(person_id, ds, <every person feature>) for ``ds`` from the materialised tables."""
    groups = list(groups) if groups is not None else person_groups()
    frames = {g.name: lakehouse.read(g.table, partitions={"ds": ds}) for g in groups}
    return assemble(frames, groups).withColumn("ds", F.lit(ds)).select(
        "person_id", "ds", *[c for c in _feature_columns(frames, groups)])


def assemble(frames: dict[str, DataFrame], groups: Iterable[FeatureGroup] | None = None) -> DataFrame:
    """Left-join ``frames`` (group name → that group's rows) onto the first group's persons.

    Raises if two groups define the same column (a silent overwrite would feed one group's
    value under the other's name to a model)."""
    groups = list(groups) if groups is not None else person_groups()
    _check_disjoint(frames, groups)
    base, *rest = groups
    out = frames[base.name].drop(*BOOKKEEPING)
    for g in rest:
        out = out.join(frames[g.name].drop(*BOOKKEEPING), "person_id", "left")
        out = fill(out, g)
    return out


def fill(frame: DataFrame, group: FeatureGroup) -> DataFrame:
    """Apply the group's ``fills`` to ``frame`` (scalars with fillna, lists as typed arrays)."""
    scalars = {k: v for k, v in group.fills.items() if not isinstance(v, (list, tuple))
               and k in frame.columns}
    out = frame.fillna(scalars) if scalars else frame
    types = dict(frame.dtypes)
    for k, v in group.fills.items():
        if isinstance(v, (list, tuple)) and k in frame.columns:
            literal = F.array(*[F.lit(x) for x in v]).cast(types[k])
            out = out.withColumn(k, F.coalesce(F.col(k), literal))
    return out


def _feature_columns(frames: dict[str, DataFrame], groups: list[FeatureGroup]) -> list[str]:
    return [c for g in groups for c in frames[g.name].columns
            if c not in ("person_id", *BOOKKEEPING)]


def _check_disjoint(frames: dict[str, DataFrame], groups: list[FeatureGroup],
                    taken: Iterable[str] = ()) -> None:
    """Refuse a column two groups (or a group and the ``taken`` entity columns) both define: a
    silent overwrite would feed one's value under the other's name to a model."""
    owner: dict[str, str] = {c: "the entity rows" for c in taken if c != "person_id"}
    for g in groups:
        if g.entity != "person_id":
            raise ValueError(f"{g.table} is keyed by {g.entity}, not person_id")
        for c in frames[g.name].columns:
            if c in ("person_id", *BOOKKEEPING):
                continue
            if c in owner:
                raise ValueError(f"column {c!r} is defined by both {owner[c]} and {g.name}: "
                                 "rename it in one group (and bump that group's version)")
            owner[c] = g.name


def candidate_days(days: Iterable[str], ttl_days: int) -> list[str]:
    """The ``ds`` partitions that can hold a value usable on some of ``days`` (prunes reads)."""
    days = sorted(days)
    newest, oldest = date.fromisoformat(days[-1]), date.fromisoformat(days[0])
    span = (newest - oldest).days + ttl_days + 1
    return [(newest - timedelta(days=k)).isoformat() for k in range(span)]


def person_features_asof(lakehouse, entities: DataFrame, days: Iterable[str],
                         ts_col: str = "known_at", **plan: Any) -> DataFrame:
    """``entities`` (person_id, ``ts_col``, ...) + every person group's values known at each
    row's ``ts_col`` (point in time), + a ``__known_<group>`` marker per group. Groups after the
    first get their declared fills. ``days``: the as-of days the instants fall on (prunes the
    reads); ``plan``: the point-in-time join plan (``strategy``, ``broadcast_max_bytes``)."""
    days = list(days)
    groups = person_groups()
    tables = {g.name: lakehouse.read(g.table, partitions={"ds": candidate_days(days, g.ttl_days)})
              for g in groups}
    _check_disjoint(tables, groups, taken=entities.columns)
    out = entities
    for i, g in enumerate(groups):
        out = asof_group(out, tables[g.name], g, ts_col=ts_col, **plan)
        if i:
            out = fill(out, g)
    return out


def known_markers(groups: Iterable[FeatureGroup] | None = None) -> list[str]:
    """The ``__known_<group>`` marker columns :func:`person_features_asof` adds."""
    return [KNOWN.format(g.name) for g in (groups if groups is not None else person_groups())]
