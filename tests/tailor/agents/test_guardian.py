"""Consent is opt-in per channel; a later change wins; an unsubscribe revokes; only changes
received by the run's instant count (received = ingested_at here: no server stamp)."""
from datetime import datetime, timezone

from tailor.agents.guardian import consent_state

from .conftest import consent_events


def test_latest_consent_wins_and_unsubscribe_revokes(spark):
    rows = [("p1", "consent_change", "email", True, "2026-09-01 00:00:00", "2026-09-01 00:00:00"),
            ("p1", "consent_change", "sms", True, "2026-09-01 00:00:00", "2026-09-01 00:00:00"),
            ("p1", "unsubscribe", "sms", None, "2026-09-03 00:00:00", "2026-09-03 00:00:00"),
            ("p1", "consent_change", "push", False, "2026-09-01 00:00:00", "2026-09-02 00:00:00"),
            ("p1", "consent_change", "push", True, "2026-09-02 00:00:00", "2026-09-02 00:00:00"),
            ("p2", "consent_change", "email", False, "2026-09-01 00:00:00", "2026-09-01 00:00:00"),
            # received after the run's instant: not known to it
            ("p1", "consent_change", "in_app", True, "2026-09-04 00:00:00", "2026-09-09 00:00:00")]
    df = consent_events(spark, rows)
    state = {r.person_id: r.allowed_channels for r in
             consent_state(df, datetime(2026, 9, 5, tzinfo=timezone.utc)).collect()}
    assert state == {"p1": ["email", "push"], "p2": []}
