"""A client that sends `Expect: 100-continue` (curl does for larger bodies) gets the interim
100 Continue before sending its body, then the real answer; if its Content-Length is over the
body limit it gets 413 at once (never 100) and the connection closes."""
import json
import socket


def test_expect_100_continue(full_server):
    body = json.dumps({"event_type": "view", "customer_id": "c-1", "item_id": "i1"}).encode()
    head = (b"POST /v1/events HTTP/1.1\r\nHost: t\r\nX-API-Key: test-events-key\r\n"
            b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    with socket.create_connection((full_server.host, full_server.port), timeout=10) as sock:
        sock.sendall(head)
        interim = sock.recv(1024)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim
        sock.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            answer += sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 202 ")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["accepted"] == 1


def test_expect_100_continue_over_limit_is_413(full_server, cfg, read_responses):
    too_long = cfg.serving.max_body_bytes + 1
    head = (b"POST /v1/events HTTP/1.1\r\nHost: t\r\nX-API-Key: test-events-key\r\n"
            b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\n\r\n" % too_long)
    with socket.create_connection((full_server.host, full_server.port), timeout=10) as sock:
        sock.sendall(head)
        (status, headers, body), = read_responses(sock, 1)
        assert status == 413, status
        assert json.loads(body)["error"] == "body_too_large"
        assert headers["connection"] == "close"
        assert sock.recv(1) == b""
