"""Slow or silent clients cannot starve the server: a connection that sends half a request head,
half a body (even trickling a byte of head now and then) or nothing at all is closed after its
timeout (serving.timeouts.*; a half-sent request is told 408 first), and while they hang on,
other clients are answered as usual."""
import socket

import httpx


def _closed_by_server(sock: socket.socket, received: list[bytes]) -> bool:
    """True once the server has closed ``sock``; what it sent before is kept in ``received``."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
            received.append(data)
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def test_slow_clients_time_out_while_others_are_served(published, start_server, wait_until):
    srv = start_server(header_timeout=0.5, body_timeout=0.5, keepalive_timeout=1.0)

    def connect(data: bytes = b"") -> socket.socket:
        sock = socket.create_connection((srv.host, srv.port), timeout=5)
        sock.sendall(data)
        return sock

    idle = [connect() for _ in range(5)]
    half_head = [connect(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ") for _ in range(5)]
    half_body = [connect(b'POST /v1/decisions:batch HTTP/1.1\r\nHost: t\r\n'
                         b'Content-Length: 100\r\n\r\n{"user_ids"') for _ in range(5)]
    trickler = connect(b"GET /healthz HTTP/1.1\r\nX-")
    slow = [*idle, *half_head, *half_body, trickler]
    received: dict[int, list[bytes]] = {id(s): [] for s in slow}
    try:
        with httpx.Client(base_url=srv.url, trust_env=False, timeout=5) as client:
            for _ in range(20):
                assert client.get("/v1/decisions/c-0001").status_code == 200
            assert client.post("/v1/decisions:batch",
                               json={"user_ids": ["c-0002"]}).status_code == 200

        def all_closed() -> bool:
            try:
                trickler.send(b"a")  # a header that never ends, a byte at a time
            except OSError:
                pass
            return all([_closed_by_server(s, received[id(s)]) for s in slow])

        wait_until(all_closed, timeout=30, what="the server closing every slow connection")
    finally:
        for sock in slow:
            sock.close()
    for sock in [*half_head, *half_body, trickler]:
        answer = b"".join(received[id(sock)])
        assert answer.startswith(b"HTTP/1.1 408 ") and b'"error": "request_timeout"' in answer
    assert all(received[id(s)] == [] for s in idle)
    with httpx.Client(base_url=srv.url, trust_env=False, timeout=5) as client:
        metrics = client.get("/metrics").text
    for phase, n in (("header", 6), ("body", 5), ("keepalive", 5)):
        assert f'tailor_connections_timed_out_total{{phase="{phase}"}} {n}' in metrics
