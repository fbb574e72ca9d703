"""Synthetic ``gold.decisions`` rows, for serving tests and benchmarks.

Lets the publish / serve path be exercised (and load-tested at millions of persons) without
running Spark and the whole pipeline. The schema is the table catalog's ``gold.decisions``;
columns a generator does not set are null.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pyarrow as pa

from tailor.catalog import table
from tailor.privacy import pseudonymise

DECISIONS_SCHEMA = table("gold.decisions").arrow_schema   # the catalog's declaration

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


def customer_id(i: int) -> str:
    """The customer id of synthetic person ``i`` in ``bulk_decisions`` (benchmarks, load tests)."""
    return f"c-{i:07d}"


def bulk_decisions(n: int, ds: str, key: str, length: int, *, n_items: int = 1000,
                   top_k: int = 5, seed: int = 7,
                   policy_version: str = "policy-bench-1") -> pa.Table:
    """``n`` gold.decisions-shaped rows built column-wise (1M rows in a few seconds).

    Persons are ``customer_id(0..n-1)``; about 2/3 get a message, 1/10 have revoked email
    consent (no message), explanations vary per person like the decide job's. ~0.6 KB records.
    """
    import numpy as np

    from tailor.serving.app import pseudonymiser

    rng = np.random.default_rng(seed)
    pseudo = pseudonymiser(key, length)
    person = pa.array([pseudo(customer_id(i).encode()).decode() for i in range(n)])
    items = rng.integers(0, n_items, size=(n, top_k))
    item_names = np.array([f"item-{j:05d}" for j in range(n_items)], dtype=object)
    flat_items = pa.array(item_names[items.ravel()], pa.string())
    offsets = pa.array(np.arange(0, n * top_k + 1, top_k, dtype=np.int32))
    scores = np.round(np.sort(rng.random((n, top_k)), axis=1)[:, ::-1], 4).ravel()
    kind = rng.integers(0, 30, size=n)  # 0..19 message, 20..26 no message, 27..29 opted out
    message = kind < 20
    opted_out = kind >= 27
    channels = np.array(["email", "push", "sms", "in_app"], dtype=object)[kind % 4]
    hours = np.array([9, 12, 18, 20])[kind % 4]
    discounts = np.array([0.0, 0.1, 0.2])[kind % 3]
    offers = np.array(["none", "pct10", "pct20"], dtype=object)[kind % 3]
    action = np.where(message, [f"{c}@{h}:{o}" for c, h, o in zip(channels, hours, offers)],
                      "no_message")
    propensity = np.where(kind % 10 == 0, 0.025, 0.925)
    ltv = np.round(rng.gamma(2.0, 60.0, size=n), 2)
    churn = np.round(rng.random(n), 3)
    explanation = [f"{c} at {h}:00: {c} response {r:.2f}, prefers {h}h, churn risk {p:.2f}, "
                   f"expected value {v:.2f}" if m else "no message: best message value below "
                   "threshold" for c, h, r, p, v, m in
                   zip(channels, hours, rng.random(n), churn, ltv / 40, message)]
    guardrails = [["consent_revoked:email", "consent_missing:sms"] if o else ["consent_missing:sms"]
                  for o in opted_out]
    return pa.table({
        "person_id": person, "ds": pa.array([ds] * n),
        "policy_version": pa.array([policy_version] * n),
        "items": pa.ListArray.from_arrays(offsets, flat_items),
        "item_scores": pa.ListArray.from_arrays(offsets, pa.array(scores)),
        "action_id": pa.array(action, pa.string()),
        "channel": pa.array(np.where(message, channels, None), pa.string()),
        "send_hour": pa.array(np.where(message, hours, 0), pa.int32(),
                              mask=~message),
        "offer": pa.array(np.where(message, offers, None), pa.string()),
        "discount": pa.array(np.where(message, discounts, 0.0)),
        "propensity": pa.array(propensity),
        "exploration": pa.array(kind % 10 == 0),
        "holdout": pa.array(np.zeros(n, dtype=bool)),
        "allowed_channels": pa.array([["push", "in_app"] if o else ["email", "push", "in_app"]
                                      for o in opted_out], pa.list_(pa.string())),
        "guardrails": pa.array(guardrails, pa.list_(pa.string())),
        "explanation": pa.array(explanation, pa.string()),
        "ltv_pred": pa.array(ltv), "churn_prob": pa.array(churn),
        "model_versions": pa.array([MODEL_VERSIONS] * n),
        "feature_versions": pa.array([FEATURE_VERSIONS] * n),
        "data_versions": pa.array([json.dumps({"features.profile_v1": 4, "gold.user_scores": 7,
                                               "silver.events": 12})] * n),
        "decided_at": pa.array([datetime(2026, 10, 15, 3, 0, tzinfo=timezone.utc)] * n,
                               pa.timestamp("us", tz="UTC")),
        "policy_action_id": pa.array(action, pa.string()),
        "shadow_action_id": pa.array([None] * n, pa.string()),
        "shadow_propensity": pa.array([None] * n, pa.float64()),
    }).select(DECISIONS_SCHEMA.names).cast(DECISIONS_SCHEMA)
