"""Anonymous ids and devices are linked by logins to their true owner."""
from __future__ import annotations

from collections import defaultdict

import polars as pl
import pytest


@pytest.fixture(scope="module")
def owner(small_world) -> dict[str, str]:
    identity = pl.read_parquet(small_world / "ground_truth" / "identity.parquet")
    assert set(identity["id_type"]) == {"device", "anonymous"}
    assert identity["id_value"].n_unique() == identity.height
    return dict(zip(identity["id_value"], identity["customer_id"]))


def test_logins_link_ids_to_the_right_customer(small_events, owner):
    logins = [e for e in small_events if e["event_type"] == "login"]
    assert len(logins) > 100
    for e in logins:
        assert owner[e["anonymous_id"]] == e["customer_id"]
        assert owner[e["device_id"]] == e["customer_id"]


def test_every_landing_id_has_a_true_owner(small_events, owner):
    for e in small_events:
        for key in ("anonymous_id", "device_id"):
            if key in e:
                assert e[key] in owner
                if "customer_id" in e:
                    assert owner[e[key]] == e["customer_id"]


def test_cookies_are_anonymous_until_a_login(small_events):
    first_login: dict[str, str] = {}
    for e in small_events:
        if e["event_type"] == "login":
            first_login.setdefault(e["anonymous_id"], e["ts"])
    anonymous = identified = 0
    for e in small_events:
        if "anonymous_id" not in e:
            continue
        if "customer_id" in e:
            identified += 1
            assert e["anonymous_id"] in first_login and e["ts"] >= first_login[e["anonymous_id"]]
        else:
            anonymous += 1
    assert anonymous > 100 and identified > 100


def test_users_have_up_to_three_devices_and_some_never_log_in(small_events, owner):
    devices = defaultdict(set)
    for value, customer in owner.items():
        if value.startswith("d-"):
            devices[customer].add(value)
    assert max(len(v) for v in devices.values()) <= 3
    assert any(len(v) > 1 for v in devices.values())
    logged = {e["device_id"] for e in small_events if e["event_type"] == "login"}
    seen = {e["device_id"] for e in small_events if "device_id" in e}
    never = seen - logged
    assert 0.02 < len(never) / len(seen) < 0.5
    # Their events stay anonymous: guest checkout, no customer id ever.
    assert not any("customer_id" in e for e in small_events if e.get("device_id") in never)
