"""Synthetic ``gold.decisions`` rows, for serving tests and benchmarks.

Lets the publish / serve path be exercised (and load-tested at millions of persons) without
running Spark and the whole pipeline. The schema mirrors the gold.decisions contract; if the
decide job's schema changes, this is where serving tests notice.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pyarrow as pa

from tailor.privacy import pseudonymise

DECISIONS_SCHEMA = pa.schema([
    ("person_id", pa.string()), ("ds", pa.string()), ("policy_version", pa.string()),
    ("items", pa.list_(pa.string())), ("item_scores", pa.list_(pa.float64())),
    ("action_id", pa.string()), ("channel", pa.string()), ("send_hour", pa.int32()),
    ("offer", pa.string()), ("discount", pa.float64()), ("propensity", pa.float64()),
    ("exploration", pa.bool_()), ("holdout", pa.bool_()),
    ("allowed_channels", pa.list_(pa.string())), ("guardrails", pa.list_(pa.string())),
    ("explanation", pa.string()), ("ltv_pred", pa.float64()), ("churn_prob", pa.float64()),
    ("model_versions", pa.string()), ("feature_versions", pa.string()),
    ("data_versions", pa.string()), ("decided_at", pa.timestamp("us", tz="UTC")),
])

MODEL_VERSIONS = json.dumps({"ltv": "3", "churn": "2", "ranker": "5"})
FEATURE_VERSIONS = json.dumps({"profile": "v1", "behaviour": "v1"})


def decision_row(customer_id: str, ds: str, key: str, length: int, *, n_items: int = 300,
                 top_k: int = 5, opted_out: bool = False,
                 policy_version: str = "policy-test-1") -> dict:
    """One plausible decision for ``customer_id``; deterministic in the id.

    ``opted_out`` gives the guardian's answer for a revoked consent: no message, no channel.
    """
    n = int(pseudonymise(customer_id, "synthetic", 8), 16)
    items = [f"i{(n + 7 * j) % n_items:04d}" for j in range(top_k)]
    message = not opted_out and n % 3 != 0
    return {
        "person_id": pseudonymise(customer_id, key, length), "ds": ds,
        "policy_version": policy_version, "items": items,
        "item_scores": [round(0.9 - 0.1 * j, 3) for j in range(top_k)],
        "action_id": f"email@18:pct{10 if n % 2 else 20}" if message else "no_message",
        "channel": "email" if message else None, "send_hour": 18 if message else None,
        "offer": (f"pct{10 if n % 2 else 20}" if message else "none"),
        "discount": (0.1 if n % 2 else 0.2) if message else 0.0,
        "propensity": 0.9 if message else 0.95, "exploration": False,
        "holdout": False, "allowed_channels": [] if opted_out else ["email", "push"],
        "guardrails": ["consent_revoked:email"] if opted_out else ["quiet_hours"],
        "explanation": "opted out: no message" if opted_out else "highest expected value",
        "ltv_pred": 120.5, "churn_prob": 0.2, "model_versions": MODEL_VERSIONS,
        "feature_versions": FEATURE_VERSIONS,
        "data_versions": json.dumps({"features.profile_v1": 4, "gold.user_scores": 7}),
        "decided_at": datetime(2026, 10, 15, 3, 0, tzinfo=timezone.utc),
    }


def decisions_table(customer_ids: list[str], ds: str, key: str, length: int, *,
                    opted_out: frozenset[str] = frozenset(), **kwargs) -> pa.Table:
    """A gold.decisions-shaped Arrow table with one row per customer id."""
    rows = [decision_row(c, ds, key, length, opted_out=c in opted_out, **kwargs)
            for c in customer_ids]
    return pa.Table.from_pylist(rows, schema=DECISIONS_SCHEMA)
