"""Contract of ``silver.identity_map``: hashed device / anonymous ids → pseudonymous person.

The identity job overwrites the whole table on every run, so the whole table is checked
(``PARTITION_COLUMN = None``, no row filter).

- The table is not empty; columns id_type, id_hash, person_id, evidence, links, first_seen,
  last_seen exist (extra columns are allowed: the identity work may add evidence columns).
- **Governance:** no identifier in the clear: ``id_value``, ``customer_id``, ``email``,
  ``anonymous_id``, ``device_id`` must not be columns.
- ``id_type`` is one of anonymous / device / email / customer (the id kinds that can be
  linked); ``id_hash``, ``person_id`` and ``evidence`` are non-null strings.
- ``(id_type, id_hash)`` is unique: an id maps to exactly one person.
- ``links`` is an integer >= 1 (at least one piece of evidence).
- ``first_seen`` and ``last_seen`` are non-null UTC timestamps with ``first_seen <= last_seen``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from expectations import INT_TYPES, STRING, TZ_TIMESTAMP

if TYPE_CHECKING:
    import great_expectations as gx

TABLE = "silver.identity_map"
PARTITION_COLUMN = None
ID_COLUMN = "id_hash"

COLUMNS = ["id_type", "id_hash", "person_id", "evidence", "links", "first_seen", "last_seen"]
ID_TYPES = ["anonymous", "device", "email", "customer"]
CLEAR_IDENTIFIERS = ["id_value", "customer_id", "email", "anonymous_id", "device_id"]


def build_suite() -> "gx.ExpectationSuite":
    """The ``silver.identity_map`` expectation suite (a fresh object on every call)."""
    import great_expectations as gx
    from great_expectations import expectations as gxe

    from expectations._rules import forbid_columns

    expectations: list = []
    add = expectations.append
    add(gxe.ExpectTableRowCountToBeBetween(min_value=1, description="the map is not empty"))
    add(gxe.ExpectTableColumnsToMatchSet(
        column_set=COLUMNS, exact_match=False,
        description="every identity_map column exists (extra columns are allowed)"))
    add(forbid_columns(CLEAR_IDENTIFIERS, "governance: no identifier in the clear"))
    for col in ["id_type", "id_hash", "person_id", "evidence", "links", "first_seen",
                "last_seen"]:
        add(gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"{col} is always set"))
    for col in ["id_type", "id_hash", "person_id", "evidence"]:
        add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=STRING,
                                             description=f"{col} is a string"))
    add(gxe.ExpectColumnValuesToBeInSet(column="id_type", value_set=ID_TYPES,
                                        description=f"id_type is one of {ID_TYPES}"))
    add(gxe.ExpectCompoundColumnsToBeUnique(
        column_list=["id_type", "id_hash"], description="an id maps to exactly one person"))
    add(gxe.ExpectColumnValuesToBeInTypeList(column="links", type_list=INT_TYPES,
                                             description="links is an integer"))
    add(gxe.ExpectColumnValuesToBeBetween(column="links", min_value=1,
                                          description="every link has at least one piece of evidence"))
    for col in ["first_seen", "last_seen"]:
        add(gxe.ExpectColumnValuesToBeOfType(column=col, type_=TZ_TIMESTAMP,
                                             description=f"{col} is a timezone-aware timestamp"))
    add(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="last_seen", column_B="first_seen", or_equal=True,
        description="first_seen <= last_seen"))
    return gx.ExpectationSuite(name=TABLE, expectations=expectations,
                               meta={"contract": __doc__.strip()})
