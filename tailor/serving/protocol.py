"""HTTP/1.1 on a raw asyncio transport with httptools: framing only, no routing.

Why not a framework: the lookup is a few microseconds, so per-request framework overhead would
dominate. Here a request costs one parser callback pair and one ``transport.write``. Requests on
a connection are answered synchronously in arrival order, which makes pipelining correct by
construction; keep-alive follows the parser's verdict (HTTP/1.0 without keep-alive, or
``Connection: close``, closes after the response).
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Callable

import httptools

log = logging.getLogger("tailor.serving")

# (method, raw url) -> (status, JSON body); must not raise for bad input, only for bugs
Handler = Callable[[bytes, bytes], tuple[int, bytes]]

MAX_URL_BYTES = 8192
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            414: "URI Too Long", 500: "Internal Server Error"}
_EXTRA = {405: "Allow: GET\r\n"}
# status -> response head up to the Content-Length value
_HEADS = {status: (f"HTTP/1.1 {status} {reason}\r\n{_EXTRA.get(status, '')}"
                   "Server: tailor\r\nContent-Type: application/json\r\nContent-Length: ").encode()
          for status, reason in _REASONS.items()}
_KEEP = b"\r\n\r\n"
_CLOSE = b"\r\nConnection: close\r\n\r\n"


def error_body(error: str, detail: str) -> bytes:
    """The JSON error contract shared by every non-200 answer."""
    return json.dumps({"error": error, "detail": detail}, ensure_ascii=False).encode()


class HttpProtocol(asyncio.Protocol):
    """One client connection. ``connections`` lets the server close idle ones on shutdown."""

    __slots__ = ("_handler", "_connections", "_parser", "_transport", "_url", "_closing")

    def __init__(self, handler: Handler, connections: set[HttpProtocol]) -> None:
        self._handler = handler
        self._connections = connections
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._closing = False

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
        except httptools.HttpParserError as exc:
            self._fail(400, "bad_request", f"malformed HTTP request: {exc}")

    # A slow reader must not make us buffer unbounded pipelined responses.
    def pause_writing(self) -> None:
        self._transport.pause_reading()

    def resume_writing(self) -> None:
        self._transport.resume_reading()

    # -- httptools callbacks
    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > MAX_URL_BYTES:
            self._fail(414, "uri_too_long", f"request targets are limited to {MAX_URL_BYTES} bytes")
            raise httptools.HttpParserError("URL too long")  # stops parsing this connection

    def on_message_complete(self) -> None:
        if self._closing:
            return
        url, self._url = self._url, b""
        try:
            status, body = self._handler(self._parser.get_method(), url)
        except Exception:  # noqa: BLE001 - a bug must cost one request, not the server
            # the URL is not logged: it carries a customer id in the clear
            log.exception("handler failed on a %d-byte request target", len(url))
            status, body = 500, error_body("internal_error", "see the server log")
        if self._parser.should_keep_alive():
            self._transport.write(b"%b%d%b%b" % (_HEADS[status], len(body), _KEEP, body))
        else:
            self._respond_and_close(status, body)

    def close(self) -> None:
        """Close the connection (buffered responses are flushed first)."""
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    def _respond_and_close(self, status: int, body: bytes) -> None:
        self._transport.write(b"%b%d%b%b" % (_HEADS[status], len(body), _CLOSE, body))
        self.close()

    def _fail(self, status: int, error: str, detail: str) -> None:
        if not self._closing:
            self._respond_and_close(status, error_body(error, detail))
