"""HTTP/1.1 on a raw asyncio transport with httptools: framing only, no routing.

Why not a framework: a lookup is a few microseconds, so per-request framework overhead would
dominate. Here a request costs the parser callbacks and one ``transport.write``. Responses on a
connection go out in request order (pipelining is correct by construction): most are answered
synchronously; one that must wait (an event write waiting for its fsync, an admin action) holds
a slot, and later responses queue behind it. Keep-alive follows the parser's verdict (HTTP/1.0
without keep-alive, or ``Connection: close``, closes after the response).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from functools import lru_cache
from typing import Any, Awaitable, Protocol

import httptools

log = logging.getLogger("tailor.serving")

MAX_URL_BYTES = 8192
MAX_HEAD_BYTES = 65536  # request line + headers
MAX_PENDING = 64  # deferred responses per connection before reading pauses
SAMPLE = 8  # 1 in SAMPLE synchronous answers is timed for the latency histogram
JSON = b"application/json"
REASONS = {100: "Continue", 200: "OK", 202: "Accepted", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict",
           413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
           422: "Unprocessable Content", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 503: "Service Unavailable"}
_KEEP = b"\r\n\r\n"
_CLOSE = b"\r\nConnection: close\r\n\r\n"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


@lru_cache(maxsize=None)
def head(status: int, content_type: bytes = JSON, extra: bytes = b"") -> bytes:
    """Response head up to the Content-Length value (``extra``: more header lines, CRLF-ended)."""
    return (b"HTTP/1.1 %d %s\r\nServer: tailor\r\nContent-Type: %s\r\n%sContent-Length: "
            % (status, REASONS[status].encode(), content_type, extra))


def error_body(error: str, detail: str, **more: Any) -> bytes:
    """The JSON error contract shared by every non-2xx answer."""
    return json.dumps({"error": error, "detail": detail, **more}, ensure_ascii=False).encode()


def error(status: int, error_code: str, detail: str, extra: bytes = b"",
          **more: Any) -> tuple[bytes, bytes]:
    return head(status, JSON, extra), error_body(error_code, detail, **more)


class App(Protocol):
    """What the protocol calls: (head, body) now, or an awaitable of it, or (only when
    ``keep_alive``) the complete response bytes."""

    def handle(self, conn: "HttpProtocol", method: bytes, url: bytes, keep_alive: bool
               ) -> bytes | tuple[bytes, bytes] | Awaitable[tuple[bytes, bytes]]: ...

    def observe(self, seconds: float) -> None: ...


class HttpProtocol(asyncio.Protocol):
    """One client connection. ``connections`` lets the server close idle ones on shutdown."""

    __slots__ = ("_app", "_connections", "_parser", "_transport", "_url", "_closing",
                 "headers", "on_header", "body", "_body_size", "_max_body", "_queue", "_paused",
                 "_too_large", "_n", "_pending_bytes", "_continued")

    def __init__(self, app: App, connections: set[HttpProtocol], max_body: int) -> None:
        self._app = app
        self._connections = connections
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._closing = False
        # Headers of the request being handled, name (as sent) -> value. The parser calls the
        # dict's own __setitem__ (a C call, no Python frame): cheaper than a Python on_header
        # for every header of every request. A repeated header keeps its last value.
        self.headers: dict[bytes, bytes] = {}
        self.on_header = self.headers.__setitem__
        self._pending_bytes = 0  # bytes of the request in progress (bounds header floods)
        self._continued = False
        self.body: list[bytes] | None = None
        self._body_size = 0
        self._max_body = max_body
        self._too_large = False
        self._queue: deque | None = None  # pending responses while one is deferred
        self._paused = False
        self._n = 0  # requests on this connection (latency is sampled: 1 in SAMPLE)
        self._parser = httptools.HttpRequestParser(self)  # after on_header exists

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        self._closing = True

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.close()  # the request itself was answered (404/405); no protocol switch
            return
        except httptools.HttpParserError as exc:
            if not self._too_large:
                self._fail(400, "bad_request", f"malformed HTTP request: {exc}")
            return
        if self._url:  # a request is still in progress after this chunk
            self._pending_bytes += len(data)
            if self._pending_bytes > MAX_HEAD_BYTES + self._max_body:
                self._fail(431, "request_too_large", "request head too large")
            elif not self._continued and self.headers and self._queue is None:
                for name, value in self.headers.items():
                    if name.lower() == b"expect" and value.lower() == b"100-continue":
                        self._continued = True
                        self._transport.write(_CONTINUE)

    # A slow reader must not make us buffer unbounded pipelined responses.
    def pause_writing(self) -> None:
        self._transport.pause_reading()

    def resume_writing(self) -> None:
        if not self._paused:
            self._transport.resume_reading()

    # -- httptools callbacks
    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > MAX_URL_BYTES:
            self._fail(414, "uri_too_long", f"request targets are limited to {MAX_URL_BYTES} bytes")
            raise httptools.HttpParserError("URL too long")  # stops parsing this connection

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self._max_body:
            self._too_large = True
            self._fail(413, "body_too_large", f"request bodies are limited to {self._max_body} "
                       f"bytes")
            raise httptools.HttpParserError("body too large")
        if self.body is None:
            self.body = [body]
        else:
            self.body.append(body)

    def on_message_complete(self) -> None:
        if self._closing:
            return
        url, self._url = self._url, b""
        keep_alive = self._parser.should_keep_alive()
        self._n += 1
        timed = not self._n % SAMPLE
        started = time.perf_counter() if timed else 0.0
        try:
            result = self._app.handle(self, self._parser.get_method(), url, keep_alive)
        except Exception:  # noqa: BLE001 - a bug must cost one request, not the server
            # the URL is not logged: it carries a customer id in the clear
            log.exception("handler failed on a %d-byte request target", len(url))
            result = error(500, "internal_error", "see the server log")
        if self.headers:
            self.headers.clear()
        if self._pending_bytes:
            self._pending_bytes = 0
            self._continued = False
        if self.body is not None:
            self.body = None
            self._body_size = 0
        kind = type(result)
        if kind is bytes:  # a complete keep-alive response (the app's hot path)
            if timed:
                self._app.observe(time.perf_counter() - started)
            if self._queue is None:
                self._transport.write(result)
            else:
                self._queue.append([result, True])
        elif kind is tuple:
            if timed:
                self._app.observe(time.perf_counter() - started)
            if self._queue is None and keep_alive:
                hd, body = result
                self._transport.write(b"%b%d\r\n\r\n%b" % (hd, len(body), body))
            else:
                self._send(result, keep_alive)
        else:
            self._defer(result, keep_alive, started or time.perf_counter())

    # -- responses
    def _send(self, result: tuple[bytes, bytes], keep_alive: bool) -> None:
        hd, body = result
        data = b"%b%d%b%b" % (hd, len(body), _KEEP if keep_alive else _CLOSE, body)
        if self._queue is not None:
            self._queue.append([data, keep_alive])
            return
        self._transport.write(data)
        if not keep_alive:
            self.close()

    def _defer(self, awaitable: Awaitable[tuple[bytes, bytes]], keep_alive: bool,
               started: float) -> None:
        slot: list[Any] = [None, keep_alive]
        if self._queue is None:
            self._queue = deque()
        self._queue.append(slot)
        if len(self._queue) > MAX_PENDING and not self._paused:
            self._paused = True
            self._transport.pause_reading()
        task = asyncio.ensure_future(awaitable)

        def done(t: asyncio.Future) -> None:
            try:
                hd, body = t.result()
            except Exception:  # noqa: BLE001
                log.exception("deferred handler failed")
                hd, body = error(500, "internal_error", "see the server log")
            self._app.observe(time.perf_counter() - started)
            slot[0] = b"%b%d%b%b" % (hd, len(body), _KEEP if keep_alive else _CLOSE, body)
            self._drain()

        task.add_done_callback(done)

    def _drain(self) -> None:
        queue = self._queue
        while queue and queue[0][0] is not None:
            data, keep_alive = queue.popleft()
            if self._closing:
                continue
            self._transport.write(data)
            if not keep_alive:
                self.close()
        if not queue:
            self._queue = None
            if self._paused:
                self._paused = False
                if not self._closing:
                    self._transport.resume_reading()

    def close(self) -> None:
        """Close the connection (buffered responses are flushed first)."""
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    def _fail(self, status: int, code: str, detail: str) -> None:
        if self._closing:
            return
        hd, body = error(status, code, detail)
        data = b"%b%d%b%b" % (hd, len(body), _CLOSE, body)
        if self._queue is not None:
            self._queue.append([data, False])  # after the pending ones, then close
            self._closing_after_queue()
            return
        self._transport.write(data)
        self.close()

    def _closing_after_queue(self) -> None:
        self._transport.pause_reading()
        self._paused = True

    @property
    def pending(self) -> int:
        return len(self._queue) if self._queue else 0

    def header(self, name: bytes) -> bytes | None:
        """The value of request header ``name`` (lower-case), or None."""
        for key, value in self.headers.items():
            if len(key) == len(name) and key.lower() == name:
                return value
        return None

    def read_body(self) -> bytes:
        return b"".join(self.body) if self.body else b""
