"""Per-channel marketing consent and how it changes.

At signup a customer answers the consent form once per channel (``consent_change`` events right
after the signup login); a small share refuses everything and never changes their mind. Later,
preference-centre changes happen overnight (06:00-06:59, i.e. after the previous day's late
responses and before the morning decisions) and unsubscribes revoke a channel immediately, so
the consent a decision sees is always the consent the events imply at that moment.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tailor.events import CHANNELS
from tailor.simulator.columns import EventBatch
from tailor.simulator.params import WorldParams
from tailor.simulator.streams import Streams

N_CHANNELS = len(CHANNELS)
_SUB_OVERNIGHT = 10        # event order key, distinct from marketing (0-4) and sessions (>=1000)


@dataclass
class Consent:
    """Consent state for one chunk of users."""

    streams: Streams
    params: WorldParams
    users: np.ndarray          # global indices
    initial: np.ndarray        # (n, 4) answers at signup
    refuses_all: np.ndarray    # (n,) refused every channel at signup, never re-grants
    state: np.ndarray          # (n, 4) current consent

    @classmethod
    def draw(cls, streams: Streams, params: WorldParams, users: np.ndarray) -> "Consent":
        channels = np.arange(N_CHANNELS)[None, :]
        u = streams.uniform("consent:initial", users[:, None], 0, channels)
        refuses_all = streams.uniform("consent:refuse_all", users) < params.refuse_all_share
        initial = (u < np.asarray(params.consent_rates)[None, :]) & ~refuses_all[:, None]
        return cls(streams, params, users, initial, refuses_all, np.zeros_like(initial))

    def signup(self, local: np.ndarray, t_login: np.ndarray, sub_base: np.ndarray) -> EventBatch:
        """One consent_change per channel, seconds after the signup login."""
        self.state[local] = self.initial[local]
        n = local.shape[0]
        channel = np.tile(np.arange(N_CHANNELS), n)
        rows = np.repeat(np.arange(n), N_CHANNELS)
        return EventBatch.make(
            "consent_change", t=t_login[rows] + 1 + channel, user=self.users[local[rows]],
            cid=True, channel=channel, granted=self.initial[local[rows], channel],
            sub=sub_base[rows] + channel)

    def overnight(self, day: int, known: np.ndarray) -> EventBatch:
        """Preference-centre revocations and re-grants of known customers (mask ``known``)."""
        local = np.flatnonzero(known)
        if local.size == 0:
            return EventBatch.empty()
        users = self.users[local]
        channels = np.arange(N_CHANNELS)[None, :]
        state = self.state[local]
        rate = np.where(state, self.params.revoke_rate,
                        np.where(self.refuses_all[local, None], 0.0, self.params.regrant_rate))
        change = self.streams.uniform("consent:change", users[:, None], day, channels) < rate
        rows, channel = np.nonzero(change)
        if rows.size == 0:
            return EventBatch.empty()
        granted = ~state[rows, channel]
        self.state[local[rows], channel] = granted
        second = np.floor(self.streams.uniform("consent:time", users[rows], day, channel) * 3600)
        return EventBatch.make(
            "consent_change", t=day * 86400 + 6 * 3600 + second.astype(np.int64),
            user=users[rows], cid=True, channel=channel, granted=granted,
            sub=_SUB_OVERNIGHT + channel)

    def revoke(self, local: np.ndarray, channel: np.ndarray) -> None:
        """An unsubscribe withdraws that channel at once."""
        self.state[local, channel] = False

    def ground_truth(self) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {"refuses_all": self.refuses_all}
        for c, name in enumerate(CHANNELS):
            cols[f"consent_initial_{name}"] = self.initial[:, c]
        for c, name in enumerate(CHANNELS):
            cols[f"consent_final_{name}"] = self.state[:, c]
        return cols
