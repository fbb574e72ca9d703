"""Shared vocabulary of the lakehouse engines: write modes, results and errors."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class WriteMode(str, Enum):
    """How a write combines with what is already in the table."""

    APPEND = "append"                              # add rows
    OVERWRITE = "overwrite"                        # replace the whole table (schema may change)
    OVERWRITE_PARTITIONS = "overwrite_partitions"  # replace only the partitions written (day rerun)
    MERGE = "merge"                                # upsert on keys (insert-only: when_matched="ignore")


@dataclass(frozen=True)
class WriteResult:
    """What a committed write did. ``version`` is the Delta version it created (None: no-op)."""

    table: str
    version: int | None
    mode: str
    files_added: int = 0
    files_removed: int = 0
    rows_written: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class LakehouseError(RuntimeError):
    """Base class for lakehouse errors; messages say what happened and what to do."""


class TableConflictError(LakehouseError):
    """Another writer committed to the table between our read and our commit."""


class SchemaMismatchError(LakehouseError):
    """The data written does not match the table's schema (use overwrite to change it)."""


class TableNotFoundError(LakehouseError):
    """The table has never been written."""


class EngineUnavailableError(LakehouseError):
    """The configured engine cannot run here (e.g. delta-spark jars not on the classpath)."""


def as_value_list(value: Any) -> list[Any]:
    """A partition value or a collection of them (``replace_partitions``), as a list."""
    return list(value) if isinstance(value, (list, tuple, set)) else [value]
