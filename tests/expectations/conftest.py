"""Small, valid in-memory frames for the table contracts; tests break one property each."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from tailor.catalog import table

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
             customer_id="c1", item_id="i1", category="shoes", price=59.9, quantity=2,
             order_id="o1"),
        dict(event_id="e3", event_type="message_sent", event_ts=_ts(f"{DS}T18:00:00"),
             customer_id="c1", channel="email", message_id="m1", action_id="email@18:pct10",
             send_hour=18, discount=0.1, propensity=0.85),
        dict(event_id="e4", event_type="consent_change", event_ts=_ts(f"{DS}T19:00:00"),
             customer_id="c2", channel="sms", granted=False),
    ]
    df = pd.DataFrame(rows).reindex(columns=table("bronze.events").column_names)
    df["event_date"] = DS
    df["landing_file"] = "landing/batch-0001.jsonl"
    df["ingested_at"] = _ts(f"{DS}T23:00:00")
    df["received_at"] = [pd.NaT, pd.NaT, pd.NaT, _ts(f"{DS}T19:00:01")]  # e4 came via the server
    for col in ["quantity", "send_hour"]:
        df[col] = df[col].astype("Int64")
    df["granted"] = df["granted"].astype("boolean")
    for col in ["price", "discount", "propensity"]:
        df[col] = df[col].astype("float64")
    for col in ["customer_id", "email", "anonymous_id", "device_id", "item_id", "category",
                "channel", "message_id", "action_id", "order_id"]:
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
         "policy_action_id": "email@18:pct10",
         "explanation": "high churn risk, responds to email in the evening"},
        {**common, "person_id": "p2", "items": ["i3"], "item_scores": [0.7],
         "action_id": "no_message", "channel": None, "send_hour": None, "propensity": 0.95,
         "allowed_channels": [], "guardrails": ["no_consent"], "policy_action_id": "no_message",
         "explanation": "no consented channel"},
        {**common, "person_id": "p3", "items": [], "item_scores": [],
         "action_id": "no_message", "channel": None, "send_hour": None, "propensity": 1.0,
         "holdout": True, "allowed_channels": ["push"], "explanation": "global holdout",
         "policy_action_id": "push@9:none"},
    ]
    df = pd.DataFrame(rows).reindex(columns=table("gold.decisions").column_names)
    df["send_hour"] = df["send_hour"].astype("Int64")
    return df


# ---------------------------------------------------------------- frames for the other tables

def _strings(df: pd.DataFrame, cols) -> pd.DataFrame:
    for col in cols:
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


@pytest.fixture
def good_silver_events(good_events) -> pd.DataFrame:
    """The bronze fixture as identity writes it: person_id added, direct identifiers dropped."""
    df = good_events.assign(person_id=["anon-p0", "p1", "p1", "p2"])
    return df[table("silver.events").column_names].copy()


@pytest.fixture
def good_quarantine() -> pd.DataFrame:
    df = pd.DataFrame({
        "quarantine_id": ["q1", "q2"], "landing_file": ["landing/b1.jsonl"] * 2,
        "raw_line": ["{not json", '{"event_id": "e9", "event_type": "view"}'],
        "reason": ["invalid_json", "missing:ts"],
        "quarantined_at": [_ts(f"{DS}T23:00:00")] * 2, "ingest_date": [DS, DS]})
    return df


@pytest.fixture
def good_ingest_log() -> pd.DataFrame:
    df = pd.DataFrame({"landing_file": ["b1.jsonl", "b2.jsonl"],
                       "content_hash": ["ab" * 32, "cd" * 32], "duplicate_of": [None, None],
                       "rows_good": [98, 50], "rows_quarantined": [2, 0], "ds": [DS, DS],
                       "ingested_at": [_ts(f"{DS}T23:00:00")] * 2, "bronze_version": [3, 4]})
    return df


@pytest.fixture
def good_quality() -> pd.DataFrame:
    return pd.DataFrame({"reason": ["invalid_json", "missing:ts"], "count": [3, 1],
                         "lines": [200, 200], "share": [0.015, 0.005], "ds": [DS, DS],
                         "computed_at": [_ts(f"{DS}T23:30:00")] * 2})


@pytest.fixture
def good_identity_map() -> pd.DataFrame:
    return pd.DataFrame({
        "id_type": ["anonymous", "device", "anonymous"], "id_hash": ["h1", "h2", "h3"],
        "person_id": ["p1", "p1", "p2"], "evidence": ["login"] * 3, "links": [1, 3, 2],
        "first_seen": [_ts(f"{DS}T08:00:00")] * 3,
        "last_seen": [_ts(f"{DS}T08:00:00"), _ts(f"{DS}T09:00:00"), _ts(f"{DS}T10:00:00")],
        "component_size": [3, 3, 1], "customers": [1, 1, 0], "confidence": [1.0, 0.9, 0.0]})


@pytest.fixture
def good_user_scores() -> pd.DataFrame:
    return pd.DataFrame({"person_id": ["p1", "p2"], "ltv_pred": [120.0, 0.0],
                         "churn_prob": [0.2, 0.9], "ltv_version": ["3", "3"],
                         "churn_version": ["2", "2"], "ds": [DS, DS],
                         "ltv_lifetime": [480.0, 0.0],
                         "ltv_lifetime_days": pd.array([365, 365], dtype="int32")})


@pytest.fixture
def good_recommendations() -> pd.DataFrame:
    df = pd.DataFrame({"person_id": ["p1", "p1", "p2"], "item_id": ["i1", "i2", "i1"],
                       "score": [1.5, -0.2, 0.7], "rank": [1, 2, 1], "ds": [DS] * 3,
                       "ranker_version": ["5"] * 3})
    df["rank"] = df["rank"].astype("int32")
    return df


@pytest.fixture
def good_overlay() -> pd.DataFrame:
    df = pd.DataFrame({"person_id": ["p1", "p2"], "revoked_channels": [["sms"], []],
                       "messages_today": [1, 0], "bought_items": [[], ["i1", "i2"]],
                       "updated_at": [_ts(f"{DS}T12:05:00")] * 2})
    return df


@pytest.fixture
def good_incrementality() -> pd.DataFrame:
    """Two valid ops.incrementality rows of one decision day: the randomised 'all' row and an
    email row (whose push sibling had no consenting holdout: no interval)."""
    df = pd.DataFrame({
        "ds": [DS] * 2, "decision_ds": ["2026-09-24"] * 2, "window_days": [7, 7],
        "channel": ["all", "email"], "comparison": ["randomised", "selected"],
        "n_treated": [950, 300], "n_messaged": [700, 300], "n_holdout": [50, 30],
        "conv_rate_treated": [0.12, 0.2], "conv_rate_holdout": [0.1, 0.1],
        "conv_rate_diff": [0.02, 0.1], "conv_rate_ci_low": [-0.07, -0.03],
        "conv_rate_ci_high": [0.11, 0.23],
        "revenue_pp_treated": [6.0, 9.5], "revenue_pp_holdout": [5.0, 5.0],
        "revenue_pp_diff": [1.0, 4.5], "revenue_pp_ci_low": [None, -1.0],
        "revenue_pp_ci_high": [None, 10.0],
        "ci_method": ["welch_t"] * 2, "confidence": [0.95] * 2,
        "decisions_version": [4, 4], "events_version": [9, 9],
        "computed_at": [_ts(f"{DS}T23:40:00")] * 2})
    df["window_days"] = df["window_days"].astype("int32")
    for col in ("revenue_pp_ci_low", "revenue_pp_ci_high"):
        df[col] = df[col].astype("float64")
    return df


def feature_frame(group) -> pd.DataFrame:
    """A valid two-entity frame for any feature group: key(s), ds, written_at, typical columns."""
    keys = list(getattr(group, "keys", None) or [group.entity])
    df = pd.DataFrame({k: [f"{k}-1", f"{k}-2"] for k in keys})
    df["views_7d"] = pd.Series([3, 0], dtype="int64")
    df["email_open_rate"] = [0.25, 0.0]
    df["preferred_hour"] = pd.Series([18, 9], dtype="int32")
    df["hours_since_last_event"] = [1.5, 160.0]
    df["discount_sensitivity"] = [-0.2, 0.1]   # no convention: only finite
    df["favourite_category"] = ["shoes", "unknown"]
    df["ds"] = DS
    df["written_at"] = _ts(f"{DS}T23:10:00")
    return df


def training_frame(table: str) -> pd.DataFrame:
    """A valid training frame: three persons, one in test, with two numeric features."""
    persons = ["p1", "p2", "p3"]
    df = pd.DataFrame({"person_id": persons, "cutoff": ["2026-09-17"] * 3,
                       "split": ["train", "test", "train"],
                       "frequency": pd.Series([2, 1, 4], dtype="int64"),
                       "email_response": [0.1, 0.0, 0.5]})
    if table == "training.ranker":
        df["item_id"] = ["i1", "i1", "i2"]
        df["price"] = [10.0, None, 12.5]          # declared nullable: a warning, no breach
        df["label"] = [1.0, 0.0, 0.0]
    elif table == "training.churn":
        df["label"] = pd.Series([0, 1, 0], dtype="int32")
    else:
        df["label"] = [120.0, 0.0, 35.5]
    return df


@pytest.fixture
def good_policy_outcomes() -> pd.DataFrame:
    t = _ts(f"{DS}T09:00:00")
    return pd.DataFrame({
        "person_id": ["p1", "p2", "p3"], "decision_id": ["d1", "d2", "d3"],
        "decided_at": [t] * 3, "decision_date": [DS] * 3,
        "source": ["message_sent", "decision_served", "message_sent"],
        "action_id": ["email@9:none", "no_message", "sms@18:pct10"],
        "channel": ["email", None, "sms"], "send_hour": pd.array([9, None, 18], dtype="Int32"),
        "discount": [0.0, 0.0, 0.1], "propensity": [0.1, 0.4, None],
        "message_id": ["m1", None, "m3"], "overridden_by": [None, None, None],
        "shadow_action_id": [None, "email@9:none", None], "shadow_propensity": [None, 0.7, None],
        "conversions": pd.array([1, 0, 0], dtype="int32"), "conversion_value": [40.0, 0.0, 0.0],
        "unsubscribed": [False, False, True], "action_cost": [0.06, 0.0, 0.1],
        "reward": [39.94, 0.0, -0.1], "usable_for_ope": [True, True, False],
        "known_at": [_ts(f"{DS}T01:00:00")] * 3,
        "allowed_channels": [["email"], [], ["email", "sms"]], "frequency": [3, 0, 1]})


@pytest.fixture
def good_frame(request):
    """``good_frame(table)``: a frame that honours ``table``'s contract (any registered table)."""
    from tailor.features.registry import GROUPS

    fixtures = {"bronze.events": "good_events", "gold.decisions": "good_decisions",
                "silver.events": "good_silver_events", "bronze.quarantine": "good_quarantine",
                "ops.ingest_log": "good_ingest_log", "ops.quality": "good_quality",
                "ops.incrementality": "good_incrementality",
                "silver.identity_map": "good_identity_map",
                "gold.user_scores": "good_user_scores",
                "gold.recommendations": "good_recommendations", "gold.overlay": "good_overlay",
                "training.policy": "good_policy_outcomes"}
    groups = {g.table: g for g in GROUPS.values()}

    def make(table: str) -> pd.DataFrame:
        if table in fixtures:
            return request.getfixturevalue(fixtures[table])
        if table in groups:
            return feature_frame(groups[table])
        if table.startswith("training."):
            return training_frame(table)
        raise KeyError(f"no good frame for {table}: add one to tests/expectations/conftest.py")

    return make
