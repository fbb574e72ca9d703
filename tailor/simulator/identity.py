"""Who is behind an event: devices, cookies (anonymous ids), logins and the id formats.

Every user owns 1-3 device slots. A device's events are anonymous (cookie + device id) until a
login on that device links them to the customer; cookies are occasionally cleared, after which
the device is anonymous again until the next login. Some extra devices never log in at all (a
shared laptop, guest checkout): only the ground truth knows their owner. Device, cookie and
message ids are opaque tokens, so an id never gives away its owner.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from tailor.simulator.params import WorldParams
from tailor.simulator.streams import Streams, choose_from_cumulative, hex16

MAX_DEVICES = 3
_NEVER = np.iinfo(np.int64).max // 4


def customer_id_expr(user: pl.Expr) -> pl.Expr:
    """"C0000123" for user index 122 (1-based, zero-padded)."""
    return pl.concat_str([pl.lit("C"), (user + 1).cast(pl.String).str.zfill(7)])


def email_expr(user: pl.Expr) -> pl.Expr:
    """"c0000123@example.com": the direct identifier carried by login events."""
    return pl.concat_str([pl.lit("c"), (user + 1).cast(pl.String).str.zfill(7),
                          pl.lit("@example.com")])


def token_strings(prefix: str, tokens: np.ndarray) -> pl.Series:
    """Opaque ids: ``prefix`` + 16 hex digits of a 64-bit token."""
    hexed = pl.Series(hex16(tokens)).cast(pl.String)
    return pl.select(pl.concat_str([pl.lit(prefix), pl.lit(hexed)])).to_series()


def device_tokens(streams: Streams, user: np.ndarray, slot: np.ndarray) -> np.ndarray:
    return streams.token("id:device", user, 0, slot)


def anonymous_tokens(streams: Streams, user: np.ndarray, slot: np.ndarray,
                     gen: np.ndarray) -> np.ndarray:
    return streams.token("id:anonymous", user, slot, gen)


@dataclass
class Identity:
    """Device slots and their login / cookie state for one chunk of users."""

    streams: Streams
    params: WorldParams
    users: np.ndarray                    # global indices of the chunk
    count: np.ndarray                    # devices per user (1..3)
    start_day: np.ndarray                # (n, 3) first day a slot is used; _NEVER if absent
    visitor: np.ndarray                  # (n, 3) slot never logs in
    logged_in: np.ndarray = field(init=False)
    gen: np.ndarray = field(init=False)
    used: np.ndarray = field(init=False)
    _anonymous_seen: list[np.ndarray] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        n = self.users.shape[0]
        self.logged_in = np.zeros((n, MAX_DEVICES), dtype=bool)
        self.gen = np.zeros((n, MAX_DEVICES), dtype=np.int32)
        self.used = np.zeros((n, MAX_DEVICES), dtype=bool)

    @classmethod
    def draw(cls, streams: Streams, params: WorldParams, users: np.ndarray,
             signup_day: np.ndarray) -> "Identity":
        """Device slots of ``users``: the first exists from a few days before signup."""
        n = users.shape[0]
        cum = np.tile(np.cumsum(params.device_count_probs), (n, 1))
        count = 1 + choose_from_cumulative(cum, streams.uniform("device:count", users))
        slots = np.arange(MAX_DEVICES)
        delay = np.floor(streams.uniform("device:delay", users[:, None], 0, slots[None, :])
                         * params.extra_device_delay_days).astype(np.int64)
        start = np.where(slots[None, :] == 0, signup_day[:, None] - params.prospect_days,
                         signup_day[:, None] + delay)
        start = np.where(slots[None, :] < count[:, None], start, _NEVER)
        visitor = ((slots[None, :] > 0)
                   & (streams.uniform("device:visitor", users[:, None], 0, slots[None, :])
                      < params.visitor_device_share))
        return cls(streams, params, users, count, start, visitor)

    def begin_day(self, day: int) -> None:
        """Cookie clearing happens overnight: the device is anonymous again until a login."""
        slots = np.arange(MAX_DEVICES)[None, :]
        reset = ((self.start_day < day)
                 & (self.streams.uniform("device:reset", self.users[:, None], day, slots)
                    < self.params.cookie_reset_rate))
        self.gen += reset
        self.logged_in &= ~reset

    def choose_devices(self, day: int, local: np.ndarray, rank: np.ndarray) -> np.ndarray:
        """Device slot of each session: mostly the first device, others once they exist."""
        count = self.count[local]
        available = self.start_day[local] <= day
        share = (1.0 - self.params.primary_device_weight) / np.maximum(count - 1, 1)
        weights = np.where(np.arange(MAX_DEVICES)[None, :] == 0,
                           self.params.primary_device_weight, share[:, None]) * available
        cum = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
        u = self.streams.uniform("device:choice", self.users[local], day, rank)
        return choose_from_cumulative(cum, u)

    def resolve_logins(self, local: np.ndarray, rank: np.ndarray, device: np.ndarray,
                       may_login: np.ndarray, wants: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Who is logged in at each session's start, and which sessions log in.

        Sessions of one user are processed in start order (``rank``): a login in an earlier
        session identifies the later ones on the same device. Returns (identified_at_start,
        login_now) per session; updates the device state.
        """
        at_start = np.zeros(local.shape[0], dtype=bool)
        login = np.zeros(local.shape[0], dtype=bool)
        if local.shape[0] == 0:
            return at_start, login
        allowed = may_login & ~self.visitor[local, device]
        for r in range(int(rank.max()) + 1):
            sel = np.flatnonzero(rank == r)
            u, dev = local[sel], device[sel]
            at_start[sel] = self.logged_in[u, dev]
            login[sel] = ~at_start[sel] & wants[sel] & allowed[sel]
            self.logged_in[u, dev] |= login[sel]
        return at_start, login

    def record_use(self, local: np.ndarray, device: np.ndarray) -> None:
        """Remember ids that reached landing, for ``ground_truth/identity.parquet``."""
        self.used[local, device] = True
        gen = self.gen[local, device]
        self._anonymous_seen.append(np.unique(np.column_stack([local, device, gen]), axis=0))

    def ground_truth(self) -> dict[str, pl.Series]:
        """Rows (id_type, id_value, customer_id) for every device / anonymous id in landing."""
        local, slot = np.nonzero(self.used)
        dev_users = self.users[local]
        seen = (np.unique(np.concatenate(self._anonymous_seen), axis=0)
                if self._anonymous_seen else np.zeros((0, 3), dtype=np.int64))
        anon_users = self.users[seen[:, 0]]
        users = np.concatenate([dev_users, anon_users])
        frame = pl.DataFrame({
            "id_type": ["device"] * dev_users.shape[0] + ["anonymous"] * anon_users.shape[0],
            "id_value": pl.concat([
                token_strings("d-", device_tokens(self.streams, dev_users, slot)),
                token_strings("a-", anonymous_tokens(self.streams, anon_users, seen[:, 1],
                                                     seen[:, 2]))]),
            "_user": users,
        })
        frame = frame.sort(["_user", "id_type", "id_value"], descending=[False, True, False])
        frame = frame.with_columns(customer_id_expr(pl.col("_user")).alias("customer_id"))
        return {name: frame[name] for name in ("id_type", "id_value", "customer_id")}
