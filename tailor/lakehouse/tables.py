"""Table addressing: ``layer.name`` (e.g. ``gold.decisions``) → a URI under the lakehouse root."""
from __future__ import annotations

import re

LAYERS = ("bronze", "silver", "features", "training", "gold", "ops")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def table_uri(lakehouse_root: str, name: str) -> str:
    """URI of table ``layer.name``; rejects unknown layers and odd names with a clear error."""
    layer, _, table = name.partition(".")
    if layer not in LAYERS or not _NAME.match(table or ""):
        raise ValueError(f"table name {name!r} must look like <layer>.<name> with layer in "
                         f"{LAYERS} and name in [a-z0-9_], e.g. 'gold.decisions'")
    return f"{lakehouse_root.rstrip('/')}/{layer}/{table}"


def list_tables(lakehouse_root: str) -> list[str]:
    """Every ``layer.name`` that has a Delta log under a local lakehouse root."""
    import os

    found = []
    for layer in LAYERS:
        layer_dir = os.path.join(lakehouse_root, layer)
        if not os.path.isdir(layer_dir):
            continue
        for table in sorted(os.listdir(layer_dir)):
            if os.path.isdir(os.path.join(layer_dir, table, "_delta_log")):
                found.append(f"{layer}.{table}")
    return found
