"""Hand-made bronze events for the identity tests: ``bronze([...rows...])``."""
from datetime import datetime, timezone

import pytest

SCHEMA = ("event_id string, event_type string, event_ts timestamp, customer_id string, email string, "
          "anonymous_id string, device_id string, item_id string, category string, price double, "
          "quantity int, channel string, message_id string, action_id string, send_hour int, "
          "discount double, propensity double, granted boolean, event_date string, "
          "landing_file string, ingested_at timestamp, received_at timestamp")


def event(eid, etype, hour, customer=None, anon=None, device=None, email=None):
    """One bronze row on 2026-09-01 at ``hour`` (0..23) or a later day for hour >= 24."""
    ts = datetime(2026, 9, 1 + hour // 24, hour % 24, tzinfo=timezone.utc)
    return (eid, etype, ts, customer, email, anon, device, "i1", None, None, None, None, None, None,
            None, None, None, None, ts.date().isoformat(), "f", ts, None)


@pytest.fixture
def bronze(spark):
    def make(rows):
        return spark.createDataFrame([event(*r) if isinstance(r, tuple) else event(**r)
                                      for r in rows], SCHEMA)
    return make
