"""A small Python client for the Tailor lookup server (standard library only).

    from tailor.client import TailorClient

    with TailorClient("http://127.0.0.1:8730", api_key="...") as tailor:
        decision = tailor.decision("c-000042", surface="home", k=3)
        if decision["message"]:
            ...  # send it, then report back:
        tailor.send_event("message_sent", customer_id="c-000042", channel="email",
                          message_id="m-1", action_id=decision["action_id"], send_hour=18,
                          discount=0.1, propensity=decision["propensity"])

One keep-alive connection per client (not thread-safe: use one client per thread). Events get
their ``event_id`` and ``ts`` here, before the first attempt, so a retried POST cannot land an
event twice (ingest deduplicates on ``event_id``). Errors raise ``TailorError`` with the
server's status, error code and detail.
"""
from __future__ import annotations

import http.client
import json
import socket
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable
from urllib.parse import quote, urlencode, urlsplit

__all__ = ["TailorClient", "TailorError"]


class TailorError(RuntimeError):
    """The server answered with an error (or could not be reached: status 0)."""

    def __init__(self, status: int, error: str, detail: str, body: Any = None) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status, self.error, self.detail, self.body = status, error, detail, body


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TailorClient:
    """Client for one server (``base_url`` like ``http://127.0.0.1:8730``)."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 5.0,
                 retries: int = 2) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must look like http://host:port, not {base_url!r}")
        self._https = parts.scheme == "https"
        self._host, self._port = parts.hostname, parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self._conn: http.client.HTTPConnection | None = None

    # ----------------------------------------------------------------------------- plumbing
    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> TailorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: Any = None, auth: bool = False,
                raw: bool = False) -> Any:
        """One request; JSON in and out. Retries connection failures (all our POSTs are
        idempotent: decisions are reads, events carry their ids)."""
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if auth and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        last: Exception | None = None
        for _ in range(self.retries + 1):
            conn = self._connection()
            try:
                conn.request(method, self._prefix + path, body=payload, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (ConnectionError, http.client.HTTPException, socket.timeout, OSError) as exc:
                last = exc
                self.close()
                continue
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            if resp.status >= 400:
                try:
                    err = json.loads(data)
                except ValueError:
                    err = {"error": "http_error", "detail": data[:200].decode("utf-8", "replace")}
                raise TailorError(resp.status, err.get("error", "http_error"),
                                  err.get("detail", ""), err)
            if raw:
                return data
            return json.loads(data) if data else None
        raise TailorError(0, "unreachable", f"{method} {path}: {last}")

    # ------------------------------------------------------------------------------ reads
    def decision(self, user_id: str, surface: str | None = None, channel: str | None = None,
                 k: int | None = None) -> dict[str, Any]:
        """The user's decision (``known`` false: fallback for an unknown user)."""
        query = {key: v for key, v in (("surface", surface), ("channel", channel), ("k", k))
                 if v is not None}
        path = "/v1/decisions/" + quote(user_id, safe="")
        return self.request("GET", path + ("?" + urlencode(query) if query else ""))

    def decisions(self, user_ids: Iterable[str], surface: str | None = None,
                  channel: str | None = None, k: int | None = None) -> list[dict[str, Any]]:
        """Decisions for many users in one round trip, in order."""
        body: dict[str, Any] = {"user_ids": list(user_ids)}
        for key, value in (("surface", surface), ("channel", channel), ("k", k)):
            if value is not None:
                body[key] = value
        return self.request("POST", "/v1/decisions:batch", body)["decisions"]

    # ----------------------------------------------------------------------------- events
    def send_events(self, events: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """Land events (needs an events API key); returns {"accepted", "event_ids"}.

        ``event_id`` / ``ts`` are filled in here when missing, so retries are safe.
        """
        batch = []
        for event in events:
            event = dict(event)
            event.setdefault("event_id", uuid.uuid4().hex)
            event.setdefault("ts", _now())
            batch.append(event)
        return self.request("POST", "/v1/events", {"events": batch}, auth=True)

    def send_event(self, event_type: str, **fields: Any) -> str:
        """Land one event; returns its event_id."""
        return self.send_events([{"event_type": event_type, **fields}])["event_ids"][0]

    def revoke_consent(self, customer_id: str, channel: str) -> str:
        """Shorthand: consent_change granted=false (applies to decisions at once)."""
        return self.send_event("consent_change", customer_id=customer_id, channel=channel,
                               granted=False)

    # ---------------------------------------------------------------------------- operations
    def health(self) -> dict[str, Any]:
        return self.request("GET", "/healthz")

    def ready(self) -> bool:
        try:
            return bool(self.request("GET", "/readyz")["ready"])
        except TailorError as exc:
            if exc.status == 503:
                return False
            raise

    def openapi(self) -> dict[str, Any]:
        return self.request("GET", "/openapi.json")

    def metrics(self) -> str:
        return self.request("GET", "/metrics", raw=True).decode()

    def snapshots(self) -> dict[str, Any]:
        """Admin: snapshots on disk, the served one, the publish/rollback stack."""
        return self.request("GET", "/v1/admin/snapshots", auth=True)

    def reload(self) -> dict[str, Any]:
        """Admin: re-read CURRENT now."""
        return self.request("POST", "/v1/admin/reload", auth=True)

    def rollback(self, to: str | None = None) -> dict[str, Any]:
        """Admin: serve the previously published snapshot (or ``to``)."""
        return self.request("POST", "/v1/admin/rollback", {"to": to} if to else None, auth=True)
