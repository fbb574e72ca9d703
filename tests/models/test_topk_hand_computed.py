"""Whole-catalog top-K metrics on a hand-computed example (models/topk.py)."""
import math

import pandas as pd
import pytest

from tailor.models.topk import candidate_recall, compare, per_person, relevant


def lists(rows):
    return pd.DataFrame(rows, columns=["person_id", "item_id", "rank"])


def pairs(rows):
    return pd.DataFrame(rows, columns=["person_id", "item_id"])


RECOMMENDED = lists([("A", "i1", 1), ("A", "i2", 2), ("A", "i3", 3),
                     ("B", "i4", 1), ("B", "i1", 2),
                     ("D", "i1", 1)])                       # D has nothing relevant: left out
FUTURE = pairs([("A", "i2"), ("A", "i4"), ("B", "i4"), ("C", "i5")])  # C was recommended nothing


def test_metrics_match_the_hand_computation():
    got = per_person(RECOMMENDED, relevant(FUTURE, None, exclude_seen=False), k=3)
    assert list(got.index) == ["A", "B", "C"]
    # A: one hit at rank 2 of two relevant; ideal DCG has two hits at the top
    assert got.loc["A", "recall"] == 0.5
    assert got.loc["A", "ndcg"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert got.loc["A", "map"] == pytest.approx((1 / 2) / 2)
    assert tuple(got.loc["B", ["recall", "ndcg", "map"]]) == (1.0, 1.0, 1.0)
    assert tuple(got.loc["C", ["recall", "ndcg", "map"]]) == (0.0, 0.0, 0.0)


def test_cut_at_k_ignores_deeper_ranks():
    got = per_person(RECOMMENDED, relevant(FUTURE, None, exclude_seen=False), k=1)
    assert got.loc["A", "recall"] == 0.0 and got.loc["B", "ndcg"] == 1.0


def test_compare_means_and_paired_difference():
    truth = relevant(FUTURE, None, exclude_seen=False)
    empty = lists([])
    report = compare({"served": RECOMMENDED, "nothing": empty}, truth, k=3, reference="nothing",
                     n_boot=50)
    est = report.estimates["served"]
    assert report.persons == 3
    assert est["recall"].value == pytest.approx(0.5)
    assert est["map"].value == pytest.approx((0.25 + 1 + 0) / 3)
    assert est["recall"].ci_low <= 0.5 <= est["recall"].ci_high
    diff = report.differences["served"]["ndcg"]
    assert diff.value == pytest.approx(est["ndcg"].value)    # nothing scores 0 everywhere
    assert report.estimates["nothing"]["ndcg"].value == 0.0


def test_candidate_recall_counts_the_pool_whatever_its_size():
    truth = relevant(FUTURE, None, exclude_seen=False)
    pool = pairs([("A", "i1"), ("A", "i2"), ("A", "i3"), ("A", "i4"), ("B", "i9")])
    got = candidate_recall(pool, truth)
    assert got.to_dict() == {"A": 1.0, "B": 0.0, "C": 0.0}
