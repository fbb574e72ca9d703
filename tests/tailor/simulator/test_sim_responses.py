"""Responses are driven by the hidden traits, so a smarter policy has something to find."""
from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest


@pytest.fixture(scope="module")
def sends(response_world) -> pl.DataFrame:
    """One row per message_sent with its responses and the recipient's true traits."""
    rows = [json.loads(line) for path in sorted((response_world / "landing").iterdir())
            for line in path.read_text().splitlines()]
    events = pl.DataFrame(rows, infer_schema_length=None)
    sent = events.filter(pl.col("event_type") == "message_sent").select(
        "customer_id", "channel", "message_id", "send_hour", "discount", "ts")
    for kind in ("message_open", "message_click", "conversion"):
        got = events.filter(pl.col("event_type") == kind).select("message_id").with_columns(
            pl.lit(True).alias(kind))
        sent = sent.join(got, on="message_id", how="left").with_columns(
            pl.col(kind).fill_null(False))
    truth = pl.read_parquet(response_world / "ground_truth" / "users.parquet")
    sent = sent.join(truth, on="customer_id")
    affinity = pl.coalesce([pl.when(pl.col("channel") == ch).then(pl.col(f"affinity_{ch}"))
                            for ch in ("email", "push", "sms", "in_app")])
    gap = (pl.col("send_hour") - pl.col("preferred_hour")).abs()
    return sent.with_columns(
        affinity.alias("affinity"),
        pl.min_horizontal(gap, 24 - gap).alias("hour_gap"),
        (pl.col("churn_date").is_null() | (pl.col("ts").str.slice(0, 10) < pl.col("churn_date")))
        .alias("alive"))


def _rate(frame: pl.DataFrame, column: str) -> float:
    return float(frame[column].mean())


def test_there_are_enough_messages(sends):
    assert sends.height > 2000 and sends["conversion"].sum() > 20


def test_channel_affinity_drives_opens(sends):
    low, high = np.quantile(sends["affinity"].to_numpy(), [1 / 3, 2 / 3])
    assert _rate(sends.filter(pl.col("affinity") >= high), "message_open") > \
        3 * _rate(sends.filter(pl.col("affinity") <= low), "message_open")


def test_sending_near_the_preferred_hour_opens_more(sends):
    assert _rate(sends.filter(pl.col("hour_gap") <= 2), "message_open") > \
        1.5 * _rate(sends.filter(pl.col("hour_gap") > 4), "message_open")


def test_discounts_move_sensitive_customers(sends):
    sensitive = sends.filter(pl.col("discount_sensitivity") > 0.5)
    none = sensitive.filter(pl.col("discount") == 0)
    big = sensitive.filter(pl.col("discount") == 0.2)
    assert big["conversion"].sum() > 3 * max(none["conversion"].sum(), 1)


def test_churned_customers_barely_respond(sends):
    assert _rate(sends.filter(~pl.col("alive")), "message_open") < \
        0.3 * _rate(sends.filter(pl.col("alive")), "message_open")
