"""`models.promotion.min_evidence`: a gate whose held-out evaluation rests on too few persons,
positives or candidate lists with a positive does not decide — nothing is promoted however large
the gain, and the reason names what was missing."""
import pandas as pd

from tailor.models.gate import decide, evidence, shortfalls
from tailor.models.metrics import Estimate
from tailor.models.training import train_and_register

CLEAR_WIN = Estimate(0.5, 0.3, 0.7)


def test_evidence_counts_on_a_hand_made_test_split():
    # ranking: 3 lists (a|1, a|2, b|1), 2 of them hold a positive; 2 persons
    label = pd.Series([0, 1, 0, 0, 1, 1])
    unit = pd.Series(["a|1", "a|1", "a|2", "a|2", "b|1", "b|1"])
    persons = pd.Series(["a", "a", "a", "a", "b", "b"])
    assert evidence("ranking", label, unit, persons) == {"persons": 2, "positives": 3, "lists": 2}
    # binary: the rarer class counts (5 churners, 1 stayer → 1)
    assert evidence("binary", pd.Series([1, 1, 1, 1, 1, 0]), persons, persons)["positives"] == 1
    # regression: persons who spent
    assert evidence("regression", pd.Series([0.0, 3.5, 0.0, 9.0, 0, 0]), persons,
                    persons)["positives"] == 2


def test_shortfalls_name_each_missing_minimum():
    found = {"persons": 700, "positives": 900, "lists": 10}
    assert shortfalls(found, {"persons": 50, "positives": 30, "lists": 30}) == [
        "10 lists (minimum 30)"]
    assert shortfalls({"persons": 60, "positives": 40}, {"persons": 50, "positives": 30,
                                                         "lists": 30}) == []  # no lists: not ranking


def test_a_clear_win_on_too_little_data_is_not_promoted():
    refused = decide("ndcg@5", 0.0, CLEAR_WIN, None, "no champion yet", require_significant=True,
                     too_little=["10 lists (minimum 30)"])
    assert not refused.promoted
    assert "too little data" in refused.reason and "10 lists (minimum 30)" in refused.reason
    assert decide("ndcg@5", 0.0, CLEAR_WIN, None, "no champion yet", require_significant=True,
                  too_little=[]).promoted


def test_training_run_records_the_evidence_and_refuses_below_minimum(make_cfg, synth):
    frame = synth.ranker()
    strict = make_cfg(promotion={"min_relative_gain": 0.0,
                                 "min_evidence": {"persons": 50, "positives": 30, "lists": 10_000}})
    result = train_and_register("ranker", frame, synth.ranker_features, {}, strict)
    assert not result.promoted
    assert "too little data" in result.reason and "(minimum 10000)" in result.reason
    import mlflow

    evaluation = mlflow.artifacts.load_dict(f"runs:/{result.run_id}/evaluation.json")
    test = frame[frame.split == "test"]
    assert evaluation["evidence"]["persons"] == test.person_id.nunique()
    assert evaluation["min_evidence"]["lists"] == 10_000
