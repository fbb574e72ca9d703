"""A table declaration: columns with Spark SQL types, partitioning, keys, owner, description.

One declaration gives every form the code needs — Spark DDL (``mapInPandas`` / ``createDataFrame``
schemas), a Spark ``StructType``, an Arrow schema (Spark-free writers and readers, the serving
compiler, synthetic data), the column list, a Markdown row for the README — and checks a written
frame against itself (:meth:`Table.problems`), which ``tailor.lakehouse`` does on every write.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import pyarrow as pa

_ARROW = {"string": pa.string(), "int": pa.int32(), "bigint": pa.int64(), "double": pa.float64(),
          "float": pa.float32(), "boolean": pa.bool_(), "date": pa.date32(),
          "timestamp": pa.timestamp("us", tz="UTC")}
_NUMERIC = ("int", "bigint", "double", "float", "smallint", "tinyint")
_ARRAY = re.compile(r"^array<(.+)>$")


def arrow_type(spark_type: str) -> pa.DataType:
    """The Arrow type a Spark SQL type is stored as (timestamps: microseconds, UTC)."""
    t = spark_type.strip().lower()
    inner = _ARRAY.match(t)
    if inner:
        return pa.list_(arrow_type(inner.group(1)))
    if t not in _ARROW:
        raise ValueError(f"no Arrow type for Spark type {spark_type!r}")
    return _ARROW[t]


def spark_type_of(arrow: pa.DataType) -> str:
    """The Spark SQL type name of an Arrow type (the inverse of :func:`arrow_type`)."""
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow):
        return f"array<{spark_type_of(arrow.value_type)}>"
    if pa.types.is_timestamp(arrow):
        return "timestamp"
    if pa.types.is_large_string(arrow) or pa.types.is_string(arrow):
        return "string"
    for name, t in _ARROW.items():
        if arrow == t:
            return name
    raise ValueError(f"no Spark type for Arrow type {arrow}")


@dataclass(frozen=True)
class Column:
    name: str
    type: str           # Spark SQL type: string, int, bigint, double, boolean, timestamp, array<..>
    doc: str = ""
    served: bool = False  # compiled into the lookup server's snapshots (gold.decisions)


@dataclass(frozen=True)
class Table:
    """One table of the lakehouse. ``extra`` says which further columns a writer may add (e.g.
    the numeric feature columns of the registry's person groups in a training set), or None."""

    name: str                       # layer.name
    description: str                # one line
    owner: str                      # the job (or component) that writes it
    columns: tuple[Column, ...]
    partition_by: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()      # what identifies a row
    extra: str | None = None
    notes: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        missing = [c for c in (*self.partition_by, *self.keys) if c not in names]
        if missing or len(set(names)) != len(names):
            raise ValueError(f"{self.name}: partition/key columns {missing} not declared, or a "
                             f"column is declared twice")
        for c in self.columns:
            arrow_type(c.type)  # every type must be one we can store

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def served_columns(self) -> list[str]:
        """The columns the lookup server's snapshot is compiled from (the rest stay internal)."""
        return [c.name for c in self.columns if c.served]

    @property
    def ddl(self) -> str:
        """Spark DDL, e.g. for ``mapInPandas(fn, table.ddl)``."""
        return ", ".join(f"{c.name} {c.type}" for c in self.columns)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, arrow_type(c.type)) for c in self.columns])

    def spark_schema(self) -> Any:
        from pyspark.sql.types import _parse_datatype_string

        return _parse_datatype_string(self.ddl)

    def problems(self, dtypes: Iterable[tuple[str, str]]) -> list[str]:
        """What is wrong with a frame of (column, Spark type) pairs as this table; [] = fine."""
        got = {name: _norm(t) for name, t in dtypes}
        out = []
        for c in self.columns:
            if c.name not in got:
                out.append(f"column {c.name} ({c.type}) is missing")
            elif got[c.name] != _norm(c.type):
                out.append(f"column {c.name} is {got[c.name]}, declared {c.type}")
        extra = [n for n in got if n not in self.column_names]
        if extra and self.extra is None:
            out.append(f"undeclared columns {extra}")
        elif extra:
            odd = [n for n in extra if got[n] not in _NUMERIC]
            if odd:
                out.append(f"extra columns must be numeric ({self.extra}); not: {odd}")
        return out

    def markdown_row(self) -> str:
        parts = ", ".join(self.partition_by) or "—"
        keys = ", ".join(self.keys) or "—"
        return f"| `{self.name}` | {self.description} | {parts} | {keys} | `{self.owner}` |"


def _norm(spark_type: str) -> str:
    t = spark_type.strip().lower().replace(" ", "")
    return {"long": "bigint", "integer": "int", "bool": "boolean"}.get(t, t)
