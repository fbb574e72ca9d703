"""When the goal excludes re-seen items, an item the person interacted with before the cutoff is
never a hit (and never relevant); when re-purchase is the goal, it counts."""
import pandas as pd

from tailor.models.topk import per_person, relevant

SEEN = pd.DataFrame([("A", "i2")], columns=["person_id", "item_id"])
FUTURE = pd.DataFrame([("A", "i2"), ("A", "i4")], columns=["person_id", "item_id"])
SERVED = pd.DataFrame([("A", "i2", 1), ("A", "i3", 2)], columns=["person_id", "item_id", "rank"])


def test_reseen_item_is_no_hit_when_excluded():
    truth = relevant(FUTURE, SEEN, exclude_seen=True)
    assert set(truth["item_id"]) == {"i4"}
    got = per_person(SERVED, truth, k=10)
    assert got.loc["A", "recall"] == 0.0 and got.loc["A", "ndcg"] == 0.0


def test_reseen_item_counts_when_repurchase_is_the_goal():
    got = per_person(SERVED, relevant(FUTURE, SEEN, exclude_seen=False), k=10)
    assert got.loc["A", "recall"] == 0.5 and got.loc["A", "ndcg"] > 0


def test_person_whose_only_future_item_was_seen_is_left_out():
    future = pd.DataFrame([("A", "i2"), ("B", "i1")], columns=["person_id", "item_id"])
    truth = relevant(future, SEEN, exclude_seen=True)
    assert list(per_person(SERVED, truth, k=10).index) == ["B"]
