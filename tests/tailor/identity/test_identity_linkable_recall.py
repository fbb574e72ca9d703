"""Recall over linkable ids: a device that never carries a customer id nor shares an event with
an id that does is not linkable; recall_linkable judges the resolver only on ids it could find."""
from tailor.identity.evaluation import evaluate_assignments, linkable_ids
from tailor.identity.resolve import identity_links

TRUTH = "id_type string, id_value string, customer_id string"


def test_unlinkable_visitor_device_is_left_out_of_recall_linkable(bronze, spark):
    events = bronze([
        ("e1", "login", 1, "C1", "a1", "d1"),
        ("e2", "view", 2, None, "a2", "d1"),     # linkable through d1
        ("e3", "view", 3, None, "a8", "d8"),     # C1's second device, never logged in
    ])
    linkable = {(r.id_type, r.id_value) for r in linkable_ids(events).collect()}
    assert linkable == {("anonymous", "a1"), ("device", "d1"), ("anonymous", "a2")}
    truth = spark.createDataFrame([("anonymous", "a1", "C1"), ("device", "d1", "C1"),
                                   ("anonymous", "a2", "C1"), ("anonymous", "a8", "C1"),
                                   ("device", "d8", "C1")], TRUTH)
    m = evaluate_assignments(identity_links(events), truth, linkable_ids(events))
    assert (m["truth"], m["correct"], m["linkable"]) == (5, 3, 3)
    assert m["recall"] == 0.6 and m["recall_linkable"] == 1.0 and m["precision"] == 1.0
