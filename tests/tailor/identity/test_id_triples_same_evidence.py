"""Identity reads the events once, into their (customer, cookie, device) triples: the ids seen,
the customer evidence (with and without identified events) and the co-occurrence counted from
the triples are what counting the events one by one gives (computed here by hand)."""
from datetime import datetime

from tailor.identity.resolve import co_occurrence, customer_evidence, id_triples, ids_seen

EVENTS = [  # (id, type, hour, customer, cookie, device); repeated triples, logins and not
    ("e1", "login", 1, "C1", "a1", "d1"),
    ("e2", "view", 2, "C1", "a1", "d1"),
    ("e3", "login", 5, "C1", "a1", "d1"),
    ("e4", "view", 3, None, "a1", "d1"),
    ("e5", "login", 7, "C2", "a2", None),
    ("e6", "view", 9, "C2", None, "d1"),
    ("e7", "view", 4, None, "a3", None),
    ("e8", "view", 6, "C1", "a1", None),
    ("e9", "view", 8, None, None, None),
]


def at(hour):
    return datetime(2026, 9, 1, hour)   # Spark hands timestamps back naive, in the session's UTC


def rows(frame, *keys):
    return {tuple(r[k] for k in keys): r.asDict() for r in frame.collect()}


def test_ids_seen_evidence_and_cooccurrence_from_triples(bronze):
    triples = id_triples(bronze(EVENTS)).cache()
    assert triples.count() == 7

    seen = rows(ids_seen(triples), "id_type", "id_value")
    assert seen[("anonymous", "a1")] == {"id_type": "anonymous", "id_value": "a1",
                                         "first_seen": at(1), "last_seen": at(6), "events": 5}
    assert seen[("device", "d1")]["events"] == 5 and seen[("device", "d1")]["last_seen"] == at(9)
    assert len(seen) == 4                                   # a1 a2 a3 d1; nothing for e9

    evidence = rows(customer_evidence(triples), "id_type", "id_value", "customer_id")
    a1 = evidence[("anonymous", "a1", "C1")]              # e1 e2 e3 e8
    assert (a1["login_links"], a1["event_links"], a1["links"]) == (2, 2, 4)
    assert (a1["first_seen"], a1["last_seen"]) == (at(1), at(6))
    d1 = evidence[("device", "d1", "C1")]                 # e1 e2 e3 (e4 has no customer)
    assert (d1["login_links"], d1["event_links"], d1["links"]) == (2, 1, 3)
    assert evidence[("device", "d1", "C2")]["event_links"] == 1
    assert len(evidence) == 4

    logins = rows(customer_evidence(triples, identified_events=False),
                  "id_type", "id_value", "customer_id")
    assert set(logins) == {("anonymous", "a1", "C1"), ("device", "d1", "C1"),
                           ("anonymous", "a2", "C2")}
    a1 = logins[("anonymous", "a1", "C1")]                # e1 e3 only
    assert (a1["login_links"], a1["event_links"], a1["links"]) == (2, 0, 2)
    assert (a1["first_seen"], a1["last_seen"]) == (at(1), at(5))

    shared = rows(co_occurrence(triples), "anonymous_id", "device_id")
    assert set(shared) == {("a1", "d1")}
    assert shared[("a1", "d1")]["links"] == 4                 # e1 e2 e3 e4
    assert (shared[("a1", "d1")]["first_seen"], shared[("a1", "d1")]["last_seen"]) == (at(1), at(5))
