"""Keep-alive and pipelining: several requests in one TCP write are answered in order on the
same connection; ``Connection: close`` and HTTP/1.0 close after their response; an HTTP/1.0
client asking for keep-alive is told ``Connection: keep-alive`` (else it would close) and the
connection stays open."""
import json
import socket


def _connect(server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=5)
    return sock


def test_pipelined_requests_answered_in_order(server, read_responses):
    users = ["c-0001", "nobody", "c-0002"]
    burst = b"".join(f"GET /v1/decisions/{u} HTTP/1.1\r\nHost: t\r\n\r\n".encode() for u in users)
    burst += b"GET /nope HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(burst)
        responses = read_responses(sock, 5)
        # the connection stays open for more
        sock.sendall(b"GET /v1/decisions/c-0003 HTTP/1.1\r\nHost: t\r\n\r\n")
        (status, headers, body), = read_responses(sock, 1)

    assert [json.loads(b)["user_id"] for _, _, b in responses[:3]] == users
    assert [s for s, _, _ in responses] == [200, 200, 200, 404, 200]
    assert json.loads(responses[4][2])["status"] == "ok"
    assert all("connection" not in h for _, h, _ in responses)
    assert status == 200 and json.loads(body)["user_id"] == "c-0003"


def test_connection_close_and_http10_close_after_response(server, read_responses):
    for request in (b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                    b"GET /healthz HTTP/1.0\r\n\r\n"):
        with _connect(server) as sock:
            sock.sendall(request)
            (status, headers, _), = read_responses(sock, 1)
            assert status == 200 and headers["connection"] == "close"
            assert sock.recv(1) == b"", "server must close the connection"


def test_malformed_request_gets_400_and_close(server, read_responses):
    with _connect(server) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        (status, headers, body), = read_responses(sock, 1)
        assert status == 400 and json.loads(body)["error"] == "bad_request"
        assert sock.recv(1) == b""


def test_http10_keep_alive_is_acknowledged(server, read_responses):
    request = b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    decision = b"GET /v1/decisions/c-0001 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    with _connect(server) as sock:
        sock.sendall(request + decision)
        responses = read_responses(sock, 2)
        sock.sendall(b"GET /nope HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        responses += read_responses(sock, 1)
    assert [s for s, _, _ in responses] == [200, 200, 404]
    assert all(h["connection"].lower() == "keep-alive" for _, h, _ in responses)
    assert json.loads(responses[1][2])["user_id"] == "c-0001"
