"""Over serving.connections.max open connections a new one is refused politely (503 with
Retry-After, then closed) and the server says so once in its log, not once per connection;
when connections close, new ones are served again. The cap keeps file descriptors free for the
server's own files (snapshot checks, landing writers): it is never more than RLIMIT_NOFILE minus
serving.connections.fd_reserve, and the log says when that lowered it."""
import json
import re
import resource
import socket

import httpx
import pytest

from tailor.serving.server import connection_cap

GET = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"


def test_over_the_cap_is_503_once_in_the_log(published, start_server, caplog, read_responses,
                                              wait_until):
    srv = start_server(max_connections=4)
    held = [socket.create_connection((srv.host, srv.port), timeout=5) for _ in range(4)]
    try:
        for sock in held:
            sock.sendall(GET)
            assert read_responses(sock, 1)[0][0] == 200
        for _ in range(3):
            with socket.create_connection((srv.host, srv.port), timeout=5) as sock:
                (status, headers, body), = read_responses(sock, 1)
                assert status == 503 and headers["retry-after"] == "1"
                assert headers["connection"] == "close"
                assert json.loads(body)["error"] == "too_many_connections"
                assert sock.recv(1) == b""
        assert caplog.text.count("connection cap reached") == 1
    finally:
        held[0].close()

    def served_again() -> bool:
        with socket.create_connection((srv.host, srv.port), timeout=5) as sock:
            sock.sendall(GET)
            return read_responses(sock, 1)[0][0] == 200

    try:
        wait_until(served_again, what="a new connection served once one closed")
        for sock in held[1:]:
            sock.close()
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=5) as client:
            metrics = client.get("/metrics").text
    finally:
        for sock in held:
            sock.close()
    assert re.search(r"^tailor_connections_refused_total 3$", metrics, re.M)
    assert re.search(r"^tailor_max_connections 4$", metrics, re.M)


def test_cap_leaves_file_descriptors_for_the_server():
    assert connection_cap(10_000, reserve=64, nofile=200) == 136
    assert connection_cap(100, reserve=64, nofile=200) == 100
    assert connection_cap(10_000, reserve=64, nofile=resource.RLIM_INFINITY) == 10_000
    assert connection_cap(10_000, reserve=64, nofile=50) == 1


def test_server_lowers_the_cap_to_its_fd_limit_and_says_so(published, start_server, caplog):
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        pytest.skip("no file descriptor limit to derive a cap from")
    srv = start_server(max_connections=10 ** 9, fd_reserve=64)
    assert srv.server.limits.max_connections == soft - 64
    assert "RLIMIT_NOFILE" in caplog.text and f"capping at {soft - 64}" in caplog.text
