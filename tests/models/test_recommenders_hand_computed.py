"""Reference recommenders on hand-computed data (models/recommenders.py)."""
import pandas as pd

from tailor.models.recommenders import item_knn, own_frequency, popularity

HISTORY = pd.DataFrame([("p1", "a"), ("p1", "b"), ("p2", "a"), ("p2", "b"), ("p3", "a"),
                        ("p3", "c"), ("p4", "b")], columns=["person_id", "item_id"])


def items(frame, person):
    return list(frame[frame["person_id"] == person].sort_values("rank")["item_id"])


def test_popularity_counts_distinct_persons_and_breaks_ties_on_item():
    got = popularity(HISTORY, pd.Series(["p1", "new"]), k=2)
    assert items(got, "new") == ["a", "b"] and items(got, "p1") == ["a", "b"]
    unseen = popularity(HISTORY, pd.Series(["p3", "new"]), k=2, exclude_seen=True)
    assert items(unseen, "p3") == ["b"] and items(unseen, "new") == ["a", "b"]


def test_item_knn_scores_by_cosine_similarity_to_the_persons_items():
    # cos(a, b) = 2/3, cos(a, c) = 1/sqrt(3), cos(b, c) = 0
    got = item_knn(HISTORY, pd.Series(["p3", "p4", "stranger"]), k=5)
    assert items(got, "p4") == ["a"]                  # c is not similar to b at all
    assert items(got, "p3") == ["b"]                  # a, c seen; b: 2/3 + 0
    assert items(got, "stranger") == []
    kept = item_knn(HISTORY, pd.Series(["p3"]), k=5, exclude_seen=False)
    assert items(kept, "p3") == ["b", "a", "c"]       # 2/3, then 1/sqrt3 twice (tie: item_id)


def test_item_knn_keeps_only_the_nearest_neighbours():
    one = item_knn(HISTORY, pd.Series(["p4"]), k=5, neighbours=1)
    assert items(one, "p4") == ["a"]


def test_own_frequency_orders_a_persons_items_by_weight():
    history = pd.DataFrame({"person_id": ["p", "p", "p", "q"], "item_id": ["milk", "eggs", "milk", "tea"],
                            "weight": [1.0, 3.0, 1.0, 1.0]})
    got = own_frequency(history, pd.Series(["p"]), k=1)
    assert items(got, "p") == ["eggs"] and "q" not in set(got["person_id"])
