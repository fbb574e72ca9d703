"""silver.events (governance): a direct identifier column breaks the contract, named in the report."""
from __future__ import annotations

from tailor.expectations import get_contract
from tailor.quality import ContractBreach, validate_frame


def test_customer_id_column_in_silver_fails_naming_the_column(good_silver_events):
    contract = get_contract("silver.events")
    frame = good_silver_events.assign(customer_id="c1")

    result = validate_frame(frame, contract.suite(frame), table="silver.events", ds="2026-10-01")

    assert not result.success
    forbidden = result.outcome("expect_table_columns_to_not_include")
    assert not forbidden.success and forbidden.observed_value == ["customer_id"]
    assert "customer_id" in str(ContractBreach(result))
    assert set(result.failed_expectations) == {"expect_table_columns_to_not_include",
                                               "expect_table_columns_to_match_set"}
