"""Routes of the lookup server: URL → pseudonymous id → one lookup → precompiled bytes.

Kept free of I/O so it can be called directly in tests and benchmarks; ``protocol`` does the
HTTP framing, ``server`` owns sockets and snapshot swaps.
"""
from __future__ import annotations

import hashlib
import json
from typing import Callable
from urllib.parse import unquote_to_bytes

from tailor.serving.protocol import error_body
from tailor.serving.records import response_body, user_id_json
from tailor.serving.snapshot import Snapshot

DECISIONS_PREFIX = b"/v1/decisions/"
HEALTHZ = b"/healthz"
_PREFIX_LEN = len(DECISIONS_PREFIX)
_ROUTES_HINT = "routes: GET /v1/decisions/{user_id}, GET /healthz"


def pseudonymiser(key: str, length: int) -> Callable[[bytes], str]:
    """``tailor.privacy.pseudonymise`` for UTF-8 bytes, ~2.5x faster per call.

    HMAC-SHA256 (RFC 2104) with the inner and outer key pads hashed once up front, so a request
    pays two ``copy`` + ``update`` instead of re-keying. Must stay bit-identical to
    ``pseudonymise`` (a test checks it): the server finds rows by it.
    """
    block = hashlib.sha256().block_size
    key_bytes = key.encode()
    if len(key_bytes) > block:
        key_bytes = hashlib.sha256(key_bytes).digest()
    key_bytes = key_bytes.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key_bytes))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key_bytes))

    def apply(value: bytes) -> str:
        h = inner.copy()
        h.update(value)
        o = outer.copy()
        o.update(h.digest())
        return o.hexdigest()[:length]

    return apply


class DecisionApp:
    """The request handler (see ``protocol.Handler``) bound to the currently served snapshot."""

    def __init__(self, snapshot: Snapshot, pseudonymise: Callable[[bytes], str]) -> None:
        self._pseudonymise = pseudonymise
        self.snapshot = snapshot
        self._health = self._health_body(snapshot)

    def swap(self, snapshot: Snapshot) -> Snapshot:
        """Serve ``snapshot`` from the next request on; returns the previous one to close.

        Called on the event-loop thread between requests, so no request sees a mix.
        """
        old, self.snapshot = self.snapshot, snapshot
        self._health = self._health_body(snapshot)
        return old

    def __call__(self, method: bytes, url: bytes) -> tuple[int, bytes]:
        if url.startswith(DECISIONS_PREFIX):
            if method != b"GET":
                return 405, error_body("method_not_allowed",
                                       f"{method.decode()} is not allowed here; use GET")
            return self._decision(url[_PREFIX_LEN:])
        path = url.split(b"?", 1)[0]
        if path == HEALTHZ:
            if method != b"GET":
                return 405, error_body("method_not_allowed",
                                       f"{method.decode()} is not allowed here; use GET")
            return 200, self._health
        shown = path[:200].decode("utf-8", "replace")
        return 404, error_body("not_found", f"no route {method.decode()} {shown}; {_ROUTES_HINT}")

    def _decision(self, raw: bytes) -> tuple[int, bytes]:
        query = raw.find(b"?")
        if query >= 0:
            raw = raw[:query]
        if not raw or b"/" in raw:
            return 404, error_body("not_found", "expected /v1/decisions/{user_id} with a "
                                   "non-empty user id (percent-encode '/' inside ids)")
        if b"%" in raw:
            raw = unquote_to_bytes(raw)
        try:
            user_id = user_id_json(raw)
        except UnicodeDecodeError:
            return 400, error_body("bad_request", "user id is not valid UTF-8")
        snapshot = self.snapshot
        stored = snapshot.get(self._pseudonymise(raw))
        return 200, response_body(user_id, snapshot.fallback if stored is None else stored)

    @staticmethod
    def _health_body(snapshot: Snapshot) -> bytes:
        manifest = snapshot.manifest
        return json.dumps({"status": "ok", "snapshot_id": snapshot.snapshot_id,
                           "decisions_version": manifest.get("decisions_version"),
                           "ds": manifest.get("ds"),
                           "row_count": manifest.get("row_count")}).encode()
