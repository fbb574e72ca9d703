"""Browsing and buying: churn, sessions, views, carts, purchases (and the signup session).

A day of one chunk is generated in a few vectorised passes: how many sessions each eligible
user starts (Poisson around their activity, weekday-adjusted), when (around their preferred
hour), on which device, which items they view (favourite categories, popularity, spend level
breaking ties towards pricier items), what goes into the cart and whether the cart is bought.
Prospects browse anonymously for a few days before signing up; the signup session ends in a
login followed by the consent form; churned users never come back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from tailor.simulator.catalog import Catalog
from tailor.simulator.columns import EventBatch
from tailor.simulator.consent import Consent
from tailor.simulator.identity import Identity
from tailor.simulator.params import WorldParams
from tailor.simulator.streams import Streams, expand, group_ranks
from tailor.simulator.traits import Traits

NOT_CHURNED = np.iinfo(np.int64).max // 4
_DAY = 86400
_VIEW_SLOTS = 256          # per-session index space for view-level draws
_SUB_SESSION, _SUB_RANK = 1000, 2048


@dataclass
class Behaviour:
    """Shopping behaviour of one chunk of users; owns the churn state."""

    streams: Streams
    params: WorldParams
    catalog: Catalog
    traits: Traits
    start_date: date

    def __post_init__(self) -> None:
        self.churn_day = np.full(self.traits.user.shape[0], NOT_CHURNED, dtype=np.int64)
        self._category_cum = np.cumsum(self.catalog.category_weights)

    # --- state ---------------------------------------------------------------------------
    def known(self, day: int) -> np.ndarray:
        """Customers the business knows about on ``day`` (signed up on an earlier day)."""
        return self.traits.signup_day < day

    def alive(self, day: int) -> np.ndarray:
        return self.churn_day > day

    def churn(self, day: int) -> None:
        """Hazard-driven churn of active customers, effective from ``day``."""
        at_risk = self.known(day) & self.alive(day)
        u = self.streams.uniform("churn", self.traits.user, day)
        self.churn_day[at_risk & (u < self.traits.churn_hazard)] = day

    # --- shopping choices (shared with conversions) ----------------------------------------
    def pick_items(self, purpose: str, local: np.ndarray, day: int,
                   index: np.ndarray | int) -> np.ndarray:
        """Items a user looks at: favourite categories first, pricier ones for big spenders."""
        users = self.traits.user[local]
        s, p = self.streams, self.params
        u_cat = s.uniform(f"{purpose}:category", users, day, index)
        popular = np.minimum(np.searchsorted(self._category_cum,
                                             s.uniform(f"{purpose}:popular", users, day, index),
                                             side="right"), self._category_cum.shape[0] - 1)
        category = np.where(u_cat < p.favourite_share, self.traits.favourite[local],
                            np.where(u_cat < p.favourite_share + p.second_share,
                                     self.traits.second[local], popular))
        price = self.catalog.price
        first, other = (self.catalog.sample_in_category(
            category, s.uniform(f"{purpose}:{k}", users, day, index)) for k in "ab")
        pricier = np.where(price[first] >= price[other], first, other)
        cheaper = np.where(price[first] >= price[other], other, first)
        spend = self.traits.spend_level[local]
        return np.where(s.uniform(f"{purpose}:taste", users, day, index) < spend / (1.0 + spend),
                        pricier, cheaper)

    def pick_quantity(self, purpose: str, local: np.ndarray, day: int,
                      index: np.ndarray | int) -> np.ndarray:
        lam = self.params.extra_quantity_per_spend * self.traits.spend_level[local]
        return 1 + self.streams.poisson(f"{purpose}:quantity", lam, self.traits.user[local],
                                        day, index)

    # --- sessions ---------------------------------------------------------------------------
    def sessions(self, day: int, identity: Identity, consent: Consent,
                 record: bool) -> EventBatch:
        """All session events of ``day``: views, carts, purchases, logins, signup consent."""
        s, p, tr = self.streams, self.params, self.traits
        weekday = (self.start_date + timedelta(days=day)).weekday()
        customer = self.known(day) & self.alive(day)
        signup = tr.signup_day == day
        prospect = (tr.signup_day > day) & (tr.signup_day - p.prospect_days <= day)
        rate = tr.activity * p.weekday_factors[weekday] * np.where(prospect, 0.5, 1.0)
        organic = s.poisson("session:count", np.where(customer | prospect, rate, 0.0), tr.user, day)
        count = np.where(signup, 1, organic)

        # Sessions, ordered by start within each user -> rank.
        local, draw = expand(count)
        if local.size == 0:
            return EventBatch.empty()
        users = tr.user[local]
        is_signup = signup[local]
        hour = np.where(
            s.uniform("session:off_hour", users, day, draw) < p.off_hour_share,
            24.0 * s.uniform("session:any_hour", users, day, draw),
            tr.preferred_hour[local] + p.hour_spread * s.normal("session:hour", users, day, draw))
        hour = np.where(is_signup, 8.0 + 14.0 * s.uniform("session:signup_hour", users, day),
                        np.mod(hour, 24.0))
        start = np.floor(hour * 3600.0).astype(np.int64)
        order = np.lexsort((draw, start, local))
        local, users, is_signup, start = local[order], users[order], is_signup[order], start[order]
        rank = group_ranks(local)
        device = np.where(is_signup, 0, identity.choose_devices(day, local, rank))

        # Views: 1 + Poisson, at least 5 s apart; times relative to the session start.
        n = local.shape[0]
        n_views = np.minimum(p.max_views, 1 + s.poisson("session:views", p.extra_views_mean,
                                                       users, day, rank))
        sess, pos = expand(n_views)
        v_users, v_local = users[sess], local[sess]
        v_index = rank[sess] * _VIEW_SLOTS + pos
        gap = np.where(pos == 0, 0, 5 + np.floor(s.exponential("view:gap", 45.0, v_users, day,
                                                                v_index)).astype(np.int64))
        cum_gap = np.cumsum(gap)
        first_view = np.r_[0, np.cumsum(n_views)[:-1]].astype(np.int64)
        view_rel = cum_gap - cum_gap[first_view][sess]
        item = self.pick_items("view", v_local, day, v_index)
        carted = s.uniform("view:cart", v_users, day, v_index) < tr.cart_rate[v_local]
        cart_rel = view_rel + 1 + np.floor(3 * s.uniform("view:cart_t", v_users, day, v_index)
                                           ).astype(np.int64)
        last = first_view + n_views - 1
        browse_end = np.where(carted[last], cart_rel[last], view_rel[last])

        # Purchases: customers buy the whole cart with probability = intent.
        has_cart = np.bincount(sess, weights=carted, minlength=n) > 0
        buys = (has_cart & (customer[local] | is_signup)
                & (s.uniform("session:buy", users, day, rank) < tr.purchase_intent[local]))
        buy_rel = browse_end + 10 + np.floor(s.exponential("session:checkout", 60.0, users, day,
                                                           rank)).astype(np.int64)
        session_end = np.where(buys, buy_rel + 60, browse_end)

        # A user's sessions do not overlap: each starts at least 2 minutes after the last.
        for r in range(1, int(rank.max(initial=0)) + 1):
            rows = np.flatnonzero(rank == r)
            start[rows] = np.maximum(start[rows], start[rows - 1] + session_end[rows - 1] + 120)

        # Logins: signup forces one; otherwise by chance, or at checkout.
        voluntary = s.uniform("session:login", users, day, rank) < p.login_rate
        identified, login = identity.resolve_logins(
            local, rank, device, may_login=customer[local] | is_signup,
            wants=is_signup | voluntary | buys)
        u_pos = s.uniform("session:login_pos", users, day, rank)
        login_pos = np.where(is_signup, 1 + np.floor(u_pos * n_views),
                             np.where(voluntary, np.floor(u_pos * (n_views + 1)), n_views))
        login_pos = np.minimum(login_pos, n_views).astype(np.int64)
        view_at_pos = view_rel[first_view + np.minimum(login_pos, n_views - 1)]
        login_rel = np.where(login_pos < n_views, view_at_pos - 1, browse_end + 5)
        login_t = np.where(login, start + login_rel, np.iinfo(np.int64).max)
        assert login[is_signup].all(), "every signup session logs in"

        view_t = start[sess] + view_rel
        cart_t = start[sess] + cart_rel
        buy_t = start + buy_rel
        gen = identity.gen[local, device]
        base_t = day * _DAY
        sub = _SUB_SESSION + rank * _SUB_RANK
        if record:
            identity.record_use(local, device)

        def known_at(t: np.ndarray, rows: np.ndarray) -> np.ndarray:
            return identified[rows] | (t > login_t[rows])

        parts = [
            EventBatch.make("view", t=base_t + view_t, user=v_users, cid=known_at(view_t, sess),
                            device=device[sess], gen=gen[sess], item=item,
                            sub=sub[sess] + 4 * pos + 1),
        ]
        c_rows = np.flatnonzero(carted)
        c_sess = sess[c_rows]
        parts.append(EventBatch.make(
            "add_to_cart", t=base_t + cart_t[c_rows], user=v_users[c_rows],
            cid=known_at(cart_t[c_rows], c_sess), device=device[c_sess], gen=gen[c_sess],
            item=item[c_rows], sub=sub[c_sess] + 4 * pos[c_rows] + 2))

        b_rows = c_rows[buys[c_sess]]
        if b_rows.size:
            b_sess = sess[b_rows]
            line = group_ranks(b_sess)
            t = buy_t[b_sess] + line
            quantity = self.pick_quantity("purchase", local[b_sess], day,
                                          rank[b_sess] * _VIEW_SLOTS + pos[b_rows])
            parts.append(EventBatch.make(
                "purchase", t=base_t + t, user=users[b_sess], cid=known_at(t, b_sess),
                device=device[b_sess], gen=gen[b_sess], item=item[b_rows],
                price=self.catalog.price[item[b_rows]], quantity=quantity,
                sub=sub[b_sess] + 1100 + line))

        l_rows = np.flatnonzero(login)
        parts.append(EventBatch.make(
            "login", t=base_t + login_t[l_rows], user=users[l_rows], cid=True, email=True,
            device=device[l_rows], gen=gen[l_rows], sub=sub[l_rows] + 4 * login_pos[l_rows]))

        s_rows = np.flatnonzero(is_signup)
        parts.append(consent.signup(local[s_rows], base_t + login_t[s_rows],
                                    sub[s_rows] + 1500))
        return EventBatch.concat(parts)
