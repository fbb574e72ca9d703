"""Forward-in-time evaluation: a model is fitted on cutoffs whose label windows ended by the latest
cutoff and judged on the latest cutoff's held-out persons, so it never learns from the calendar
period it is judged on; with too few cutoffs the split falls back to persons and says so."""
import numpy as np
import pandas as pd
import pytest

from tailor.models import get_spec, train_and_register
from tailor.models.training import split_frame

CUTOFFS = ["2026-09-01", "2026-09-08", "2026-09-15", "2026-09-22"]
FEATURES = ["recency_days", "frequency", "sessions_7d"]


def frame(cutoffs=CUTOFFS, persons: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"p{i:04d}" for i in range(persons)]
    split = dict(zip(ids, np.where(rng.random(persons) < 0.3, "test", "train")))
    rows = pd.DataFrame([(p, c, split[p]) for c in cutoffs for p in ids],
                        columns=["person_id", "cutoff", "split"])
    n = len(rows)
    rows["recency_days"] = rng.uniform(0, 60, n)
    rows["frequency"] = rng.poisson(3, n).astype(float)
    rows["sessions_7d"] = rng.poisson(2, n).astype(float)
    logit = 0.03 * (rows["recency_days"] - 30) - 1.2 * (rows["sessions_7d"] - 2)
    rows["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return rows


def test_forward_trains_on_ended_windows_and_tests_on_the_latest_cutoff():
    train, test, how = split_frame(frame(), get_spec("churn"), FEATURES, "forward", 14)
    # 09-15 + 14 days = 09-29, after the latest cutoff 09-22: its labels overlap the test window
    assert sorted(train["cutoff"].unique()) == ["2026-09-01", "2026-09-08"]
    assert set(test["cutoff"]) == {"2026-09-22"}
    assert set(train["split"]) == {"train"} and set(test["split"]) == {"test"}
    assert not set(train["person_id"]) & set(test["person_id"])
    assert (how.mode, how.train_cutoffs, how.test_cutoff) == (
        "forward", ("2026-09-01", "2026-09-08"), "2026-09-22")


def test_person_split_keeps_every_cutoff():
    rows = frame()
    train, test, how = split_frame(rows, get_spec("churn"), FEATURES, "person", 14)
    assert how.mode == "person"
    assert len(train) + len(test) == len(rows)
    assert set(test["cutoff"]) == set(CUTOFFS)


@pytest.mark.parametrize("cutoffs", [["2026-09-22"], ["2026-09-15", "2026-09-22"]])
def test_forward_without_an_ended_window_falls_back_to_persons_and_says_so(cutoffs):
    rows = frame(cutoffs)
    train, test, how = split_frame(rows, get_spec("churn"), FEATURES, "forward", 14)
    assert how.mode == "person" and "no cutoff's 14-day label window ended" in how.note
    assert len(train) + len(test) == len(rows)


def test_training_run_records_how_it_was_judged(cfg):
    result = train_and_register("churn", frame(persons=800), FEATURES, {}, cfg)
    split = result.evaluation["split"]
    assert split["mode"] == "forward" and split["test_cutoff"] == "2026-09-22"
    assert result.evaluation["n_test_persons"] == result.evaluation["n_test_rows"]  # one cutoff
