"""The server finds rows with exactly the pipeline's pseudonymisation, for any UTF-8 id,
including ids that must be percent-encoded in the URL and escaped in JSON."""
from urllib.parse import quote

import pytest

from tailor.privacy import pseudonymise
from tailor.serving.app import pseudonymiser


@pytest.mark.parametrize("key", ["k3y", "", "ключ", "k" * 64, "k" * 65, "long" * 40])
@pytest.mark.parametrize("customer_id", ["c-0001", "ÄÖü@example.com", "a b/c\"", "x" * 300, ""])
def test_bytes_pseudonymiser_matches_privacy(customer_id, key):
    for length in (20, 64):
        fast = pseudonymiser(key, length)
        assert fast(customer_id.encode()) == pseudonymise(customer_id, key, length).encode()


def test_percent_encoded_id_is_found(client, odd_customer):
    body = client.get("/v1/decisions/" + quote(odd_customer, safe="")).json()

    assert body["known"] is True and body["user_id"] == odd_customer
