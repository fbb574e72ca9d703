"""training.*: a person in both train and test (leakage) breaks the contract, naming the person."""
from __future__ import annotations

import pandas as pd
import pytest

from tailor.expectations import get_contract
from tailor.quality import validate_frame


@pytest.mark.parametrize("table", ["training.ltv", "training.ranker"])
def test_person_in_train_and_test_fails(table, good_frame):
    contract = get_contract(table)
    good = good_frame(table)
    leak = good.iloc[[0]].assign(split="test", cutoff="2026-09-10")  # p1 again, other side
    frame = pd.concat([good, leak], ignore_index=True)

    result = validate_frame(frame, contract.suite(frame), table=table, ds="2026-10-01",
                            prepare=contract.prepare, id_column=contract.id_column)

    assert result.failed_expectations == [
        "expect_column_values_to_be_in_set(_person_in_one_split)"]
    outcome = result.outcome("expect_column_values_to_be_in_set", "_person_in_one_split")
    assert outcome.unexpected_count == 2 and outcome.sample_ids == ["p1"]
