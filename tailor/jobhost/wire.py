"""The job host's messages: length-prefixed JSON objects over a Unix stream socket, the first
one carrying the caller's stdin, stdout and stderr as file descriptors (``SCM_RIGHTS``).

caller → host: ``{"argv", "env", "cwd", "umask"}`` (+ 3 fds), then ``{"signal": N}`` to pass on
a signal. host → caller: ``{"refused": reason}`` (the caller runs the job itself), or
``{"pid": N}`` when the job started and ``{"exit": code}`` when it ended (a code < 0 is the
signal that killed it, as in :mod:`subprocess`).
"""
from __future__ import annotations

import json
import socket
import struct
from typing import Any

HEADER = struct.Struct("!I")
MAX_MESSAGE = 16 * 2**20   # an environment is a few kB; anything larger is not ours
FDS = 3                    # stdin, stdout, stderr


class WireError(ConnectionError):
    """The other side closed the connection, or sent something that is not a message."""


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end of a connected Unix socket."""
    _pid, uid, _gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                          struct.calcsize("3i")))
    return int(uid)


def send(sock: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode()
    payload = HEADER.pack(len(data)) + data
    if fds:
        socket.send_fds(sock, [payload[:HEADER.size]], list(fds))
        sock.sendall(payload[HEADER.size:])
    else:
        sock.sendall(payload)


def _exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(left)
        if not chunk:
            raise WireError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, with_fds: bool = False) -> tuple[dict[str, Any], list[int]]:
    """The next message (and the descriptors sent with it, when ``with_fds``)."""
    fds: list[int] = []
    if with_fds:
        head, fds, _, _ = socket.recv_fds(sock, HEADER.size, FDS)
        if not head:
            raise WireError("connection closed")
        if len(head) < HEADER.size:
            head += _exactly(sock, HEADER.size - len(head))
    else:
        head = _exactly(sock, HEADER.size)
    (size,) = HEADER.unpack(head)
    if size > MAX_MESSAGE:
        raise WireError(f"a message of {size} bytes is not a job host message")
    try:
        message = json.loads(_exactly(sock, size))
    except ValueError as exc:
        raise WireError(f"not a job host message: {exc}") from exc
    if not isinstance(message, dict):
        raise WireError("not a job host message: not an object")
    return message, fds
