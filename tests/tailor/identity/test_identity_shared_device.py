"""A device two customers log in on does not glue them into one person: each cookie keeps its
customer, the device goes to the customer with the most logins (flagged as shared), and an
unowned id bridging both goes to its strongest neighbour."""
from tailor.identity.resolve import identity_links, identity_map, resolve_events
from tailor.privacy import pseudonymise


def test_shared_device_does_not_merge_customers(bronze):
    events = bronze([
        ("e1", "login", 1, "C1", "a1", "d1"),
        ("e2", "login", 2, "C2", "a2", "d1"),
        ("e3", "login", 30, "C2", "a2", "d1"),
        ("e4", "view", 31, None, "a1", "d1"),     # C1's cookie, logged out, on the shared device
        ("e5", "view", 32, None, "a2", "d9"),     # an unowned device seen with both cookies:
        ("e6", "view", 33, None, "a2", "d9"),     # mostly with C2's ...
        ("e7", "view", 34, None, "a1", "d9"),     # ... once with C1's
        ("e8", "view", 35, "C1", "a1", None),
    ])
    resolved = identity_links(events).cache()
    links = {(r.id_type, r.id_value): r for r in resolved.collect()}
    assert links[("anonymous", "a1")].customer_id == "C1"
    assert links[("anonymous", "a2")].customer_id == "C2"
    shared = links[("device", "d1")]
    assert shared.customer_id == "C2" and shared.customers == 2
    assert abs(shared.confidence - 2 / 3) < 1e-9
    bridge = links[("device", "d9")]
    assert bridge.customer_id == "C2" and bridge.evidence == "co-occurrence"

    people = {r.event_id: r.person_id
              for r in resolve_events(events, resolved, "k", 20).collect()}
    c1, c2 = pseudonymise("C1", "k", 20), pseudonymise("C2", "k", 20)
    assert people["e1"] == people["e4"] == people["e8"] == c1    # cookie beats shared device
    assert people["e2"] == people["e3"] == people["e5"] == c2
    assert len({r.person_id for r in identity_map(resolved, "k", 20).collect()}) == 2
