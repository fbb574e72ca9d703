"""Consent as of many instants in one plan (the policy log's decision days) is, for each instant,
exactly consent as of that instant alone: same persons, same allowed channels, nobody whose
first consent change arrived later."""
from datetime import datetime, timezone

from tailor.agents.guardian import consent_state, consent_state_at

from .conftest import consent_events

ROWS = [("p1", "consent_change", "email", True, "2026-09-01 00:00:00", "2026-09-01 00:00:00"),
        ("p1", "consent_change", "sms", True, "2026-09-01 00:00:00", "2026-09-01 00:00:00"),
        ("p1", "unsubscribe", "sms", None, "2026-09-03 00:00:00", "2026-09-03 00:00:00"),
        ("p1", "consent_change", "push", True, "2026-09-02 00:00:00", "2026-09-02 00:00:00"),
        # event time before the revocation, received after it: the revocation still wins
        ("p2", "consent_change", "email", True, "2026-09-01 00:00:00", "2026-09-01 00:00:00"),
        ("p2", "consent_change", "email", False, "2026-09-02 00:00:00", "2026-09-02 00:00:00"),
        ("p2", "consent_change", "email", True, "2026-09-01 12:00:00", "2026-09-04 00:00:00"),
        ("p3", "consent_change", "in_app", True, "2026-09-04 00:00:00", "2026-09-04 06:00:00"),
        ("p4", "page_view", None, None, "2026-09-01 00:00:00", "2026-09-01 00:00:00")]
DAYS = {"2026-09-01": datetime(2026, 9, 1, 12, tzinfo=timezone.utc),
        "2026-09-02": datetime(2026, 9, 2, 12, tzinfo=timezone.utc),
        "2026-09-03": datetime(2026, 9, 3, 12, tzinfo=timezone.utc),
        "2026-09-05": datetime(2026, 9, 5, 0, tzinfo=timezone.utc)}


def test_each_instant_matches_consent_as_of_that_instant_alone(spark):
    events = consent_events(spark, ROWS)
    instants = spark.createDataFrame(list(DAYS.items()), "day string, known_by timestamp")
    together = {}
    for r in consent_state_at(events, instants, "day").collect():
        together.setdefault(r.day, {})[r.person_id] = r.allowed_channels
    alone = {day: {r.person_id: r.allowed_channels for r in consent_state(events, at).collect()}
             for day, at in DAYS.items()}
    assert together == alone
    # and the rule itself, by hand
    assert together["2026-09-01"] == {"p1": ["email", "sms"], "p2": ["email"]}
    assert together["2026-09-02"] == {"p1": ["email", "push", "sms"], "p2": []}
    assert together["2026-09-03"] == {"p1": ["email", "push"], "p2": []}
    assert together["2026-09-05"] == {"p1": ["email", "push"], "p2": [], "p3": ["in_app"]}
