"""Contracts of the feature tables: one per group in ``features.registry.GROUPS``, generated.

Every group ``features.<name>_v<N>`` is checked on one ``ds`` partition (the as-of day) with
the same rules, built from the registry entry and the frame's own columns (groups change with
the code that computes them, so no column list is repeated here):

- The partition is not empty — a breach for the groups every decision needs
  (:data:`REQUIRED`: profile defines who exists, item_stats what can be recommended), a
  *warning* for the others, which real data may legitimately lack (no messages sent → no
  channel or discount rows, single-item sessions → no co-visitation, nobody active this
  week → no behaviour rows; e.g. CDNOW). ``ds`` and ``written_at`` exist and are never null;
  ``ds`` is 'YYYY-MM-DD'; ``written_at`` is a UTC timestamp (when the row was materialised).
- The entity key (``group.entity``, or ``group.keys`` when a group declares a compound key,
  e.g. item pairs) exists, is never null, and is unique within the ds: one row per entity as
  of a day.
- Every numeric column is never null / NaN and finite, within declared bounds
  (``group.bounds`` when the registry declares them, else the naming conventions of
  ``expectations._rules.CONVENTIONS``: ``*_share``/``*_rate``/``*_response``/``*_prob`` in
  [0, 1], ``*hour`` 0..23, ``*_rank`` >= 1, counts / amounts / durations >= 0). Columns a
  group declares nullable (``group.nullable``, or :data:`NULLABLE` here) get a *warning*
  when null instead of a breach.

Adding a group to the registry adds its contract: ``tailor run validate --table
features.<name>_v<N>`` works without touching this package.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tailor.expectations import Contract

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

PARTITION_COLUMN = "ds"
WRITTEN_AT = "written_at"

# Known-missing numeric values, per group name, until the registry can declare them itself.
# item_stats.price: the latest event of an item is usually a view, which has no price.
NULLABLE: dict[str, set[str]] = {"item_stats": {"price"}}


def _keys(group: Any) -> list[str]:
    keys = getattr(group, "keys", None)
    return list(keys) if keys else [group.entity]


# groups whose empty partition is a breach (the others warn: see the module docstring)
REQUIRED = {"profile", "item_stats"}


def _nullable(group: Any) -> set[str]:
    return set(getattr(group, "nullable", None) or ()) | NULLABLE.get(group.name, set())


def suite_for_group(group: Any, frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
    """The suite of one feature group; with ``frame``, plus a rule pair per numeric column."""
    from tailor.expectations._rules import (
        date_string,
        has_columns,
        make_suite,
        non_empty,
        not_null,
        numeric_rules,
        strings,
        timestamps,
        unique,
    )

    keys = _keys(group)
    key_words = keys[0] if len(keys) == 1 else f"({', '.join(keys)})"
    string_keys = [k for k in keys
                   if frame is None or k not in frame.columns or frame[k].dtype == object]
    features = [] if frame is None else numeric_rules(
        frame, exclude=[*keys, PARTITION_COLUMN], nullable=_nullable(group),
        declared=group.bounds, what="feature")
    return make_suite(
        group.table, __doc__,
        non_empty(f"the ds partition holds {group.name} features",
                  warn=group.name not in REQUIRED),
        has_columns([*keys, PARTITION_COLUMN, WRITTEN_AT],
                    description="the entity key, ds and written_at exist"),
        not_null({k: f"entity key {k} is set" for k in keys}),
        unique(keys, f"one row per {key_words} per ds"),
        not_null({PARTITION_COLUMN: "every row has its as-of day"}),
        date_string(PARTITION_COLUMN),
        not_null({WRITTEN_AT: "every row records when it was written"}),
        timestamps(WRITTEN_AT),
        strings(*string_keys),
        features,
        group=group.name, version=group.version, description=group.description)


def _contract(group: Any) -> Contract:
    def build_suite(frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
        return suite_for_group(group, frame)

    return Contract(table=group.table, partition_column=PARTITION_COLUMN, module=__name__,
                    build_suite=build_suite, prepare=None,
                    description=f"{group.table}: {group.description}\n\n{(__doc__ or '').strip()}",
                    id_column=_keys(group)[0])


def CONTRACTS() -> list[Contract]:  # noqa: N802 (the registry's convention for generated modules)
    """One contract per registered feature group (read from the registry on every call)."""
    from tailor.features.registry import GROUPS

    return [_contract(g) for g in GROUPS.values()]
