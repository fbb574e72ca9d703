"""Hidden traits and future value live in ground_truth/ only, never in landing."""
from __future__ import annotations

import polars as pl

from tailor.events import EVENT_FIELDS


def test_ground_truth_files_exist_outside_landing(small_world):
    assert {p.name for p in (small_world / "ground_truth").iterdir()} == {
        "users.parquet", "identity.parquet"}
    assert {p.suffix for p in (small_world / "landing").iterdir()} == {".jsonl"}


def test_no_trait_field_in_any_event(small_world, small_events):
    truth = pl.read_parquet(small_world / "ground_truth" / "users.parquet")
    hidden = set(truth.columns) - {"customer_id"}
    assert {"true_future_value", "churn_hazard", "discount_sensitivity", "preferred_hour",
            "affinity_email", "spend_level", "churned"} <= hidden
    for e in small_events:
        keys = set(e) - {"_file"}
        assert keys <= set(EVENT_FIELDS) and not keys & hidden
    raw = b"".join(p.read_bytes() for p in (small_world / "landing").iterdir())
    for name in hidden:
        assert f'"{name}"'.encode() not in raw


def test_future_value_is_not_in_landing(small_world, small_events):
    truth = pl.read_parquet(small_world / "ground_truth" / "users.parquet")
    assert truth["true_future_value"].sum() > 0
    last_day = max(e["ts"][:10] for e in small_events)
    assert last_day == "2026-09-10"


def test_churned_users_go_quiet(small_world, small_events):
    truth = pl.read_parquet(small_world / "ground_truth" / "users.parquet")
    churned = dict(truth.filter(pl.col("churned")).select("customer_id", "churn_date").iter_rows())
    assert churned
    shopping = ("view", "add_to_cart", "purchase", "login")
    for e in small_events:
        if e["event_type"] in shopping and e.get("customer_id") in churned:
            assert e["ts"][:10] < churned[e["customer_id"]]
