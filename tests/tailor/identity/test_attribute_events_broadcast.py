"""The events get the same persons whether the resolved id triples are broadcast to the event
scan (up to ``identity.broadcast_max_triples``) or both sides are shuffled: every event once,
nulls in any of the three ids matched null-safely either way."""
from tailor.identity.resolve import attribute_events, event_persons, identity_links, resolve_events


def test_same_persons_broadcast_or_shuffled(spark, bronze):
    events = bronze([
        dict(eid="e1", etype="login", hour=1, customer="C1", anon="a1", device="d1"),
        dict(eid="e2", etype="view", hour=2, anon="a1"),                  # device null
        dict(eid="e3", etype="view", hour=3, device="d1"),                # cookie null
        dict(eid="e4", etype="message_open", hour=4, customer="C2"),      # customer only
        dict(eid="e5", etype="view", hour=5, anon="a7", device="d7"),     # unknown to anyone
        dict(eid="e6", etype="view", hour=6, anon="a7", device="d7"),
    ])
    persons = event_persons(events, identity_links(events), "k", 20)
    assert persons.count() == 5        # e5 and e6 share one triple
    previous = spark.conf.get("spark.sql.autoBroadcastJoinThreshold")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")  # the shuffled plan is real
    try:
        rows = {}
        for broadcast in (True, False):
            frame = attribute_events(events, persons, broadcast)
            rows[broadcast] = sorted(tuple(r) for r in frame.collect())
        reference = sorted(tuple(r) for r in resolve_events(
            events, identity_links(events), "k", 20).collect())
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", previous)
    assert rows[True] == rows[False] == reference
    assert len(reference) == 6
