"""The nearline overlay applied at request time: consent revocations, messages sent today,
just-bought items, per pseudonymous person id.

Two sources are merged into one dict the request path reads (``view``: person id bytes →
``(revoked channel codes, messages today, bought item ids)``; most persons are absent, so the
common case costs one failed dict lookup):

* **nearline**: the Delta table ``gold.overlay`` (``jobs/overlay.py``, overwritten every few
  minutes), polled for a new version and loaded off the event loop;
* **local**: events POSTed to this server (``consent_change`` granted=false / ``unsubscribe``,
  ``consent_change`` granted=true, ``message_sent``, ``purchase`` / ``conversion``), applied the
  moment they are accepted, before any pipeline run has seen them, and replayed from the
  server's own landing files after a restart.

Safety rules (consent is never wrong, caps err on the side of not messaging):

* a channel is revoked if the nearline table **or** the local consent changes say so; locally
  the changes of a (person, channel) are judged by the consent rule (``tailor/consent.py``: a
  revocation received after a grant always wins; when event time and arrival order disagree,
  revoked wins), received = the server's ``received_at`` stamp, never the client's ``ts``; a
  channel's local changes are kept until ``local_consent_ttl`` after the last of them was
  *received*, whatever later overlay versions say (they may not have ingested them yet); a
  local grant cancels only local revocations, never the table's (that clears when the
  pipeline has seen the grant);
* messages today = the table's count (if its ``updated_at`` is today, UTC) **plus** local
  ``message_sent`` events of today: events counted twice make the cap stricter, never looser;
* bought items = union of both (local ones for 24 h).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from tailor.consent import Change, compact, grants, is_granted
from tailor.events import parse_ts
from tailor.serving.records import CHANNEL_CODES

log = logging.getLogger("tailor.serving")

Entry = tuple[frozenset[int], int, frozenset[str] | None]  # revoked codes, messages, bought
_EMPTY: frozenset = frozenset()
BOUGHT_TTL = 24 * 3600.0
ORDER_EVENTS = ("purchase", "conversion")


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def event_time(value: Any, default: float) -> float:
    """Epoch seconds of an ISO-8601 timestamp (``default`` if missing or unparsable)."""
    parsed = parse_ts(value)
    return default if parsed is None else parsed


@dataclass
class _Local:
    """What this server was told about one person (times are epoch seconds)."""

    consent: dict[int, list[Change]] = field(default_factory=dict)      # code -> changes (compact)
    messages: dict[str, int] = field(default_factory=dict)                # UTC day -> count
    bought: dict[str, float] = field(default_factory=dict)                # item -> ts


@dataclass(frozen=True)
class NearlineRows:
    """One loaded version of the overlay table."""

    version: int | None
    rows: dict[bytes, tuple[frozenset[int], int, frozenset[str], str]]  # + updated_at day
    loaded_at: float


def load_nearline(table_uri: str, version: int | None = None) -> NearlineRows:
    """Read the overlay table (at ``version``, default latest) into per-person rows.

    Runs in a worker thread. A missing table gives an empty result with version None.
    """
    from tailor.lakehouse.arrow_io import read_arrow, table_version

    latest = table_version(table_uri) if version is None else version
    if latest is None:
        return NearlineRows(None, {}, time.time())
    table = read_arrow(table_uri, version=latest, columns=[
        "person_id", "revoked_channels", "messages_today", "bought_items", "updated_at"])
    rows = {}
    codes = CHANNEL_CODES
    for pid, revoked, messages, bought, updated in zip(
            *(table[c].to_pylist() for c in table.column_names)):
        if not pid:
            continue
        rev = frozenset(codes[c] for c in revoked or () if c in codes)
        day = (updated.astimezone(timezone.utc) if updated.tzinfo else updated).strftime(
            "%Y-%m-%d") if updated is not None else ""
        rows[pid.encode()] = (rev, int(messages or 0), frozenset(bought or ()), day)
    return NearlineRows(latest, rows, time.time())


class Overlay:
    """Merged per-person state; every method runs on the event-loop thread."""

    def __init__(self, pseudonymise: Callable[[bytes], bytes], consent_ttl: float,
                 clock: Callable[[], float] = time.time) -> None:
        self._pseudonymise = pseudonymise
        self._consent_ttl = consent_ttl
        self._clock = clock
        self.view: dict[bytes, Entry] = {}
        self.nearline = NearlineRows(None, {}, 0.0)
        self._local: dict[bytes, _Local] = {}
        self._today = utc_day(clock())
        self.local_events = 0

    # ------------------------------------------------------------------ nearline versions
    def set_nearline(self, loaded: NearlineRows) -> None:
        """Serve ``loaded`` (merged with the local state) from the next request on."""
        self.nearline = loaded
        self._rebuild()

    def _rebuild(self) -> None:
        today = self._today
        view: dict[bytes, Entry] = {}
        for pid, (rev, messages, bought, day) in self.nearline.rows.items():
            view[pid] = (rev, messages if day == today else 0, bought or None)
        for pid in self._local:
            self._merge_into(view, pid)
        self.view = view

    def _merge_into(self, view: dict[bytes, Entry], pid: bytes) -> None:
        now, today = self._clock(), self._today
        base = self.nearline.rows.get(pid)
        revoked: set[int] = set(base[0]) if base else set()
        messages = base[1] if base and base[3] == today else 0
        bought: set[str] = set(base[2]) if base else set()
        local = self._local.get(pid)
        if local is not None:
            revoked.update(code for code, changes in local.consent.items()
                           if self._live(changes, now) and is_granted(changes) is False)
            messages += local.messages.get(today, 0)
            bought.update(item for item, ts in local.bought.items() if now - ts < BOUGHT_TTL)
        if revoked or messages or bought:
            view[pid] = (frozenset(revoked), messages, frozenset(bought) or None)
        else:
            view.pop(pid, None)

    # --------------------------------------------------------------------- local events
    def apply_event(self, event: dict[str, Any]) -> bool:
        """Apply one accepted landing event; True if it changed the overlay."""
        etype = event.get("event_type")
        customer = event.get("customer_id")
        if not customer or etype not in ("consent_change", "unsubscribe", "message_sent",
                                         *ORDER_EVENTS):
            return False
        now = self._clock()
        ts = event_time(event.get("ts"), now)
        pid = self._pseudonymise(str(customer).encode())
        local = self._local.setdefault(pid, _Local())
        if etype in ("consent_change", "unsubscribe"):
            code = CHANNEL_CODES.get(event.get("channel"))
            if code is None:
                return False
            # ordered by receipt (the server's stamp; replayed lines carry it), not by ts
            received = event_time(event.get("received_at"), now)
            change = Change(received, ts, grants(etype, event.get("granted")))
            local.consent[code] = compact([*local.consent.get(code, ()), change])
        elif etype == "message_sent":
            day = utc_day(ts)
            if day < self._today:
                return False
            local.messages[day] = local.messages.get(day, 0) + 1
        else:
            item = event.get("item_id")
            if not item or now - ts >= BOUGHT_TTL:
                return False
            local.bought[str(item)] = max(ts, local.bought.get(str(item), 0.0))
        self.local_events += 1
        self._merge_into(self.view, pid)
        return True

    def _live(self, changes: list[Change], now: float) -> bool:
        """A channel's local changes count until the TTL after the last one was received."""
        return now - max(c.received for c in changes) < self._consent_ttl

    def apply_events(self, events: Iterable[dict[str, Any]]) -> int:
        return sum(self.apply_event(e) for e in events)

    def tick(self) -> None:
        """Expire local state and roll the day over (call every few seconds)."""
        now = self._clock()
        today = utc_day(now)
        changed = []
        for pid, local in self._local.items():
            before = (len(local.consent), len(local.messages), len(local.bought))
            local.consent = {c: v for c, v in local.consent.items() if self._live(v, now)}
            local.messages = {d: n for d, n in local.messages.items() if d >= today}
            local.bought = {i: ts for i, ts in local.bought.items() if now - ts < BOUGHT_TTL}
            if before != (len(local.consent), len(local.messages), len(local.bought)):
                changed.append(pid)
        for pid in changed:
            local = self._local[pid]
            if not (local.consent or local.messages or local.bought):
                del self._local[pid]
        if today != self._today:
            self._today = today
            self._rebuild()
        else:
            for pid in changed:
                self._merge_into(self.view, pid)

    def stats(self) -> dict[str, Any]:
        return {"version": self.nearline.version, "nearline_persons": len(self.nearline.rows),
                "local_persons": len(self._local), "persons": len(self.view),
                "loaded_at": self.nearline.loaded_at or None}
