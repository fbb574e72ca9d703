"""HTTP/1.1 on a raw asyncio transport with httptools: framing only, no routing.

Why not a framework: a lookup is a few microseconds, so per-request framework overhead would
dominate. Here a request costs the parser callbacks and one ``transport.write``. Responses on a
connection go out in request order (pipelining is correct by construction): most are answered
synchronously; one that must wait (an event write waiting for its fsync, an admin action) holds
a slot, and later responses queue behind it. Keep-alive follows the parser's verdict (HTTP/1.0
without keep-alive, or ``Connection: close``, closes after the response; an HTTP/1.0 client that
asked for keep-alive is told ``Connection: keep-alive``). HEAD is answered like GET without the
body.

Limits (``Limits``; ``serving.*`` in conf/base.yaml) cost the hot path nothing: the URL is
bounded in ``on_url``, the body in ``on_body``, the head is counted only for requests that span
reads or arrive in one unusually large read, and the timeouts are enforced by
``Connections.sweep``, which a server timer calls a few times a second and which reads each
connection's state instead of arming a timer per request:

* header timeout: from the first byte of a request's URL until its body starts (or, without a
  body, until it is complete); a head that trickles in a byte at a time is still cut off;
* body timeout: from the first body byte (or the 100 Continue) until the body is complete;
* keep-alive timeout: an idle connection (no request in progress, nothing owed to it);
* write timeout: a client that reads none of our answers while they pile up.

A half-received request that times out is answered 408 before the close. ``Connections`` also
caps the number of open connections: one over the cap is answered 503 with Retry-After at once
and closed (logged at most once a minute, counted always).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Awaitable, Protocol

import httptools

log = logging.getLogger("tailor.serving")

MAX_URL_BYTES = 8192
MAX_PENDING = 64  # deferred responses per connection before reading pauses
SAMPLE = 8  # 1 in SAMPLE synchronous answers is timed for the latency histogram
LOG_EVERY = 60  # seconds between two log lines about refused connections
JSON = b"application/json"
REASONS = {100: "Continue", 200: "OK", 202: "Accepted", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           408: "Request Timeout", 409: "Conflict",
           413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type",
           422: "Unprocessable Content", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 503: "Service Unavailable"}
_KEEP = b"\r\n\r\n"
_KEEP10 = b"\r\nConnection: keep-alive\r\n\r\n"  # HTTP/1.0 keeps alive only when told so
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


def response(status: int, code: str, detail: str, extra: bytes = b"") -> bytes:
    """A complete JSON error response that closes the connection."""
    hd, body = error(status, code, detail, extra)
    return b"%b%d%b%b" % (hd, len(body), _CLOSE, body)


@dataclass(frozen=True)
class Limits:
    """What one client may take (documented in conf/base.yaml, ``serving``)."""

    max_body: int = 1 << 20           # bytes; over it: 413
    max_head: int = 65536             # request line + headers, bytes; over it: 431
    header_timeout: float = 10.0      # seconds for a request's head (408 after)
    body_timeout: float = 30.0        # seconds for its body (408 after)
    keepalive_timeout: float = 75.0   # seconds an idle connection stays open
    write_timeout: float = 30.0       # seconds a client may leave our answers unread
    max_connections: int = 10000      # open connections; over it: 503 + Retry-After
    retry_after: int = 1              # seconds, in the over-the-cap 503


class App(Protocol):
    """What the protocol calls: (head, body) now, or an awaitable of it, or (only when
    ``keep_alive``) the complete response bytes; ``failed`` turns an exception that escaped
    ``handle`` (or an awaitable it returned) into the (head, body) of a JSON 500."""

    def handle(self, conn: "HttpProtocol", method: bytes, url: bytes, keep_alive: bool
               ) -> bytes | tuple[bytes, bytes] | Awaitable[tuple[bytes, bytes]]: ...

    def observe(self, seconds: float) -> None: ...

    def failed(self, exc: BaseException) -> tuple[bytes, bytes]: ...


# what Connections.sweep sees a connection doing -> the Limits field that bounds it
PHASES = {"header": "header_timeout", "body": "body_timeout", "keepalive": "keepalive_timeout",
          "write": "write_timeout"}


class Connections:
    """The open connections of one listener: the cap on their number and the timeout sweep."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: set[HttpProtocol] = set()
        self.refused = 0  # connections turned away at the cap
        self.timed_out = dict.fromkeys(PHASES, 0)
        self._timeouts = {phase: getattr(limits, field) for phase, field in PHASES.items()}
        self._reported_at: float | None = None  # when the cap was last logged
        self._unreported = 0  # refused since then
        self._refusal = response(
            503, "too_many_connections", f"the server holds its maximum of "
            f"{limits.max_connections} connections (serving.connections.max); retry in "
            f"{limits.retry_after} s", b"Retry-After: %d\r\n" % limits.retry_after)

    def admit(self, conn: "HttpProtocol", transport: asyncio.Transport) -> bool:
        """Track ``conn``, or answer 503 and close it if the cap is reached (logged at most
        once a minute, however many are refused: a flood must not flood the log too)."""
        if len(self.open) < self.limits.max_connections:
            self.open.add(conn)
            return True
        self.refused += 1
        self._unreported += 1
        now = time.monotonic()
        if self._reported_at is None or now - self._reported_at >= LOG_EVERY:
            log.warning("connection cap reached: %d open connections (serving.connections.max, "
                        "lowered to fit RLIMIT_NOFILE if needed); %d new connections answered "
                        "503 with Retry-After since the last report (logged at most every %d s; "
                        "all counted in tailor_connections_refused_total)", len(self.open),
                        self._unreported, LOG_EVERY)
            self._reported_at, self._unreported = now, 0
        transport.write(self._refusal)
        transport.close()
        return False

    def sweep(self, now: float) -> int:
        """Close the connections that overran their phase's timeout; returns how many.

        A connection's phase and request count are compared with what the previous sweep saw:
        unchanged for longer than the phase's timeout means no progress, whatever trickled in.
        """
        closed = 0
        timeouts = self._timeouts
        for conn in list(self.open):
            phase = conn.phase()
            mark = (phase, conn.requests)
            if mark != conn.mark:
                conn.mark, conn.since = mark, now
            elif phase is not None and now - conn.since >= timeouts[phase]:
                self.timed_out[phase] += 1
                conn.expire(phase)
                closed += 1
        return closed

    def close_all(self) -> None:
        for conn in list(self.open):
            conn.close()


