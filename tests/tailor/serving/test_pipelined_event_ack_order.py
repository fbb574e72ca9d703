"""An event POST waits for its fsync (policy always) before its 202, yet pipelined requests on
the same connection are still answered in order: the decision sent after the POST comes back
after the POST's acknowledgement."""
import json
import socket


def _read(sock, count):
    buf, out = b"", []
    while len(out) < count:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            assert chunk, "connection closed"
            buf += chunk
        head, buf = buf.split(b"\r\n\r\n", 1)
        length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")]
                     [0].split(b":")[1])
        while len(buf) < length:
            buf += sock.recv(65536)
        out.append((int(head.split()[1]), json.loads(buf[:length])))
        buf = buf[length:]
    return out


def test_pipelined_answers_keep_order_around_deferred_ack(published, start_server):
    srv = start_server(events_fsync="always")
    event = json.dumps({"event_type": "view", "customer_id": "c-0001", "item_id": "i1"}).encode()
    post = (b"POST /v1/events HTTP/1.1\r\nHost: t\r\nX-API-Key: test-events-key\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%b" % (len(event), event))
    get = b"GET /v1/decisions/c-0002 HTTP/1.1\r\nHost: t\r\n\r\n"
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(get + post + get + post + get)
        answers = _read(sock, 5)
    assert [status for status, _ in answers] == [200, 202, 200, 202, 200]
    assert [("user_id" in body, "accepted" in body) for _, body in answers] == \
        [(True, False), (False, True), (True, False), (False, True), (True, False)]
