"""Components are labelled on the graph with each owned id merged into its owner: every id still
lands in the component of the full graph (ids → owners, co-occurrence between ids). Sizes and
anonymous anchors, computed here by hand, on a graph with two customers bridged by an unowned
chain, a customer's own ids, an anonymous chain and a lone id."""
from tailor.identity.resolve import identity_links


def test_component_sizes_and_anchors_as_on_the_full_graph(bronze):
    events = bronze([
        ("e1", "login", 1, "C1", "a1", "d1"),     # C1 owns a1, d1
        ("e2", "login", 2, "C2", "a2", None),     # C2 owns a2
        ("e3", "view", 3, None, "a1", "d5"),      # d5 unowned, next to C1's a1
        ("e4", "view", 4, None, "a6", "d5"),      # a6 unowned: a chain d5 - a6 - d7
        ("e5", "view", 5, None, "a6", "d7"),
        ("e6", "view", 6, None, "a2", "d7"),      # ... reaching C2's a2: one component
        ("e7", "view", 7, None, "a8", "d9"),      # an anonymous pair
        ("e8", "view", 8, None, "a10", "d9"),     # ... and a third id on it
        ("e9", "view", 9, None, "a11", None),     # a lone cookie
        ("e10", "login", 10, "C3", None, "d12"),  # C3's device, alone with its owner
    ])
    links = {r.id_value: r for r in identity_links(events).collect()}
    sizes = {v: r.component_size for v, r in links.items()}
    assert sizes == {"a1": 6, "d1": 6, "a2": 6, "d5": 6, "a6": 6, "d7": 6,
                     "a8": 3, "d9": 3, "a10": 3, "a11": 1, "d12": 1}
    assert {links[v].anon_anchor for v in ("a8", "d9", "a10")} == {"a8"}   # the earliest id
    assert links["a11"].anon_anchor == "a11" and links["a11"].evidence == "none"
    assert links["d12"].customer_id == "C3"
    assert (links["d5"].customer_id, links["d7"].customer_id) == ("C1", "C2")   # strongest owner
