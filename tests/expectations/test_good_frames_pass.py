"""A frame that honours its table contract passes (real GX validation, every registered table)."""
from __future__ import annotations

import pytest

from expectations import get_contract, registered_tables
from tailor.quality import validate_frame

FIXTURE_FOR = {"bronze.events": "good_events", "gold.decisions": "good_decisions"}


def test_every_registered_table_has_a_good_frame_here():
    assert set(registered_tables()) == set(FIXTURE_FOR)


@pytest.mark.parametrize("table", sorted(FIXTURE_FOR))
def test_good_frame_passes(table, request):
    contract = get_contract(table)
    frame = request.getfixturevalue(FIXTURE_FOR[table])

    result = validate_frame(frame, contract.build_suite(), table=table, ds="2026-10-01",
                            prepare=contract.prepare)

    assert result.success, result.summary()
    assert result.failures == [] and result.warnings == []
    assert result.row_count == len(frame)
    assert len(result.outcomes) >= 30  # the whole suite ran, not an empty one
