"""Routes of the lookup server: request → pseudonymous id → one lookup → overlay → bytes.

Kept free of sockets so it can be called directly in tests; ``protocol`` does the HTTP
framing, ``server`` owns sockets, timers, snapshot swaps and the overlay poller.

The hot path (``GET /v1/decisions/{id}`` for a person the overlay says nothing about, no query)
is one HMAC, one lookup, one failed dict lookup, one header unpack, two byte formats (answer,
decision-log line) and a list append; anything else (overlay hits, ``k``, ``channel``) goes
through ``records.render``, still without decoding JSON.

Failures: input the client must fix is a ``BadRequest`` (a JSON 4xx); a record that fails its
checksum is a JSON 503 for that request while the server rolls back (``LookupServer.
snapshot_corrupt``); anything else a handler raises is a JSON 500 whose traceback is logged the
first time per exception type and counted always (``tailor_handler_errors_total``), so a
request that triggers a bug cannot flood the log. HEAD is answered by the GET handler (the
protocol drops the body); a HEAD of a decision is not logged as served.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any, Callable, Protocol
from urllib.parse import unquote_to_bytes

from tailor.agents.holdout import in_holdout
from tailor.events import is_future, iso_utc, validate_event
from tailor.serving import openapi
from tailor.serving.metrics import Metrics
from tailor.serving.protocol import HttpProtocol, error, head
from tailor.serving.records import (
    CHANNEL_CODES,
    CHANNEL_OFFSET,
    CHANNELS,
    FAST,
    HEADER_SIZE,
    PLAIN_ID_BYTES,
    jbytes,
    render,
    user_id_json,
)
from tailor.serving.snapshot import Snapshot, SnapshotError
from tailor.serving.store import CorruptRecord

if TYPE_CHECKING:
    from tailor.serving.landing import DecisionLog, LandingWriter
    from tailor.serving.overlay import Overlay


class SnapshotControl(Protocol):
    """What the routes may ask of whoever owns the snapshots (``LookupServer``): the app knows
    this interface, not the server."""

    def readiness(self) -> tuple[bool, dict[str, Any]]: ...

    def snapshot_status(self) -> dict[str, Any]: ...

    async def reload_now(self) -> dict[str, Any]: ...

    async def rollback(self, to: str | None) -> tuple[str | None, str, list[str]]: ...

    def snapshot_corrupt(self, snapshot: Snapshot, detail: str) -> None: ...

log = logging.getLogger("tailor.serving")
DECISIONS_PREFIX = b"/v1/decisions/"
_PREFIX_LEN = len(DECISIONS_PREFIX)
_OK = head(200)
_ROUTES_HINT = "routes: see GET /openapi.json"
_REVOKED = {code: jbytes(f"consent_revoked:{name}") for name, code in CHANNEL_CODES.items()}
_NOT_REQUESTED = {code: jbytes(f"channel_not_requested:{name}")
                  for name, code in CHANNEL_CODES.items()}
_RULES = {rule: jbytes(rule) for rule in ("consent_revoked", "frequency_cap",
                                          "channel_not_requested")}  # the log's overridden_by
_PROM = b"text/plain; version=0.0.4; charset=utf-8"
_FAST = FAST.unpack_from
_RESPONSE = _OK + b'%d\r\n\r\n{"user_id":%b,%b%b%b'
_FIXED = HEADER_SIZE + 2  # header + the rec-list end offset


def _pads(key: str) -> tuple[Any, Any]:
    """SHA-256 states after the HMAC inner / outer key pads (RFC 2104)."""
    block = hashlib.sha256().block_size
    key_bytes = key.encode()
    if len(key_bytes) > block:
        key_bytes = hashlib.sha256(key_bytes).digest()
    key_bytes = key_bytes.ljust(block, b"\0")
    return (hashlib.sha256(bytes(b ^ 0x36 for b in key_bytes)),
            hashlib.sha256(bytes(b ^ 0x5C for b in key_bytes)))


def pseudonymiser(key: str, length: int) -> Callable[[bytes], bytes]:
    """``tailor.privacy.pseudonymise`` for UTF-8 bytes → ASCII bytes, ~2.5x faster per call.

    HMAC-SHA256 (RFC 2104) with the inner and outer key pads hashed once up front, so a request
    pays two ``copy`` + ``update`` instead of re-keying. Must stay bit-identical to
    ``pseudonymise`` (a test checks it): the server finds rows by it.
    """
    inner, outer = _pads(key)

    def apply(value: bytes) -> bytes:
        h = inner.copy()
        h.update(value)
        o = outer.copy()
        o.update(h.digest())
        return o.hexdigest()[:length].encode()

    return apply


_HEADROOM = 32  # stack frames a handler may still use below where its body was parsed


def _parse(raw: bytes, headroom: int = _HEADROOM) -> Any:
    """``json.loads`` of a request body, and the re-encoding landing does later, both run
    ``headroom`` calls deeper than the caller: a body nested so deep that the parser barely
    copes fails here (RecursionError: a 400), not later in a handler (a 500); an unpaired
    surrogate (``"\\udc00"``, which json.loads lets through) fails the re-encoding here too."""
    if headroom:
        return _parse(raw, headroom - 1)
    value = json.loads(raw)
    json.dumps(value, ensure_ascii=False).encode()
    return value


class BadRequest(Exception):
    """Input the client must fix: answered as ``status`` with the JSON error body."""

    def __init__(self, detail: str, status: int = 400, code: str = "bad_request",
                 **more: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.more = status, code, detail, more

    def response(self) -> tuple[bytes, bytes]:
        return error(self.status, self.code, self.detail, **self.more)


class DecisionApp:
    """The request handler (see ``protocol.App``) bound to the served snapshot and overlay."""

    def __init__(self, settings: Any, snapshot: Snapshot, *, overlay: "Overlay",
                 decision_log: "DecisionLog | None" = None, events: "LandingWriter | None" = None,
                 metrics: Metrics | None = None, control: SnapshotControl | None = None) -> None:
        self.settings = settings
        self._pseudonymise = pseudonymiser(settings.pseudonym_key, settings.person_id_length)
        inner, outer = _pads(settings.pseudonym_key)
        self._inner, self._outer = inner.copy, outer.copy  # the hot path inlines the HMAC
        self._pid_len = settings.person_id_length
        self.overlay = overlay
        self.decision_log = decision_log
        self._log = decision_log.append if decision_log is not None else None
        self.events = events
        self.metrics = metrics or Metrics()
        self.control = control
        self._cap = settings.max_messages_per_day
        self._cap_lit = jbytes(f"frequency_cap:{self._cap}/day")
        self._holdout_share = settings.holdout_share
        self._holdout_salt = settings.holdout_salt
        self._surfaces = {s.encode(): jbytes(s) for s in settings.surfaces}
        self._max_k = settings.max_k
        self._keys = {"events": [k.encode() for k in (*settings.events_keys,
                                                      *settings.admin_keys)],
                      "admin": [k.encode() for k in settings.admin_keys]}
        self.n_get = 0
        self.n_known = 0
        self.n_unknown = 0
        self.snapshot = snapshot
        self._health = self._health_body(snapshot)
        self._routes: dict[bytes, dict[bytes, tuple[str, Callable]]] = {}
        for route in openapi.ROUTES:
            if route.path != openapi.DECISION_PATH:
                self._routes.setdefault(route.path.encode(), {})[route.method.encode()] = (
                    route.handler.strip("_"), getattr(self, route.handler))
        self._openapi = openapi.document_bytes(
            surfaces=settings.surfaces, max_k=settings.max_k, max_batch=settings.max_batch,
            max_events=settings.max_events)

    # ----------------------------------------------------------------------- bookkeeping
    def swap(self, snapshot: Snapshot) -> Snapshot:
        """Serve ``snapshot`` from the next request on; returns the previous one to close.

        Called on the event-loop thread between requests, so no request sees a mix.
        """
        old, self.snapshot = self.snapshot, snapshot
        self._health = self._health_body(snapshot)
        return old

    def observe(self, seconds: float) -> None:
        self.metrics.latency.observe(seconds)

    def _count(self, route: str, result: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
        self.metrics.requests[(route, int(result[0][9:12]))] += 1
        return result

    # ---------------------------------------------------------------------------- routing
    def handle(self, conn: HttpProtocol, method: bytes, url: bytes, keep_alive: bool = False):
        """Answer one request: (head, body), an awaitable of it, or (hot path, keep-alive
        only) the complete response bytes."""
        if method != b"GET" or not url.startswith(DECISIONS_PREFIX):
            return self._route(conn, method, url)
        # GET /v1/decisions/{user_id}: the hot path, inlined
        raw = url[_PREFIX_LEN:]
        q = raw.find(b"?")
        surface, want, k = None, 0, None
        if q >= 0:
            try:
                surface, want, k = self._params(raw[q + 1:])
            except BadRequest as exc:
                return self._count("decision", exc.response())
            raw = raw[:q]
        if not raw or b"/" in raw:
            return self._count("decision", error(
                404, "not_found", "expected /v1/decisions/{user_id} with a non-empty user id "
                "(percent-encode '/' inside ids)"))
        if b"%" in raw:
            raw = unquote_to_bytes(raw)
        if raw.translate(None, PLAIN_ID_BYTES):  # needs escaping (or is not UTF-8)
            try:
                uid = user_id_json(raw)
            except UnicodeDecodeError:
                return self._count("decision", error(400, "bad_request",
                                                     "user id is not valid UTF-8"))
        else:
            uid = b'"' + raw + b'"'
        self.n_get += 1
        h = self._inner()  # pseudonymiser(), inlined: HMAC-SHA256 from precomputed pads
        h.update(raw)
        o = self._outer()
        o.update(h.digest())
        pid = o.hexdigest()[:self._pid_len].encode()
        snap = self.snapshot
        try:
            value = self._lookup(snap, pid)
        except CorruptRecord as exc:
            return self._count("decision", self._corrupt(snap, exc))
        entry = self.overlay.view.get(pid)
        if entry is None and k is None and not want:
            lf_len, hi, ti, n = _FAST(value)
            start = _FIXED + 2 * n
            end = start + lf_len
            if surface is None:
                head_part, middle, tail = snap.heads[hi], value[end:], snap.tails[ti]
                if self._log is not None:
                    self._log((uid, value[start:end], snap.snapshot_id_bytes))
                if keep_alive:  # one format: status line, headers and body
                    return _RESPONSE % (12 + len(uid) + len(head_part) + len(middle)
                                        + len(tail), uid, head_part, middle, tail)
                return _OK, b'{"user_id":%b,%b%b%b' % (uid, head_part, middle, tail)
            else:
                body = b'{"user_id":%b,"surface":%b,%b%b%b' % (
                    uid, surface, snap.heads[hi], value[end:], snap.tails[ti])
            logfrag = value[start:end]
        else:
            rendered, logfrag = self._edit(value, snap, entry, want, k)
            body = (b'{"user_id":%b,%b' % (uid, rendered) if surface is None else
                    b'{"user_id":%b,"surface":%b,%b' % (uid, surface, rendered))
        if self._log is not None:
            self._log((uid, logfrag, snap.snapshot_id_bytes))
        return _OK, body

    def _route(self, conn: HttpProtocol, method: bytes, url: bytes):
        if method == b"HEAD":
            return self._head(conn, url)
        if url.startswith(DECISIONS_PREFIX):
            return self._count("decision", error(
                405, "method_not_allowed", f"{method.decode()} is not allowed here; use GET",
                extra=b"Allow: GET, HEAD\r\n"))
        q = url.find(b"?")
        path = url if q < 0 else url[:q]
        methods = self._routes.get(path)
        if methods is None:
            shown = path[:200].decode("utf-8", "replace")
            return self._count("unknown", error(
                404, "not_found", f"no route {method.decode()} {shown}; {_ROUTES_HINT}"))
        entry = methods.get(method)
        if entry is None:
            allowed = [*methods, b"HEAD"] if b"GET" in methods else list(methods)
            allow = b", ".join(allowed)
            return self._count(next(iter(methods.values()))[0], error(
                405, "method_not_allowed", f"{method.decode()} is not allowed here; use "
                f"{allow.decode()}", extra=b"Allow: " + allow + b"\r\n"))
        name, fn = entry
        try:
            result = fn(conn, url)
        except BadRequest as exc:
            result = exc.response()
        except CorruptRecord as exc:
            result = self._corrupt(self.snapshot, exc)
        except Exception as exc:  # noqa: BLE001 - a bug costs this request a JSON 500
            result = self.failed(exc)
        if type(result) is tuple:
            return self._count(name, result)
        return self._counted(name, result)

    async def _counted(self, name: str, awaitable) -> tuple[bytes, bytes]:
        try:
            result = await awaitable
        except BadRequest as exc:
            result = exc.response()
        except Exception as exc:  # noqa: BLE001 - a bug costs this request a JSON 500
            result = self.failed(exc)
        return self._count(name, result)

    def _head(self, conn: HttpProtocol, url: bytes):
        """HEAD: what GET would answer (the protocol sends no body); not a served decision, so
        the decision log is off for it."""
        decision_log, self._log = self._log, None
        try:
            return self.handle(conn, b"GET", url, False)
        finally:
            self._log = decision_log

    def failed(self, exc: BaseException) -> tuple[bytes, bytes]:
        """The JSON 500 for an exception a handler raised: counted by type, its traceback
        logged the first time that type occurs (never the URL: it holds a customer id)."""
        kind = type(exc).__name__
        errors = self.metrics.handler_errors
        errors[kind] += 1
        if errors[kind] == 1:
            log.error("a request handler raised %s (traceback logged once per exception type; "
                      "every occurrence is counted in tailor_handler_errors_total)", kind,
                      exc_info=exc)
        return error(500, "internal_error", f"the server failed on this request ({kind}); it "
                     f"is counted in /metrics and the first of its kind is in the server log")

    def _corrupt(self, snap: Snapshot, exc: CorruptRecord) -> tuple[bytes, bytes]:
        """A record failed its checksum: 503 for this request; the server goes not-ready and
        rolls back (it logs the details once)."""
        self.metrics.corrupt_records += 1
        if self.control is not None:
            self.control.snapshot_corrupt(snap, str(exc))
        return error(503, "unavailable", "this decision could not be read intact from the "
                     "served snapshot; the server is switching to the previous snapshot, retry "
                     "shortly", extra=b"Retry-After: 1\r\n")

    # -------------------------------------------------------------------------- decisions
    def _edit(self, value: bytes, snap: Snapshot, entry: Any, want: int,
              k: int | None) -> tuple[bytes, bytes]:
        """The slow path: overlay and request edits through ``records.render``; a suppressed
        message is logged as overridden (``records``: what OPE must do with such rows)."""
        suppress = drop = reason = None
        chan = value[CHANNEL_OFFSET]
        if entry is not None:
            revoked, messages, bought = entry
            if chan:
                if chan in revoked:
                    suppress, reason = _REVOKED[chan], "consent_revoked"
                elif messages >= self._cap:
                    suppress, reason = self._cap_lit, "frequency_cap"
            if bought:
                drop = bought
                self.metrics.overlay_applied["bought_items"] += 1
        if suppress is None and want and chan and chan != want:
            suppress, reason = _NOT_REQUESTED[chan], "channel_not_requested"
        if reason is None:
            return render(value, snap.heads, snap.tails, k, drop)
        self.metrics.overlay_applied[reason] += 1
        return render(value, snap.heads, snap.tails, k, drop, suppress, _RULES[reason])

    def _params(self, query: bytes) -> tuple[bytes | None, int, int | None]:
        surface, want, k, seen = None, 0, None, set()
        for part in query.split(b"&"):
            if not part:
                continue
            name, _, value = part.partition(b"=")
            if b"%" in value or b"+" in value:
                value = unquote_to_bytes(value.replace(b"+", b" "))
            if name in seen:
                raise BadRequest(f"query parameter {name.decode('utf-8', 'replace')!r} given "
                                 f"twice")
            seen.add(name)
            if name == b"k":
                k = self._k(value)
            elif name == b"channel":
                want = self._channel(value)
            elif name == b"surface":
                surface = self._surface(value)
            else:
                raise BadRequest(f"unknown query parameter {name[:50].decode('utf-8', 'replace')!r};"
                                 f" known: surface, channel, k")
        return surface, want, k

    def _k(self, value: Any) -> int:
        """``k`` from the query (bytes: digits) or a JSON body (an integer in the JSON Schema
        sense: 2 or 2.0, never 1.5, "2", true or null)."""
        kind = type(value)
        if kind is bytes:
            digits = value.strip()
            k = int(digits) if digits.isdigit() and len(digits) <= 9 else -1
        elif kind is int:
            k = value
        elif kind is float and value.is_integer():
            k = int(value)
        else:
            k = -1
        if not 0 <= k <= self._max_k:
            raise BadRequest(f"k must be an integer 0..{self._max_k}")
        return k

    def _channel(self, value: Any) -> int:
        name = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        code = CHANNEL_CODES.get(name) if isinstance(name, str) else None
        if code is None:
            raise BadRequest(f"channel must be one of {', '.join(CHANNELS)}")
        return code

    def _surface(self, value: Any) -> bytes:
        key = value.encode() if isinstance(value, str) else value
        literal = self._surfaces.get(key) if isinstance(key, bytes) else None
        if literal is None:
            raise BadRequest(f"surface must be one of {', '.join(self.settings.surfaces)} "
                             f"(serving.surfaces)")
        return literal

    def _lookup(self, snap, pid: bytes) -> bytes:
        """The snapshot's record for ``pid``; unknown users get the fallback of their holdout arm."""
        value = snap.lookup(pid)
        if value is None:
            self.n_unknown += 1
            return snap.fallback[in_holdout(pid.decode(), self._holdout_salt, self._holdout_share)]
        self.n_known += 1
        return value

    def decide(self, user_id: str, surface: bytes | None = None, want: int = 0,
               k: int | None = None) -> bytes:
        """One decision as JSON bytes (batch path; same rules and logging as GET)."""
        raw = user_id.encode()
        uid = user_id_json(raw)
        pid = self._pseudonymise(raw)
        snap = self.snapshot
        value = self._lookup(snap, pid)  # CorruptRecord: the whole batch is a 503 (_route)
        rendered, logfrag = self._edit(value, snap, self.overlay.view.get(pid), want, k)
        if self._log is not None:
            self._log((uid, logfrag, snap.snapshot_id_bytes))
        if surface is None:
            return b'{"user_id":%b,%b' % (uid, rendered)
        return b'{"user_id":%b,"surface":%b,%b' % (uid, surface, rendered)

    def _batch(self, conn: HttpProtocol, url: bytes) -> tuple[bytes, bytes]:
        body = self._json_body(conn)
        if not isinstance(body, dict) or not isinstance(body.get("user_ids"), list):
            raise BadRequest('expected {"user_ids": ["...", ...], "surface"?, "channel"?, "k"?}')
        unknown = set(body) - {"user_ids", "surface", "channel", "k"}
        if unknown:
            raise BadRequest(f"unknown fields {sorted(unknown)}; known: user_ids, surface, "
                             f"channel, k")
        ids = body["user_ids"]
        if len(ids) > self.settings.max_batch:
            raise BadRequest(f"at most {self.settings.max_batch} user ids per batch "
                             f"(serving.max_batch); got {len(ids)}")
        bad = [i for i, u in enumerate(ids) if not isinstance(u, str) or not u]
        if bad:
            raise BadRequest(f"user_ids must be non-empty strings; bad at {bad[:10]}")
        # absent means "not asked"; null is not a value of any of them (400, as documented)
        surface = self._surface(body["surface"]) if "surface" in body else None
        want = self._channel(body["channel"]) if "channel" in body else 0
        k = self._k(body["k"]) if "k" in body else None
        parts = [self.decide(u, surface, want, k) for u in ids]
        return _OK, b'{"decisions":[' + b",".join(parts) + b"]}"

    # ----------------------------------------------------------------------------- events
    def _json_body(self, conn: HttpProtocol) -> Any:
        raw = conn.read_body()
        if not raw:
            raise BadRequest("expected a JSON body")
        try:
            value = _parse(raw)
        except UnicodeEncodeError:
            raise BadRequest("body holds a \\uXXXX escape of an unpaired UTF-16 surrogate: "
                             "not a Unicode character") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"body is not valid JSON: {exc}") from None
        except RecursionError:
            raise BadRequest("body is nested too deeply to parse; bodies are flat objects "
                             "(see /openapi.json)") from None
        return value

    def _authorize(self, conn: HttpProtocol, scope: str) -> None:
        keys = self._keys[scope]
        if not keys:
            raise BadRequest(f"no API keys are configured for {scope} endpoints; set "
                             f"serving.api_keys.{scope}", status=403, code="forbidden")
        token = conn.header(b"x-api-key")
        if token is None:
            auth = conn.header(b"authorization")
            if auth is not None and auth[:7].lower() == b"bearer ":
                token = auth[7:].strip()
        if not token:
            raise BadRequest("missing API key: send 'Authorization: Bearer KEY' or "
                             "'X-API-Key: KEY'", status=401, code="unauthorized")
        if any(hmac.compare_digest(token, key) for key in keys):
            return
        if scope == "admin" and any(hmac.compare_digest(token, key)
                                    for key in self._keys["events"]):
            raise BadRequest("this API key may post events but not use admin endpoints",
                             status=403, code="forbidden")
        raise BadRequest("unknown API key", status=401, code="unauthorized")

    def _events(self, conn: HttpProtocol, url: bytes):
        self._authorize(conn, "events")
        body = self._json_body(conn)
        events = body.get("events") if isinstance(body, dict) and "events" in body else body
        if isinstance(events, dict):
            events = [events]
        if not isinstance(events, list) or not events:
            raise BadRequest('expected one event object or {"events": [...]} (non-empty)')
        if len(events) > self.settings.max_events:
            raise BadRequest(f"at most {self.settings.max_events} events per request "
                             f"(serving.events.max_per_request); got {len(events)}")
        received = time.time()
        now, received_at = iso_utc(received, "milliseconds"), iso_utc(received)
        problems = []
        for i, event in enumerate(events):
            if isinstance(event, dict):  # missing or empty: ours (false, 0, [] are bad types)
                if event.get("event_id") in (None, ""):
                    event["event_id"] = uuid.uuid4().hex
                if event.get("ts") in (None, ""):
                    event["ts"] = now
                event["received_at"] = received_at  # ours: a client's value is never kept
            reason = validate_event(event)
            if reason is not None:
                problems.append({"index": i, "reason": reason})
        if problems:
            self.metrics.events_rejected += len(problems)
            raise BadRequest(f"{len(problems)} of {len(events)} events are invalid; nothing was "
                             f"written", status=422, code="invalid_events", problems=problems[:100])
        self._refuse_future(events, received)
        # consent first: a revocation applies even if landing it fails below
        self.overlay.apply_events(events)
        if self.events is None:
            raise BadRequest("event ingestion is not configured on this server (no landing "
                             "directory)", status=503, code="unavailable")
        data = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
                       for e in events).encode()
        try:
            self.events.write(data, len(events))
        except OSError as exc:
            raise BadRequest(f"events could not be written ({exc}); retry later",
                             status=503, code="unavailable") from None
        for e in events:
            self.metrics.events_accepted[e["event_type"]] += 1
        answer = (head(202), json.dumps({"accepted": len(events),
                                         "event_ids": [e["event_id"] for e in events]}).encode())
        durable = self.events.durable()
        if durable.done() and durable.exception() is None:
            return answer
        return self._when_durable(durable, answer)

    def _refuse_future(self, events: list[dict[str, Any]], received: float) -> None:
        """400 if any event is dated beyond the allowed clock skew (nothing is written)."""
        skew = self.settings.max_future_skew
        future = [{"index": i, "event_id": e["event_id"], "ts": e["ts"], "reason": "future_ts"}
                  for i, e in enumerate(events) if is_future(e["ts"], received, skew)]
        if not future:
            return
        self.metrics.events_rejected += len(future)
        first = future[0]
        raise BadRequest(
            f"{len(future)} of {len(events)} events are dated more than {skew:g} s after the "
            f"server's clock ({iso_utc(received, 'seconds')}; ingest.max_future_skew_seconds), "
            f"e.g. event {first['event_id']!r} with ts {first['ts']!r}: fix the sender's clock "
            f"or send events when they happen. Nothing was written.",
            status=400, code="future_event", problems=future[:100])

    @staticmethod
    async def _when_durable(durable: asyncio.Future, answer: tuple[bytes, bytes]):
        try:
            await durable
        except OSError as exc:
            raise BadRequest(f"events written but not synced to disk ({exc}); retry (event ids "
                             f"make retries safe)", status=503, code="unavailable") from None
        return answer

    # ------------------------------------------------------------------------- operations
    def _healthz(self, conn: HttpProtocol, url: bytes) -> tuple[bytes, bytes]:
        return _OK, self._health

    def _readyz(self, conn: HttpProtocol, url: bytes) -> tuple[bytes, bytes]:
        ready, detail = self.control.readiness() if self.control else (True, {})
        body = json.dumps({"ready": ready, "snapshot_id": self.snapshot.snapshot_id,
                           **detail}).encode()
        return (_OK if ready else head(503)), body

    def _metrics(self, conn: HttpProtocol, url: bytes) -> tuple[bytes, bytes]:
        self.metrics.requests[("decision", 200)] = self.n_get  # counted on the hot path
        self.metrics.decisions["known"] = self.n_known
        self.metrics.decisions["unknown"] = self.n_unknown
        return head(200, _PROM), self.metrics.render()

    def _openapi(self, conn: HttpProtocol, url: bytes) -> tuple[bytes, bytes]:
        return _OK, self._openapi

    def _admin_snapshots(self, conn: HttpProtocol, url: bytes) -> tuple[bytes, bytes]:
        self._authorize(conn, "admin")
        return _OK, json.dumps(self.control.snapshot_status(), default=str).encode()

    def _admin_reload(self, conn: HttpProtocol, url: bytes):
        self._authorize(conn, "admin")
        return self._reload_answer(self.control.reload_now())

    def _admin_rollback(self, conn: HttpProtocol, url: bytes):
        self._authorize(conn, "admin")
        to = None
        if conn.read_body():
            body = self._json_body(conn)
            if not isinstance(body, dict) or set(body) - {"to"} or (
                    body.get("to") is not None and not isinstance(body["to"], str)):
                raise BadRequest('expected no body or {"to": "<snapshot id>"}')
            to = body.get("to")
        return self._rollback(to)

    async def _rollback(self, to: str | None) -> tuple[bytes, bytes]:
        try:
            previous, target, skipped = await self.control.rollback(to)
        except SnapshotError as exc:
            raise BadRequest(str(exc), status=409, code="conflict") from None
        serving = await self.control.reload_now()
        return _OK, json.dumps({"from": previous, "to": target, "skipped": skipped,
                                **serving}).encode()

    async def _reload_answer(self, pending) -> tuple[bytes, bytes]:
        return _OK, json.dumps(await pending).encode()

    @staticmethod
    def _health_body(snapshot: Snapshot) -> bytes:
        manifest = snapshot.manifest
        return json.dumps({"status": "ok", "snapshot_id": snapshot.snapshot_id,
                           "decisions_version": manifest.get("decisions_version"),
                           "ds": manifest.get("ds"),
                           "row_count": manifest.get("row_count")}).encode()


__all__ = ["BadRequest", "DecisionApp", "pseudonymiser"]
