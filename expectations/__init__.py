"""Data contracts: one Great Expectations suite per table, found by convention.

Every module in this package (except ``_private`` ones) describes the contract of one table:

    TABLE = "gold.decisions"          # the table the suite guards (layer.name)
    PARTITION_COLUMN = "ds"           # the validate job reads the partition <column> == ds;
                                      # None: an unpartitioned table (whole table, or see below)
    ID_COLUMN = "person_id"           # optional: names the rows behind unexpected values
    ROW_FILTER_COLUMN = "ds"          # optional, unpartitioned tables: keep rows <column> == ds
    OPTIONAL = True                   # optional: the table may not exist yet (nothing to check)
    def build_suite() -> gx.ExpectationSuite: ...
    def build_suite(frame=None): ...  # or: adapts to the frame's columns (feature/training sets)
    def prepare(df) -> df: ...        # optional: adds helper columns for cross-column rules
    def partitions(ds, cfg) -> dict:  # optional: which partitions hold ds's data when it is not
        ...                           # simply {PARTITION_COLUMN: ds} (e.g. training cutoffs)

and states the contract in words in its module docstring. A module that guards a *family* of
tables generated from another registry (``expectations/features.py``: one contract per feature
group) defines ``CONTRACTS = [Contract(...), ...]`` instead. Adding a table means adding a
module; :func:`registry` discovers it. ``jobs/validate.py`` runs the suite as a DAG task through
``tailor.quality.contracts``.

Importing this package is cheap (no Great Expectations import): Airflow can list the registered
tables while parsing DAG files. Suite modules import ``great_expectations`` inside
``build_suite`` for the same reason. (:func:`registry` imports ``features.registry`` for the
feature-group contracts, which imports pyspark but starts no JVM.)
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd

    from tailor.config import Config

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
class Selection:
    """Which rows of a table one contract run checks for a ds."""

    partitions: dict[str, Any] | None    # partition filter for the Delta read (None: all files)
    row_filter: tuple[str, str] | None   # (column, value): keep rows where column == value

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.partitions or {})
        if self.row_filter:
            out[self.row_filter[0]] = self.row_filter[1]
        return out or {"whole_table": True}


@dataclass(frozen=True)
class Contract:
    """One registered table contract."""

    table: str
    partition_column: str | None
    module: str
    build_suite: Callable[..., "gx.ExpectationSuite"]
    prepare: Callable[["pd.DataFrame"], "pd.DataFrame"] | None
    description: str
    id_column: str | None = None
    row_filter_column: str | None = None   # unpartitioned table: validate rows column == ds
    partitions_for: Callable[[str, "Config | None"], dict[str, Any]] | None = None
    optional: bool = False                 # a missing table is "nothing to check", not an error

    @property
    def suite_name(self) -> str:
        return self.table

    @property
    def frame_aware(self) -> bool:
        """True when ``build_suite`` takes the frame (suites that adapt to its columns)."""
        return bool(inspect.signature(self.build_suite).parameters)

    def suite(self, frame: "pd.DataFrame | None" = None) -> "gx.ExpectationSuite":
        """The suite for ``frame`` (frame-aware suites add per-column rules for its columns)."""
        return self.build_suite(frame) if self.frame_aware else self.build_suite()

    def selection(self, ds: str, cfg: "Config | None" = None) -> Selection:
        """The rows to check for ``ds``: a partition, a row filter, or the whole table."""
        if self.partitions_for is not None:
            return Selection(self.partitions_for(ds, cfg), None)
        if self.partition_column:
            return Selection({self.partition_column: ds}, None)
        if self.row_filter_column:
            return Selection(None, (self.row_filter_column, ds))
        return Selection(None, None)


def shift_ds(ds: str, days: int) -> str:
    """``ds`` moved by ``days`` (negative = earlier), as YYYY-MM-DD."""
    return (date.fromisoformat(ds) + timedelta(days=days)).isoformat()


def _contract_from_module(mod: ModuleType) -> Contract:
    for attr in ("TABLE", "PARTITION_COLUMN", "build_suite"):
        if not hasattr(mod, attr):
            raise TypeError(f"{mod.__name__} must define {attr} (or CONTRACTS) to be a table "
                            "contract (see the expectations package docstring)")
    if mod.PARTITION_COLUMN and getattr(mod, "ROW_FILTER_COLUMN", None):
        raise TypeError(f"{mod.__name__}: ROW_FILTER_COLUMN is for unpartitioned tables "
                        "(PARTITION_COLUMN = None)")
    return Contract(table=mod.TABLE, partition_column=mod.PARTITION_COLUMN, module=mod.__name__,
                    build_suite=mod.build_suite, prepare=getattr(mod, "prepare", None),
                    description=(mod.__doc__ or "").strip(),
                    id_column=getattr(mod, "ID_COLUMN", None),
                    row_filter_column=getattr(mod, "ROW_FILTER_COLUMN", None),
                    partitions_for=getattr(mod, "partitions", None),
                    optional=bool(getattr(mod, "OPTIONAL", False)))


def _contracts_of(mod: ModuleType) -> list[Contract]:
    if hasattr(mod, "CONTRACTS"):
        return list(mod.CONTRACTS() if callable(mod.CONTRACTS) else mod.CONTRACTS)
    return [_contract_from_module(mod)]


@lru_cache(maxsize=1)
def registry() -> dict[str, Contract]:
    """Table name → contract, for every suite module in this package."""
    found: dict[str, Contract] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        for contract in _contracts_of(importlib.import_module(f"{__name__}.{info.name}")):
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
