"""The table catalog: every table the pipeline writes, declared once (columns, partitioning,
keys, owner job, description), the way feature groups are declared once in
``features/registry.py``.

Jobs take their output schemas from here, ``tailor.lakehouse`` checks every write against it,
the data contracts, the serving compiler and the synthetic data used by tests and benches read
it, and ``tailor tables`` prints it. Feature tables (``features.<group>_v<N>``) are declared by
the feature registry; training tables are derived from the model specs (``models/``).
"""
from __future__ import annotations

from functools import lru_cache

from tailor.catalog import bronze, gold, ops, silver
from tailor.catalog.schema import Column, Table

__all__ = ["Column", "Table", "table", "declared", "all_tables"]

_STATIC = {t.name: t for t in (*bronze.TABLES, *silver.TABLES, *gold.TABLES, *ops.TABLES)}


@lru_cache(maxsize=1)
def _training() -> dict[str, Table]:
    from tailor.catalog import training  # imports the model specs: only when asked for

    return {t.name: t for t in training.tables()}


def declared(name: str) -> Table | None:
    """The declaration of ``name``, or None for tables the catalog does not hold (features.*
    are the registry's; scratch tables)."""
    if name.startswith("training."):
        return _training().get(name)
    return _STATIC.get(name)


def table(name: str) -> Table:
    """The declaration of ``name``; KeyError naming the known tables otherwise."""
    found = declared(name)
    if found is None:
        raise KeyError(f"{name} is not in the table catalog (tailor/catalog); known: "
                       f"{', '.join(sorted(all_tables()))}")
    return found


def all_tables() -> dict[str, Table]:
    """Every declared table by name, in layer order (bronze, silver, training, gold, ops)."""
    ordered = [*bronze.TABLES, *silver.TABLES, *_training().values(), *gold.TABLES, *ops.TABLES]
    return {t.name: t for t in ordered}
