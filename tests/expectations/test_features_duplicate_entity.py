"""features.* (generated from the registry): two rows for one entity in a ds break the contract."""
from __future__ import annotations

import pandas as pd
import pytest

from tailor.expectations import get_contract
from tailor.features.registry import GROUPS
from tailor.quality import validate_frame


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_duplicate_entity_fails(group, good_frame):
    g = GROUPS[group]
    contract = get_contract(g.table)
    good = good_frame(g.table)
    frame = pd.concat([good, good.iloc[[0]]], ignore_index=True)

    result = validate_frame(frame, contract.suite(frame), table=g.table, ds="2026-10-01")

    assert result.failed_expectations == [f"expect_column_values_to_be_unique({g.entity})"]
