"""Data contracts: one Great Expectations suite per table, found by convention.

Every module in this package (except ``_private`` ones) describes the contract of one table:

    TABLE = "gold.decisions"          # the table the suite guards (layer.name)
    PARTITION_COLUMN = "ds"           # the validate job reads the partition <column> == ds
    ID_COLUMN = "person_id"           # optional: names the rows behind unexpected values
    def build_suite() -> gx.ExpectationSuite: ...
    def prepare(df) -> df: ...        # optional: adds helper columns for cross-column rules

and states the contract in words in its module docstring. Adding a table means adding a module;
:func:`registry` discovers it. ``jobs/validate.py`` runs the suite as a DAG task through
``tailor.quality.contracts``.

Importing this package is cheap (no Great Expectations import): Airflow can list the registered
tables while parsing DAG files. Suite modules import ``great_expectations`` inside
``build_suite`` for the same reason.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

# Type names understood by ExpectColumnValuesToBeInTypeList on pandas. Integers accept numpy and
# pandas-nullable dtypes: tailor.quality.contracts.arrow_to_pandas keeps nullable Arrow integers
# as Int64 (plain ``to_pandas`` would turn an int column with nulls into float64).
INT_TYPES = ["int8", "int16", "int32", "int64", "Int8Dtype", "Int16Dtype", "Int32Dtype",
             "Int64Dtype"]
FLOAT_TYPES = ["float32", "float64", "Float32Dtype", "Float64Dtype"]
# ExpectColumnValuesToBeOfType compares the dtype's scalar type on pandas: "Timestamp" matches a
# timezone-aware datetime64[*, tz] column only (a naive column's scalar type is numpy.datetime64).
# Delta `timestamp` columns are UTC-adjusted and read back as tz=UTC.
TZ_TIMESTAMP = "Timestamp"
BOOL = "bool"          # matches numpy bool and pandas' nullable "boolean"
STRING = "str"         # object columns: checked value by value, nulls skipped
DATE_REGEX = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class Contract:
    """One registered table contract."""

    table: str
    partition_column: str
    module: str
    build_suite: Callable[[], "gx.ExpectationSuite"]
    prepare: Callable[["pd.DataFrame"], "pd.DataFrame"] | None
    description: str
    id_column: str | None = None

    @property
    def suite_name(self) -> str:
        return self.table


def _contract_from_module(mod: ModuleType) -> Contract:
    for attr in ("TABLE", "PARTITION_COLUMN", "build_suite"):
        if not hasattr(mod, attr):
            raise TypeError(f"{mod.__name__} must define {attr} to be a table contract "
                            "(see the expectations package docstring)")
    return Contract(table=mod.TABLE, partition_column=mod.PARTITION_COLUMN, module=mod.__name__,
                    build_suite=mod.build_suite, prepare=getattr(mod, "prepare", None),
                    description=(mod.__doc__ or "").strip(),
                    id_column=getattr(mod, "ID_COLUMN", None))


@lru_cache(maxsize=1)
def registry() -> dict[str, Contract]:
    """Table name → contract, for every suite module in this package."""
    found: dict[str, Contract] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        contract = _contract_from_module(importlib.import_module(f"{__name__}.{info.name}"))
        if contract.table in found:
            raise ValueError(f"two contracts for {contract.table}: "
                             f"{found[contract.table].module} and {contract.module}")
        found[contract.table] = contract
    return found


def registered_tables() -> list[str]:
    """Names of the tables that have a contract, sorted."""
    return sorted(registry())


def get_contract(table: str) -> Contract:
    """The contract for ``table``; a KeyError lists the tables that have one."""
    try:
        return registry()[table]
    except KeyError:
        raise KeyError(f"no data contract registered for {table!r}; known: "
                       f"{registered_tables()} (add a module to expectations/)") from None
