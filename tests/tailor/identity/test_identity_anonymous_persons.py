"""Components without a customer are one anonymous person whose id is stable: the same on a
rerun, unchanged when a later cookie joins, and the same through the map (nearline) path."""
from tailor.identity.resolve import identity_links, identity_map, resolve_events
from tailor.privacy import pseudonymise

ROWS = [
    ("e1", "view", 5, None, "a5", "d5"),
    ("e2", "view", 30, None, "a6", "d5"),         # cookie cleared: new anonymous id, same device
    ("e3", "view", 6, None, "a7", None),          # a lone cookie, no device
]


def _people(events, links=None):
    links = identity_links(events) if links is None else links
    return {r.event_id: r.person_id for r in resolve_events(events, links, "k", 20).collect()}


def test_anonymous_components_get_stable_person_ids(bronze):
    first = _people(bronze(ROWS))
    anchor = "anon-" + pseudonymise("anon:a5", "k", 20)     # earliest-seen id of the component
    assert first["e1"] == first["e2"] == anchor
    assert first["e3"] == "anon-" + pseudonymise("anon:a7", "k", 20) != anchor
    assert _people(bronze(ROWS)) == first                    # rerun
    later = _people(bronze(ROWS + [("e4", "view", 60, None, "a8", "d5")]))
    assert later["e1"] == later["e4"] == anchor              # a later cookie joins, id unchanged


def test_map_path_matches_raw_path_and_handles_unknown_ids(bronze):
    events = bronze(ROWS + [("e5", "login", 7, "C1", "a1", "d1"), ("e6", "view", 8, None, "a2", "d1")])
    links = identity_links(events).cache()
    idmap = identity_map(links, "k", 20).cache()
    assert {r.event_id: r.person_id for r in resolve_events(events, idmap, "k", 20).collect()} \
        == _people(events, links)
    new = bronze([("n1", "view", 50, None, "a2", "dX"),      # known cookie on a new device
                  ("n2", "view", 51, None, "aZ", "d1"),      # new cookie on a known device
                  ("n3", "view", 52, None, "aQ", "dQ")])     # nobody we know
    people = {r.event_id: r.person_id for r in resolve_events(new, idmap, "k", 20).collect()}
    assert people["n1"] == people["n2"] == pseudonymise("C1", "k", 20)
    assert people["n3"] == "anon-" + pseudonymise("anon:aQ", "k", 20)
