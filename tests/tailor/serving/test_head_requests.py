"""HEAD works on every GET route: the status and headers GET would give (Content-Length
included), no body; the connection stays usable (the next response is framed right)."""
import json

import pytest


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json", "/v1/decisions/c-0001",
                                  "/v1/decisions/c-0001?k=1", "/v1/decisions/c-0001?k=x"])
def test_head_mirrors_get_without_body(server, client, raw_http, path):
    get = client.get(path)
    request = f"HEAD {path} HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    (head, after), _ = raw_http(server, request.encode(), count=2, heads=(0,))

    status, headers, body = head
    assert status == get.status_code
    assert body == b""
    assert int(headers["content-length"]) == len(get.content)
    assert headers["content-type"] == get.headers["content-type"]
    assert after[0] == 200 and json.loads(after[2])["status"] == "ok"


def test_head_on_post_route_is_405_with_allow(server, raw_http):
    (resp,), _ = raw_http(server, b"HEAD /v1/events HTTP/1.1\r\nHost: t\r\n\r\n", heads=(0,))
    assert resp[0] == 405 and resp[1]["allow"] == "POST" and resp[2] == b""


def test_allow_header_lists_head_for_get_routes(client):
    resp = client.put("/healthz", content=b"{}")
    assert resp.status_code == 405 and resp.headers["allow"] == "GET, HEAD"
