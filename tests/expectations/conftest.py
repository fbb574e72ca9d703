"""Small, valid in-memory frames for the table contracts; tests break one property each."""
from __future__ import annotations

import json

import pandas as pd
import pytest

DS = "2026-10-01"


def _ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz="UTC")


@pytest.fixture
def good_events() -> pd.DataFrame:
    """Four valid bronze.events rows of one event_date (a view, a purchase, a send, a consent)."""
    rows = [
        dict(event_id="e1", event_type="view", event_ts=_ts(f"{DS}T08:00:00"),
             anonymous_id="a1", item_id="i1", category="shoes"),
        dict(event_id="e2", event_type="purchase", event_ts=_ts(f"{DS}T09:00:00"),
             customer_id="c1", item_id="i1", category="shoes", price=59.9, quantity=2),
        dict(event_id="e3", event_type="message_sent", event_ts=_ts(f"{DS}T18:00:00"),
             customer_id="c1", channel="email", message_id="m1", action_id="email@18:pct10",
             send_hour=18, discount=0.1, propensity=0.85),
        dict(event_id="e4", event_type="consent_change", event_ts=_ts(f"{DS}T19:00:00"),
             customer_id="c2", channel="sms", granted=False),
    ]
    columns = ["event_id", "event_type", "event_ts", "event_date", "customer_id", "email",
               "anonymous_id", "device_id", "item_id", "category", "price", "quantity",
               "channel", "message_id", "action_id", "send_hour", "discount", "propensity",
               "granted", "landing_file", "ingested_at"]
    df = pd.DataFrame(rows).reindex(columns=columns)
    df["event_date"] = DS
    df["landing_file"] = "landing/batch-0001.jsonl"
    df["ingested_at"] = _ts(f"{DS}T23:00:00")
    for col in ["quantity", "send_hour"]:
        df[col] = df[col].astype("Int64")
    df["granted"] = df["granted"].astype("boolean")
    for col in ["price", "discount", "propensity"]:
        df[col] = df[col].astype("float64")
    for col in ["customer_id", "email", "anonymous_id", "device_id", "item_id", "category",
                "channel", "message_id", "action_id"]:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


@pytest.fixture
def good_decisions() -> pd.DataFrame:
    """Three valid gold.decisions rows: an email, a 'do nothing', a holdout person."""
    provenance = dict(model_versions=json.dumps({"ltv": "3", "churn": "2"}),
                      feature_versions=json.dumps({"profile": "v1"}),
                      data_versions=json.dumps({"bronze.events": 12}))
    common = dict(ds=DS, policy_version="p-2026-10-01", offer=None, discount=0.0,
                  exploration=False, holdout=False, guardrails=[], ltv_pred=120.0,
                  churn_prob=0.2, decided_at=_ts(f"{DS}T02:00:00"), **provenance)
    rows = [
        {**common, "person_id": "p1", "items": ["i1", "i2"], "item_scores": [0.9, 0.4],
         "action_id": "email@18:pct10", "channel": "email", "send_hour": 18, "offer": "pct10",
         "discount": 0.1, "propensity": 0.9, "allowed_channels": ["email", "push"],
         "explanation": "high churn risk, responds to email in the evening"},
        {**common, "person_id": "p2", "items": ["i3"], "item_scores": [0.7],
         "action_id": "no_message", "channel": None, "send_hour": None, "propensity": 0.95,
         "allowed_channels": [], "guardrails": ["no_consent"],
         "explanation": "no consented channel"},
        {**common, "person_id": "p3", "items": [], "item_scores": [],
         "action_id": "no_message", "channel": None, "send_hour": None, "propensity": 1.0,
         "holdout": True, "allowed_channels": ["push"], "explanation": "global holdout"},
    ]
    df = pd.DataFrame(rows)
    df["send_hour"] = df["send_hour"].astype("Int64")
    return df
