"""What unknown users get: the items recommended most often across all persons, and no message.

Computed once per snapshot from the same decisions (so it moves with the policy, and its
provenance is the snapshot's). Messaging someone we know nothing about would bypass consent and
the guardian, so the fallback never carries a message.
"""
from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tailor.serving.records import NO_MESSAGE, response_record

FALLBACK_EXPLANATION = ("unknown user: the most frequently recommended items of this policy, "
                        "no message (consent and guardrails cannot be checked)")


def popular_items(items: pa.ChunkedArray | pa.Array, top_k: int) -> list[dict[str, Any]]:
    """Top ``top_k`` items by how many persons have them in their list; score = share of persons.

    Ties break on item id so the fallback is deterministic for a given decisions version.
    """
    persons = len(items)
    flat = pc.list_flatten(items)
    if persons == 0 or len(flat) == 0:
        return []
    counts = pc.value_counts(flat).flatten()  # struct<values, counts> -> two arrays
    table = pa.table({"item_id": counts[0], "n": counts[1]}).filter(pc.is_valid(counts[0]))
    table = table.sort_by([("n", "descending"), ("item_id", "ascending")]).slice(0, top_k)
    return [{"item_id": item, "score": n / persons}
            for item, n in zip(table["item_id"].to_pylist(), table["n"].to_pylist())]


def fallback_record(popular: list[dict[str, Any]], *, snapshot_id: str,
                    decisions_version: int | None, policy_version: Any,
                    provenance: dict[str, Any]) -> dict[str, Any]:
    """The response record served (with ``known: false``) to every user not in the snapshot."""
    return response_record(
        known=False, snapshot_id=snapshot_id, decisions_version=decisions_version,
        policy_version=policy_version, items=[p["item_id"] for p in popular],
        scores=[p["score"] for p in popular], action_id=NO_MESSAGE, propensity=1.0,
        holdout=False, explanation=FALLBACK_EXPLANATION, guardrails=["unknown_user"],
        provenance=provenance)
