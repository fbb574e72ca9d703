"""Integer event fields take integers in the JSON Schema sense (what /openapi.json promises):
2 and 2.0 are valid and land in bronze as the integer 2; 2.5, "2" and true are bad types. A
number field given an integer no float can hold is a bad value (not an exception)."""
import json

import pytest

from tailor.events import validate_event
from tailor.ingestion.parse import parse_line

PURCHASE = {"event_id": "e", "event_type": "purchase", "ts": "2026-09-01T00:00:00Z",
            "customer_id": "C1", "item_id": "I", "price": 10}


@pytest.mark.parametrize("quantity", [2, 2.0])
def test_integral_numbers_are_integers(quantity):
    assert validate_event({**PURCHASE, "quantity": quantity}) is None
    row = parse_line(json.dumps({**PURCHASE, "quantity": quantity}), "f")
    assert row["reason"] is None and row["quantity"] == 2 and type(row["quantity"]) is int


@pytest.mark.parametrize("quantity", [2.5, "2", True])
def test_other_values_are_bad_types(quantity):
    assert validate_event({**PURCHASE, "quantity": quantity}) == "bad_type:quantity"


@pytest.mark.parametrize("field", ["price", "propensity", "discount"])
def test_number_too_large_for_a_float_is_a_bad_value(field):
    assert validate_event({**PURCHASE, "quantity": 1, field: 10 ** 400}) == f"bad_value:{field}"
