"""Anonymous activity before a login belongs to the person who logged in; silver holds no
direct identifier; person ids are the server's pseudonyms."""
from tailor.identity.resolve import SILVER_COLUMNS, identity_links, resolve_events
from tailor.privacy import pseudonymise


def test_anonymous_views_are_stitched_and_pseudonymised(bronze):
    events = bronze([
        dict(eid="e1", etype="view", hour=1, anon="a1", device="d1"),           # before login
        dict(eid="e2", etype="login", hour=2, customer="C1", anon="a1", device="d1",
             email="c1@example.com"),
        dict(eid="e3", etype="view", hour=3, anon="a9", device="d1"),           # new cookie, same device
        dict(eid="e4", etype="view", hour=4, anon="a5", device="d5"),           # never logs in
    ])
    silver = resolve_events(events, identity_links(events), "k", 20)
    people = {r.event_id: r.person_id for r in silver.collect()}
    c1 = pseudonymise("C1", "k", 20)
    assert people["e1"] == people["e2"] == people["e3"] == c1
    assert people["e4"].startswith("anon-") and people["e4"] != c1
    assert silver.columns == SILVER_COLUMNS
    assert not {"customer_id", "email", "anonymous_id", "device_id"} & set(silver.columns)
