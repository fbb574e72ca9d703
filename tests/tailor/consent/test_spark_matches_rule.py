"""The Spark form of the rule (``consent_states``) answers exactly like ``is_granted`` on random
histories (ties in both instants included), and an unsubscribe revokes like granted=false."""
import random
from datetime import datetime, timedelta, timezone

from tailor.consent import Change, consent_changes, consent_states, is_granted

T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)


def test_spark_rule_equals_python_rule(spark):
    rng = random.Random(11)
    rows, expected = [], {}
    for key in range(400):
        history = [(rng.randint(0, 6), rng.randint(0, 6), rng.random() < 0.5)
                   for _ in range(rng.randint(1, 6))]
        expected[f"p{key}"] = is_granted(Change(*c) for c in history)
        for received, ts, granted in history:
            etype = "consent_change" if granted or rng.random() < 0.5 else "unsubscribe"
            rows.append((f"p{key}", etype, "email", granted if etype == "consent_change" else None,
                         T0 + timedelta(seconds=ts), T0 + timedelta(seconds=received)))
    events = spark.createDataFrame(rows, "person_id string, event_type string, channel string, "
                                         "granted boolean, event_ts timestamp, ingested_at timestamp")
    got = {r.person_id: r.granted for r in consent_states(consent_changes(events)).collect()}
    assert got == expected
