"""Precision = correct / assigned ground-truth ids; recall = correct / ground-truth ids."""
from tailor.identity.evaluation import evaluate_assignments

COLS = "id_type string, id_value string, customer_id string"


def test_precision_and_recall_on_a_hand_made_case(spark):
    truth = spark.createDataFrame([("device", "d1", "C1"), ("anonymous", "a1", "C1"),
                                   ("anonymous", "a2", "C2"), ("device", "d3", "C3")], COLS)
    assigned = spark.createDataFrame([
        ("device", "d1", "C1"),         # correct
        ("anonymous", "a1", "C2"),      # wrong customer
        ("anonymous", "a2", "C2"),      # correct
        ("device", "d3", None),         # left anonymous: a miss, not an error
        ("device", "d9", "C9"),         # not in the ground truth: not judged
    ], COLS)
    m = evaluate_assignments(assigned, truth)
    assert m["precision"] == round(2 / 3, 4) and m["recall"] == 0.5
    assert (m["truth"], m["assigned"], m["correct"], m["unassigned"], m["assigned_unknown"]) \
        == (4, 3, 2, 1, 1)
