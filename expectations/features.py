"""Contracts of the feature tables: one per group in ``features.registry.GROUPS``, generated.

Every group ``features.<name>_v<N>`` is checked on one ``ds`` partition (the as-of day) with
the same rules, built from the registry entry and the frame's own columns (groups change with
the code that computes them, so no column list is repeated here):

- The partition is not empty; ``ds`` and ``written_at`` exist and are never null; ``ds`` is
  'YYYY-MM-DD'; ``written_at`` is a UTC timestamp (when the row was materialised).
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

from expectations import DATE_REGEX, STRING, TZ_TIMESTAMP, Contract

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


def _nullable(group: Any) -> set[str]:
    return set(getattr(group, "nullable", None) or ()) | NULLABLE.get(group.name, set())


def suite_for_group(group: Any, frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
    """The suite of one feature group; with ``frame``, plus a rule pair per numeric column."""
    import great_expectations as gx
    from great_expectations import expectations as gxe

    from expectations._rules import numeric_rules

    keys = _keys(group)
    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableRowCountToBeBetween(
        min_value=1, description=f"the ds partition holds {group.name} features"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=[*keys, PARTITION_COLUMN, WRITTEN_AT], exact_match=False,
        description="the entity key, ds and written_at exist"))
    for col in keys:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"entity key {col} is set"))
    if len(keys) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(
            column=keys[0], description=f"one row per {keys[0]} per ds"))
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(
            column_list=keys, description=f"one row per ({', '.join(keys)}) per ds"))
    add(gxe.ExpectColumnValuesToNotBeNull(column=PARTITION_COLUMN,
                                          description="every row has its as-of day"))
    add(gxe.ExpectColumnValuesToMatchRegex(column=PARTITION_COLUMN, regex=DATE_REGEX,
                                           description="ds looks like YYYY-MM-DD"))
    add(gxe.ExpectColumnValuesToNotBeNull(column=WRITTEN_AT,
                                          description="every row records when it was written"))
    add(gxe.ExpectColumnValuesToBeOfType(column=WRITTEN_AT, type_=TZ_TIMESTAMP,
                                         description="written_at is a UTC timestamp"))
    for col in keys:
        if frame is None or col not in frame.columns or frame[col].dtype == object:
            add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=STRING,
                                                 description=f"{col} is a string"))
    if frame is not None:
        expectations += numeric_rules(frame, exclude=[*keys, PARTITION_COLUMN],
                                      nullable=_nullable(group),
                                      declared=getattr(group, "bounds", None), what="feature")
    return gx.ExpectationSuite(name=group.table, expectations=expectations,
                               meta={"contract": (__doc__ or "").strip(),
                                     "group": group.name, "version": group.version,
                                     "description": group.description})


def _contract(group: Any) -> Contract:
    def build_suite(frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
        return suite_for_group(group, frame)

    return Contract(table=group.table, partition_column=PARTITION_COLUMN, module=__name__,
                    build_suite=build_suite, prepare=None,
                    description=f"{group.table}: {group.description}\n\n{(__doc__ or '').strip()}",
                    id_column=_keys(group)[0])


def CONTRACTS() -> list[Contract]:  # noqa: N802 (the registry's convention for generated modules)
    """One contract per registered feature group (read from the registry on every call)."""
    from features.registry import GROUPS

    return [_contract(g) for g in GROUPS.values()]
