"""Decision points and their outcomes: a conversion counts for the latest message decision on its
channel within the attribution window (and of the same message when both carry an id); no
message earns nothing; reward = value − cost; rows without a propensity or overridden by a
request-time rule are kept but not usable for importance weighting."""
from datetime import datetime, timedelta, timezone

from tailor.features.outcomes import decision_points, outcomes, with_reward

SCHEMA = ("person_id string, event_id string, event_type string, event_ts timestamp, "
          "channel string, message_id string, action_id string, send_hour int, discount double, "
          "propensity double, price double, overridden_by string")
T0 = datetime(2026, 9, 10, 9, tzinfo=timezone.utc)


def at(hours):
    return T0 + timedelta(hours=hours)


def ev(pid, eid, kind, hours, channel=None, msg=None, action=None, p=None, price=None,
       discount=None, overridden=None):
    return (pid, eid, kind, at(hours), channel, msg, action, 9 if action else None, discount, p,
            price, overridden)


EVENTS = [
    # p1: email at 9h, conversion 5 h later -> attributed; a second email next day; push unrelated
    ev("p1", "d1", "message_sent", 0, "email", "m1", "email@9:none", 0.1),
    ev("p1", "c1", "conversion", 5, "email", "m1", price=40.0),
    ev("p1", "d2", "message_sent", 24, "email", "m2", "email@9:pct10", 0.1, discount=0.1),
    ev("p1", "c2", "conversion", 30, "email", "m2", price=18.0),     # m2's, not m1's (last touch)
    ev("p1", "c3", "conversion", 80, "email", None, price=99.0),     # outside both windows
    ev("p1", "c4", "conversion", 26, "push", None, price=7.0),       # no push decision
    # p2: no message; a purchase-like conversion on email cannot be attributed to it
    ev("p2", "d3", "decision_served", 0, action="no_message", p=0.4),
    ev("p2", "c5", "conversion", 2, "email", None, price=10.0),
    # p3: an sms without a logged propensity, unsubscribed an hour later
    ev("p3", "d4", "message_sent", 0, "sms", "m4", "sms@9:none", None),
    ev("p3", "u1", "unsubscribe", 1, "sms", "m4"),
    # p4: served by the server, overridden by a request-time rule
    ev("p4", "d5", "decision_served", 0, action="no_message", p=1.0, overridden="consent_revoked"),
    # p5: a served email decision and the app's send of it the same day: one decision point
    ev("p5", "d6", "decision_served", 0, "email", None, "email@9:none", 0.2),
    ev("p5", "d7", "message_sent", 1, "email", "m7", "email@9:none", None),
    ev("p5", "c6", "conversion", 3, "email", "m7", price=25.0),
]


def _rows(spark):
    events = spark.createDataFrame(EVENTS, SCHEMA)
    points = decision_points(events, "2026-09-10", "2026-09-11")
    out = with_reward(outcomes(points, events, attribution_hours=48),
                      {"email": 0.01, "sms": 0.05}, per_message=0.05)
    return {r.decision_id: r for r in out.collect()}


def test_last_touch_attribution_window_channel_and_reward(spark):
    rows = _rows(spark)
    assert set(rows) == {"d1", "d2", "d3", "d4", "d5", "d6"}   # d7 is d6's send
    assert (rows["d1"].conversions, rows["d1"].conversion_value) == (1, 40.0)
    assert (rows["d2"].conversions, rows["d2"].conversion_value) == (1, 18.0)
    assert abs(rows["d1"].reward - (40.0 - 0.06)) < 1e-9
    assert rows["d3"].conversion_value == 0.0 and rows["d3"].reward == 0.0   # no message: nothing
    assert rows["d6"].conversion_value == 25.0 and rows["d6"].source == "decision_served"


def test_unsubscribe_and_usability_for_importance_weighting(spark):
    rows = _rows(spark)
    assert rows["d4"].unsubscribed and not rows["d1"].unsubscribed
    assert abs(rows["d4"].reward + 0.10) < 1e-9                    # sms cost 0.05 + per message 0.05
    assert not rows["d4"].usable_for_ope                           # no logged propensity
    assert not rows["d5"].usable_for_ope and rows["d5"].overridden_by == "consent_revoked"
    assert rows["d1"].usable_for_ope and rows["d3"].usable_for_ope
