"""A frame that honours its table contract passes (real GX validation, every registered table)."""
from __future__ import annotations

import pytest

from tailor.expectations import get_contract, registered_tables
from tailor.quality import validate_frame

WARNINGS_EXPECTED = {"training.ranker"}  # its good frame has a (declared nullable) missing price


@pytest.mark.parametrize("table", registered_tables())
def test_good_frame_passes(table, good_frame):
    contract = get_contract(table)
    frame = good_frame(table)

    result = validate_frame(frame, contract.suite(frame), table=table, ds="2026-10-01",
                            prepare=contract.prepare, id_column=contract.id_column)

    assert result.success, result.summary()
    assert result.failures == []
    assert bool(result.warnings) == (table in WARNINGS_EXPECTED), result.summary()
    assert result.row_count == len(frame)
    assert len(result.outcomes) >= 8  # the whole suite ran, not an empty one
    assert not any(o.exception for o in result.outcomes), result.summary()
