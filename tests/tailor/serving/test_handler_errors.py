"""Whatever a handler raises, the client gets JSON and the log is not flooded: malformed input
(JSON nested 100,000 deep, or just shallow enough for the parser but too deep to land, a lone
UTF-16 surrogate escape) is a 400 naming the problem; a bug
is a JSON 500 (synchronous or deferred handler alike), its traceback logged once per exception
type, every occurrence counted in /metrics."""
import re

import httpx
import pytest

from tailor.serving.app import DecisionApp
from tailor.serving.server import LookupServer


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  b'{"user_ids": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                                  b'{"user_ids": ["\\udc00"]}'])
def test_malformed_json_is_400(client, body):
    resp = client.post("/v1/decisions:batch", content=body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "bad_request" and resp.json()["detail"]
    assert client.get("/healthz").status_code == 200


def test_nesting_just_under_the_parser_limit_is_never_a_500(client):
    statuses = set()
    for depth in range(900, 1010):  # parsed, then re-encoded a few frames deeper
        body = b'{"user_ids": ["\\u0041"], "k": ' + b"[" * depth + b"]" * depth + b"}"
        statuses.add(client.post("/v1/decisions:batch", content=body).status_code)
    assert statuses == {400}


def test_deep_event_field_is_never_a_500(full_client, events_auth):
    statuses = set()
    for depth in range(900, 1010):  # landing re-encodes the event a few frames deeper
        body = (b'{"event_type": "view", "customer_id": "c-1", "item_id": "i1", "x": '
                + b"[" * depth + b"]" * depth + b"}")
        statuses.add(full_client.post("/v1/events", content=body, headers=events_auth)
                     .status_code)
    assert statuses <= {202, 400}


def test_bug_is_json_500_logged_once_and_counted(published, start_server, admin_auth, caplog,
                                                 monkeypatch):
    def broken(self, conn, url):
        raise ZeroDivisionError("boom")

    async def broken_reload(self):
        raise KeyError("deferred boom")

    monkeypatch.setattr(DecisionApp, "_healthz", broken)
    monkeypatch.setattr(LookupServer, "reload_now", broken_reload)
    srv = start_server()
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=10) as client:
        for _ in range(3):
            resp = client.get("/healthz")
            assert resp.status_code == 500 and resp.json()["error"] == "internal_error"
            assert "ZeroDivisionError" in resp.json()["detail"]
            deferred = client.post("/v1/admin/reload", headers=admin_auth)
            assert deferred.status_code == 500 and deferred.json()["error"] == "internal_error"
        metrics = client.get("/metrics").text
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert sorted(r.exc_info[0].__name__ for r in tracebacks) == ["KeyError", "ZeroDivisionError"]
    counts = dict(re.findall(r'^tailor_handler_errors_total\{type="(\w+)"\} (\d+)$', metrics, re.M))
    assert counts == {"ZeroDivisionError": "3", "KeyError": "3"}
    assert 'tailor_http_requests_total{route="healthz",status="500"} 3' in metrics
