"""covisitation_v1 on a tiny frame: sessions split on 30-minute gaps, cosine-normalised scores,
neighbours best first, events outside the lookback ignored."""
import math
from datetime import datetime, timezone

import pytest

from tailor.features.registry import GROUPS

AT = datetime(2026, 9, 30, tzinfo=timezone.utc)
OLD = datetime(2026, 8, 30, 23, 59, tzinfo=timezone.utc)   # just outside the 30-day lookback
SCHEMA = "person_id string, event_type string, event_ts timestamp, item_id string"


def ts(day, hour, minute=0):
    return datetime(2026, 9, day, hour, minute, tzinfo=timezone.utc)


def test_covisitation_neighbours(spark):
    rows = [
        ("pA", "view", ts(20, 10), "i1"), ("pA", "view", ts(20, 10, 10), "i2"),
        ("pA", "add_to_cart", ts(20, 10, 20), "i3"), ("pA", "view", ts(20, 10, 25), "i3"),
        ("pA", "view", ts(20, 14), "i4"),                              # > 30 min later: new session
        ("pB", "view", ts(21, 11), "i1"), ("pB", "purchase", ts(21, 11, 5), "i2"),
        ("pC", "view", ts(22, 12), "i1"), ("pC", "view", ts(22, 15), "i5"),   # two sessions
        ("pC", "message_sent", ts(22, 12, 1), None),                   # no item: ignored
        ("pD", "view", OLD, "i4"), ("pD", "view", OLD, "i5"),                 # older than 30 days
        ("pD", "view", ts(30, 0), "i4"), ("pD", "view", ts(30, 0, 1), "i5"),  # at/after AT
    ]
    out = {r.item_id: r for r in GROUPS["covisitation"].compute(
        spark.createDataFrame(rows, SCHEMA), AT).collect()}
    # sessions per item: i1 3 (pA, pB, pC), i2 2, i3 1; pairs: i1-i2 ×2, i1-i3 ×1, i2-i3 ×1
    assert set(out) == {"i1", "i2", "i3"}, "i4 / i5 never share a session inside the window"
    s12, s13, s23 = 2 / math.sqrt(3 * 2), 1 / math.sqrt(3 * 1), 1 / math.sqrt(2 * 1)
    assert out["i1"].covisited_items == ["i2", "i3"]
    assert out["i1"].covisit_scores == pytest.approx([s12, s13])
    assert out["i1"].covisit_sessions == [2, 1] and out["i1"].sessions == 3
    assert out["i2"].covisited_items == ["i1", "i3"]
    assert out["i3"].covisited_items == ["i2", "i1"]          # 0.707 > 0.577: best first
    assert out["i3"].covisit_scores == pytest.approx([s23, s13])
