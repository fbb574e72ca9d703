"""The Python client talks to a real server: decisions (single, batch, parameters), events
(ids assigned client-side, so retries are safe), consent revocation, admin calls, and errors
as TailorError with the server's status and code."""
import pytest

from tailor.client import TailorClient, TailorError


def test_client_against_real_server(full_server, published, message_customer, odd_customer):
    customer = message_customer("email")
    with TailorClient(full_server.url, api_key="test-events-key") as tailor:
        assert tailor.health()["snapshot_id"] == published.snapshot_id and tailor.ready()
        one = tailor.decision(customer, k=2, surface="home")
        assert one["known"] and len(one["recommendations"]) == 2 and one["surface"] == "home"
        assert tailor.decision(odd_customer)["user_id"] == odd_customer
        many = tailor.decisions([customer, "nobody"], k=2, surface="home")
        assert many[0] == one and many[1]["known"] is False

        event_id = tailor.send_event("view", customer_id=customer, item_id="i1")
        assert len(event_id) == 32
        tailor.revoke_consent(customer, "email")
        assert tailor.decision(customer)["message"] is None

        with pytest.raises(TailorError) as err:
            tailor.decision(customer, k=-1)
        assert err.value.status == 400 and err.value.error == "bad_request"
        with pytest.raises(TailorError) as err:
            tailor.snapshots()  # an events key is not an admin key
        assert err.value.status == 403
        assert "tailor_decisions_total" in tailor.metrics()
        assert "/v1/decisions/{user_id}" in tailor.openapi()["paths"]
    with TailorClient(full_server.url, api_key="test-admin-key") as admin:
        assert admin.snapshots()["serving"] == published.snapshot_id
        assert admin.reload()["serving"] == published.snapshot_id
        with pytest.raises(TailorError) as err:
            admin.rollback()  # only one snapshot: nothing to go back to
        assert err.value.status == 409
    with TailorClient("http://127.0.0.1:9", timeout=1, retries=0) as nowhere:
        with pytest.raises(TailorError) as err:
            nowhere.health()
        assert err.value.status == 0
