"""channel_v1 on a hand-made frame: per-message smoothed rates and the preferred send hour."""
from datetime import datetime, timezone

import pytest

from tailor.features import channel
from tailor.features.registry import GROUPS

AT = datetime(2026, 9, 10, tzinfo=timezone.utc)
SCHEMA = ("person_id string, event_type string, event_ts timestamp, channel string, "
          "message_id string, send_hour int, discount double, price double")
K = channel.PRIOR_STRENGTH


def ts(day, hour=12):
    return datetime(2026, 9, day, hour, tzinfo=timezone.utc)


def frame(spark):
    e = lambda p, t, when, ch, m, h=None: (p, t, when, ch, m, h, 0.0 if h is not None else None,  # noqa: E731
                                           25.0 if t == "conversion" else None)
    rows = [
        # p1 email: m1 at 9h opened + clicked; m2 at 20h opened twice; m3 at 20h opened + converted
        e("p1", "message_sent", ts(1), "email", "m1", 9), e("p1", "message_open", ts(1, 13), "email", "m1"),
        e("p1", "message_click", ts(1, 14), "email", "m1"),
        e("p1", "message_sent", ts(2), "email", "m2", 20), e("p1", "message_open", ts(2, 13), "email", "m2"),
        e("p1", "message_open", ts(2, 15), "email", "m2"),
        e("p1", "message_sent", ts(3), "email", "m3", 20), e("p1", "message_open", ts(3, 13), "email", "m3"),
        e("p1", "conversion", ts(3, 14), "email", "m3"),
        # p1 push: one send, no reaction
        e("p1", "message_sent", ts(4), "push", "m4", 12),
        # p2 email: one send, no reaction; opened only after AT (must not count)
        e("p2", "message_sent", ts(5), "email", "m5", 9), e("p2", "message_open", ts(11), "email", "m5"),
    ]
    return spark.createDataFrame(rows, SCHEMA)


def test_channel_rates_and_preferred_hour(spark):
    rows = {r.person_id: r.asDict() for r in GROUPS["channel"].compute(frame(spark), AT).collect()}
    assert set(rows) == {"p1", "p2"}
    p1, p2 = rows["p1"], rows["p2"]
    # email globally: 4 sends, 3 opened, 1 clicked, 1 converted, 2 responded (click or conversion)
    g_open, g_click, g_conv, g_resp = 3 / 4, 1 / 4, 1 / 4, 2 / 4
    assert p1["email_sends"] == 3 and p2["email_sends"] == 1
    assert p1["email_open_rate"] == pytest.approx((3 + K * g_open) / (3 + K))  # m2 opened twice: once
    assert p1["email_click_rate"] == pytest.approx((1 + K * g_click) / (3 + K))
    assert p1["email_convert_rate"] == pytest.approx((1 + K * g_conv) / (3 + K))
    assert p1["email_response"] == pytest.approx((2 + K * g_resp) / (3 + K))
    assert p2["email_open_rate"] == pytest.approx((0 + K * g_open) / (1 + K))
    assert p2["email_response"] == pytest.approx(K * g_resp / (1 + K))
    # push: p1's single unanswered send; p2 never got one → the channel's global rate (0)
    assert p1["push_sends"] == 1 and p1["push_open_rate"] == 0.0
    assert p2["push_sends"] == 0 and p2["push_response"] == 0.0
    # sms: nobody was ever messaged → 0, never null
    assert p1["sms_response"] == 0.0 and p1["sms_sends"] == 0
    assert 0.0 <= min(v for k, v in p1.items() if k.endswith("_rate")) <= max(
        v for k, v in p1.items() if k.endswith("_rate")) <= 1.0
    # p1 opened two 20h messages and one 9h message → 20h; p2 opened nothing before AT → default
    assert (p1["preferred_hour"], p1["preferred_hour_opens"]) == (20, 3)
    assert (p2["preferred_hour"], p2["preferred_hour_opens"]) == (channel.DEFAULT_SEND_HOUR, 0)
    assert (p1["messages_received"], p2["messages_received"]) == (4, 1)