class HttpProtocol(asyncio.Protocol):
    """One client connection, tracked (and capped, and timed out) by ``connections``."""

    __slots__ = ("_app", "_connections", "_parser", "_transport", "_url", "_closing",
                 "headers", "on_header", "body", "_body_size", "_max_body", "_max_head",
                 "_queue", "_paused", "_failed", "_n", "_head_bytes", "_check_head",
                 "_continued", "_plain", "_write_paused", "mark", "since")

    def __init__(self, app: App, connections: Connections) -> None:
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
        self._head_bytes = 0  # bytes of a head that spans reads (bounds header floods)
        self._check_head = False  # measure heads as they complete (big read / spanning reads)
        self._continued = False
        self.body: list[bytes] | None = None
        self._body_size = 0
        self._max_body = connections.limits.max_body
        self._max_head = connections.limits.max_head
        self._failed = False  # an error answer was sent: parse nothing more
        self._queue: deque | None = None  # pending responses while one is deferred
        self._paused = False
        self._write_paused = False
        self._plain = True  # keep-alive answers need no Connection header (not HTTP/1.0)
        self._n = 0  # requests on this connection (latency is sampled: 1 in SAMPLE)
        self.mark: tuple | None = None  # (phase, requests) the last sweep saw, and since when
        self.since = 0.0
        self._parser = httptools.HttpRequestParser(self)  # after on_header exists

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        if not self._connections.admit(self, transport):
            self._closing = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.open.discard(self)
        self._closing = True

    def data_received(self, data: bytes) -> None:
        n = self._n
        if len(data) > self._max_head:  # heads completing in this read are measured
            self._check_head = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.close()  # the request itself was answered (404/405); no protocol switch
            return
        except httptools.HttpParserError as exc:
            self._fail(400, "bad_request", f"malformed HTTP request: {exc}")
            return
        if self._url:  # a request is still in progress after this read (rare: not the hot path)
            self._in_progress(len(data), n)
        elif self._check_head:
            self._check_head = False

    def _in_progress(self, size: int, n: int) -> None:
        """A request spans reads: bound its head, refuse an announced over-limit body at once,
        and answer ``Expect: 100-continue`` once its length is known to fit."""
        self._check_head = True
        if self.body is not None or self._failed:
            return
        # no body byte yet: all of this read is head if no request completed in it (else only
        # its tail is, of unknown length: count from the next read on; completion measures it)
        self._head_bytes = self._head_bytes + size if self._n == n else 0
        if self._head_bytes > self._max_head:
            self._fail(431, "request_header_fields_too_large",
                       f"the request line and headers are limited to {self._max_head} bytes "
                       f"(serving.max_head_bytes)")
            return
        if not self.headers:
            return
        length = self.header(b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > self._max_body:
            self._body_too_large()
        elif (not self._continued and self._queue is None
              and (self.header(b"expect") or b"").lower() == b"100-continue"
              and (length is not None or self.header(b"transfer-encoding") is not None)):
            self._continued = True
            self._transport.write(_CONTINUE)

    # A slow reader must not make us buffer unbounded pipelined responses.
    def pause_writing(self) -> None:
        self._write_paused = True
        self._transport.pause_reading()

    def resume_writing(self) -> None:
        self._write_paused = False
        if not self._paused and not self._closing:
            self._transport.resume_reading()

    # -- timeouts (Connections.sweep)
    @property
    def requests(self) -> int:
        return self._n

    def phase(self) -> str | None:
        """What the connection waits for: ``write`` (the client to read our answers), None (our
        own deferred answers), ``header`` / ``body`` (the rest of a request) or ``keepalive``."""
        if self._write_paused:
            return "write"
        if self._queue is not None or self._closing:
            return None
        if self._url:
            return "body" if self.body is not None or self._continued else "header"
        return "keepalive"

    def expire(self, phase: str) -> None:
        """Close a connection that overran ``phase``'s timeout (a started request hears 408)."""
        if phase == "write":
            self._closing = True
            self._transport.abort()  # nothing it has not read will be read: drop it now
        elif phase == "keepalive":
            self.close()
        else:
            limit = getattr(self._connections.limits, PHASES[phase])
            self._fail(408, "request_timeout", f"the request {phase} did not arrive within "
                       f"{limit:g} s (serving.timeouts.{phase}_seconds)")

    # -- httptools callbacks
    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > MAX_URL_BYTES:
            self._fail(414, "uri_too_long", f"request targets are limited to {MAX_URL_BYTES} bytes")
            raise httptools.HttpParserError("URL too long")  # stops parsing this connection

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self._max_body:
            self._body_too_large()
            raise httptools.HttpParserError("body too large")
        if self.body is None:
            self.body = [body]
        else:
            self.body.append(body)

    def _body_too_large(self) -> None:
        self._fail(413, "body_too_large", f"request bodies are limited to {self._max_body} "
                   f"bytes (serving.max_body_bytes)")

    def on_message_complete(self) -> None:
        if self._closing:
            return
        url, self._url = self._url, b""
        keep_alive = self._parser.should_keep_alive()
        self._n += 1
        if self._check_head:  # rare: the head spanned reads or came in one very large read
            self._head_bytes = 0
            self._continued = False
            if self._head_size(url) > self._max_head:
                self._fail(431, "request_header_fields_too_large",
                           f"the request line and headers are limited to {self._max_head} "
                           f"bytes (serving.max_head_bytes)")
                raise httptools.HttpParserError("request head too large")
        if self._n == 1 and keep_alive:  # once per connection: HTTP/1.0 must be told
            self._plain = self._parser.get_http_version() != "1.0"
        method = self._parser.get_method()
        timed = not self._n % SAMPLE
        started = time.perf_counter() if timed else 0.0
        try:
            result = self._app.handle(self, method, url, keep_alive and self._plain)
        except Exception as exc:  # noqa: BLE001 - a bug must cost one request, not the server
            result = self._app.failed(exc)
        if self.headers:
            self.headers.clear()
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
            if method == b"HEAD":
                self._send(result, keep_alive, head_only=True)
            elif self._queue is None and keep_alive and self._plain:
                hd, body = result
                self._transport.write(b"%b%d\r\n\r\n%b" % (hd, len(body), body))
            else:
                self._send(result, keep_alive)
        else:
            self._defer(result, keep_alive, started or time.perf_counter(), method == b"HEAD")

    def _head_size(self, url: bytes) -> int:
        """Size of the request target and header lines just parsed (repeated headers count
        once: the read that brought them is bounded by the streaming count)."""
        return len(url) + sum(len(k) + len(v) + 4 for k, v in self.headers.items())

    # -- responses
    def _frame(self, result: tuple[bytes, bytes], keep_alive: bool, head_only: bool) -> bytes:
        hd, body = result
        end = (_KEEP if self._plain else _KEEP10) if keep_alive else _CLOSE
        return b"%b%d%b%b" % (hd, len(body), end, b"" if head_only else body)

    def _send(self, result: tuple[bytes, bytes], keep_alive: bool,
              head_only: bool = False) -> None:
        data = self._frame(result, keep_alive, head_only)
        if self._queue is not None:
            self._queue.append([data, keep_alive])
            return
        self._transport.write(data)
        if not keep_alive:
            self.close()

    def _defer(self, awaitable: Awaitable[tuple[bytes, bytes]], keep_alive: bool,
               started: float, head_only: bool) -> None:
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
                result = t.result()
            except Exception as exc:  # noqa: BLE001 - a bug must cost one request
                result = self._app.failed(exc)
            self._app.observe(time.perf_counter() - started)
            slot[0] = self._frame(result, keep_alive, head_only)
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
        """Answer an error that ends the connection (after the answers still owed)."""
        if self._closing or self._failed:
            return
        self._failed = True
        data = response(status, code, detail)
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
