"""Ids reached only through other ids (cookie → device → cookie → device → customer) join the
customer's person, with 'co-occurrence' as their evidence."""
from tailor.identity.resolve import identity_links, resolve_events
from tailor.privacy import pseudonymise


def test_transitive_links_reach_the_customer(bronze):
    events = bronze([
        ("e1", "login", 1, "C1", "a1", "d1"),
        ("e2", "view", 2, None, "a2", "d1"),     # new cookie on the logged-in device
        ("e3", "view", 3, None, "a2", "d2"),     # that cookie on a second device
        ("e4", "view", 4, None, "a3", "d2"),     # the second device's own cookie
        ("e5", "view", 5, None, "a9", "d9"),     # a stranger
    ])
    resolved = identity_links(events).cache()
    links = {(r.id_type, r.id_value): r for r in resolved.collect()}
    assert {k: r.customer_id for k, r in links.items()} == {
        ("anonymous", "a1"): "C1", ("device", "d1"): "C1", ("anonymous", "a2"): "C1",
        ("device", "d2"): "C1", ("anonymous", "a3"): "C1",
        ("anonymous", "a9"): None, ("device", "d9"): None}
    assert links[("device", "d1")].evidence == "login"
    assert links[("anonymous", "a3")].evidence == "co-occurrence"
    assert links[("anonymous", "a3")].component_size == 5
    people = {r.event_id: r.person_id for r in resolve_events(events, resolved, "k", 20).collect()}
    c1 = pseudonymise("C1", "k", 20)
    assert people["e2"] == people["e3"] == people["e4"] == c1
    assert people["e5"].startswith("anon-")
