"""The local overlay keeps a channel's consent changes for ``local_consent_ttl`` after the last
one was *received*: a revocation dated long ago counts from its receipt, and expires only a TTL
after that."""
from tailor.events import iso_utc
from tailor.serving.overlay import Overlay
from tailor.serving.records import CHANNEL_CODES

DAY = 86400.0


def test_ttl_runs_from_receipt_not_event_time():
    now = [1_800_000_000.0]
    overlay = Overlay(lambda raw: raw, consent_ttl=7 * DAY, clock=lambda: now[0])
    overlay.apply_event({"event_type": "unsubscribe", "customer_id": "c1", "channel": "sms",
                         "ts": iso_utc(now[0] - 30 * DAY), "received_at": iso_utc(now[0])})
    sms = CHANNEL_CODES["sms"]
    assert sms in overlay.view[b"c1"][0]

    now[0] += 6 * DAY
    overlay.tick()
    assert sms in overlay.view[b"c1"][0]  # 36 days after its ts, 6 after its receipt

    now[0] += 2 * DAY
    overlay.tick()
    assert b"c1" not in overlay.view  # a TTL after receipt: the pipeline has it by now
