"""The job host's messages over a socket pair: an object and three file descriptors arrive
intact; a closed connection or something that is not a message is a WireError."""
import os
import socket

import pytest

from tailor.jobhost import wire


def test_a_message_and_its_descriptors_arrive_intact():
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pipes = [os.pipe() for _ in range(3)]
    try:
        message = {"argv": ["run", "drift", "--ds", "2026-10-15"], "env": {"A": "é"}, "umask": 18}
        wire.send(left, message, fds=tuple(w for _, w in pipes))
        got, fds = wire.receive(right, with_fds=True)
        assert got == message and len(fds) == 3
        for fd, (r, _) in zip(fds, pipes):   # each received fd is the pipe's write end
            os.write(fd, b"ok")
            os.close(fd)
            assert os.read(r, 2) == b"ok"
        wire.send(right, {"exit": -15})
        assert wire.receive(left) == ({"exit": -15}, [])
    finally:
        for r, w in pipes:
            os.close(r)
            os.close(w)
        left.close()
        right.close()


def test_a_closed_connection_is_a_wire_error():
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    left.close()
    with pytest.raises(wire.WireError, match="closed"):
        wire.receive(right)
    right.close()


@pytest.mark.parametrize("payload, match", [
    (wire.HEADER.pack(wire.MAX_MESSAGE + 1), "not a job host message"),
    (wire.HEADER.pack(5) + b"nope!", "not a job host message"),
    (wire.HEADER.pack(2) + b"[]", "not an object"),
])
def test_what_is_not_a_message_is_refused(payload, match):
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    left.sendall(payload)
    with pytest.raises(wire.WireError, match=match):
        wire.receive(right)
    left.close()
    right.close()
