"""Persons are resolved once per distinct (customer_id, anonymous_id, device_id) and joined back
null-safely: every event comes out exactly once with a person, whichever of its ids are null,
and events sharing their ids share their person."""
from tailor.identity.resolve import identity_links, resolve_events


def test_every_event_once_whatever_ids_are_null(bronze):
    events = bronze([
        dict(eid="e1", etype="login", hour=1, customer="C1", anon="a1", device="d1"),
        dict(eid="e2", etype="view", hour=2, anon="a1"),                  # device null
        dict(eid="e3", etype="view", hour=3, device="d1"),                # cookie null
        dict(eid="e4", etype="view", hour=4, anon="a1"),                  # same ids as e2
        dict(eid="e5", etype="message_open", hour=5, customer="C2"),      # customer only
        dict(eid="e6", etype="view", hour=6, anon="a7"),                  # unknown to anyone
        dict(eid="e7", etype="view", hour=7, anon="a7"),
    ])
    silver = resolve_events(events, identity_links(events), "k", 20).collect()
    people = {r.event_id: r.person_id for r in silver}
    assert len(silver) == len(people) == 7
    assert all(people.values())
    assert people["e1"] == people["e2"] == people["e3"] == people["e4"]
    assert people["e6"] == people["e7"] != people["e1"]
    assert people["e5"] not in (people["e1"], people["e6"])
