"""The request head (request line + headers) has its own limit, serving.max_head_bytes
(64 KiB by default), independent of the body limit: over it is a 431 and the connection
closes, under it is answered; a burst of pipelined small requests larger than the limit is not
mistaken for one big head."""
import json

import pytest

from tailor.serving.server import ServerSettings


def _get_with_header(size: int) -> bytes:
    return (b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * size + b"\r\n\r\n")


def test_default_head_limit_is_64k():
    assert ServerSettings("d", "k", 20).max_head == 65536


@pytest.mark.parametrize("size,status", [(70_000, 431), (60_000, 200)])
def test_head_limit_in_one_write(server, raw_http, closed_by_server, size, status):
    (resp,), sock = raw_http(server, _get_with_header(size))
    assert resp[0] == status
    if status == 431:
        assert json.loads(resp[2])["error"] == "request_header_fields_too_large"
        assert closed_by_server(sock)


def test_unfinished_head_over_the_limit_is_431(server, raw_http, closed_by_server):
    unfinished = _get_with_header(120_000)[:-4]  # the head never ends: refused while arriving
    (resp,), sock = raw_http(server, unfinished)
    assert resp[0] == 431 and closed_by_server(sock)


def test_head_limit_is_configurable(start_server, published, raw_http):
    srv = start_server(max_head=4096)
    (small,), _ = raw_http(srv, _get_with_header(3000))
    (big,), _ = raw_http(srv, _get_with_header(5000))
    assert (small[0], big[0]) == (200, 431)


def test_pipelined_burst_larger_than_the_limit_is_fine(server, raw_http):
    burst = b"GET /v1/decisions/c-0001 HTTP/1.1\r\nHost: t\r\n\r\n" * 3000  # ~150 KB
    responses, _ = raw_http(server, burst, count=3000)
    assert {status for status, _, _ in responses} == {200}
