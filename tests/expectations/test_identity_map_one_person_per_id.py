"""silver.identity_map: one hashed id mapped to two persons breaks the contract."""
from __future__ import annotations

import pandas as pd

from tailor.expectations import get_contract
from tailor.quality import validate_frame


def test_same_id_two_persons_fails(good_identity_map):
    contract = get_contract("silver.identity_map")
    twin = good_identity_map.iloc[[0]].assign(person_id="p9")
    frame = pd.concat([good_identity_map, twin], ignore_index=True)

    result = validate_frame(frame, contract.suite(frame), table="silver.identity_map",
                            ds="2026-10-01")

    assert result.failed_expectations == ["expect_compound_columns_to_be_unique"]
