"""GET /metrics is Prometheus text: request counters by route and status, decisions by
known/unknown, overlay edits, the latency histogram and the served snapshot."""
import re


def test_metrics_count_what_happened(full_client, published):
    for _ in range(3):
        full_client.get("/v1/decisions/c-0001")
    full_client.get("/v1/decisions/nobody-at-all")
    full_client.get("/v1/decisions/c-0001?k=nope")
    full_client.get("/nowhere")
    resp = full_client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    samples = dict(re.findall(r"^(\S+) (\S+)$", text, re.M))
    assert samples['tailor_http_requests_total{route="decision",status="200"}'] == "4"
    assert samples['tailor_http_requests_total{route="decision",status="400"}'] == "1"
    assert samples['tailor_http_requests_total{route="unknown",status="404"}'] == "1"
    assert samples['tailor_decisions_total{known="true"}'] == "3"
    assert samples['tailor_decisions_total{known="false"}'] == "1"
    assert f'tailor_snapshot_info{{snapshot_id="{published.snapshot_id}"' in text
    assert "# TYPE tailor_request_duration_seconds histogram" in text
    assert 'tailor_request_duration_seconds_bucket{le="+Inf"}' in text
    for line in text.splitlines():
        assert line.startswith("#") or re.match(r"^[a-z_]+(\{[^}]*\})? -?[\d.e+-]+$", line), line
