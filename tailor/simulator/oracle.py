"""Ground-truth oracle: the true expected outcome of any marketing decision in a simulated world.

For tests and benches only — the pipeline never imports this module (a test checks it). It
reads a world directory written by ``tailor simulate`` (``world.json``, the hidden traits in
``ground_truth/users.parquet``, and, for consent, fatigue and the logged decisions, the landing
files), rebuilds the item catalogue from the seed, and computes *exact* expectations of what
``Marketing._send_and_respond`` does when action ``a`` is sent to customer ``c`` on simulated
day ``d``:

  P(conversion) = P(open) x P(click | open) x P(convert | click) x P(conversion lands before
                  the response cap)                 (odds: ``marketing.response_odds``; timing
                                                     and order values: ``expectations``)
  value         = P(conversion) x E[order value]   (0 for ``no_message``)
  P(unsubscribe)= min(1, p_unsub(fatigue)) x P(unsubscribe lands before the cap)
  reward        = value - cost(a) - unsubscribe_cost x P(unsubscribe)
  cost(a)       = channel cost + per-message cost for a message, 0 for ``no_message``

Whether the customer has churned by day ``d`` comes from the ground truth (churn does not depend
on marketing). Message *fatigue* (which raises P(unsubscribe)) is history: the sends of earlier
days, each weighing ``fatigue_decay ** days_ago``. Every method takes it as an optional input
(default 0); ``Oracle.logged_fatigue`` reconstructs it from the world's logged ``message_sent``
events (exactly the simulator's running value), and a caller evaluating a counterfactual history
can compute it the same way with ``fatigue_from_sends``.

Consent on day ``d`` is the consent the landing events imply at the start of the decision window
(``decision_window[0]``:00): consent_change events and unsubscribes replayed up to then (no
consent event can fall between that instant and a send). An action whose channel is not
allowed is worth nothing in ``value_of`` because the simulator would not send it.

Usage::

    from tailor.simulator.oracle import Costs, Oracle
    oracle = Oracle.load("/tmp/world")
    costs = Costs.from_config()                       # conf/actions.yaml + policy.message_cost
    points = oracle.decision_points(costs)            # the world's logged decisions + outcomes
    rewards = oracle.reward_matrix(points["customer_id"], points["day"], costs)   # (n, actions)
    best = oracle.best_action(points["customer_id"], points["day"], costs)        # action ids
    truth = oracle.value_of(points.select("customer_id", "day", "action_id"), costs)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import polars as pl

from tailor.events import CHANNELS
from tailor.simulator.catalog import build_catalog
from tailor.simulator.expectations import action_timing, category_item_tables, order_values
from tailor.simulator.logbook import Logbook
from tailor.simulator.marketing import NO_MESSAGE, ActionBank, LoggingPolicy, response_odds
from tailor.simulator.params import WorldParams
from tailor.simulator.streams import Streams
from tailor.simulator.world import load_action_bank
from tailor.simulator.writer import GROUND_TRUTH_DIR, WORLD_FILE

_DAY = 86400
BLOCK_ROWS = 16_384          # decision points per block of the (points x actions) computations
ArrayLike = Sequence[Any] | np.ndarray | pl.Series


@dataclass(frozen=True)
class Costs:
    """What sending costs: per channel (``conf/actions.yaml`` ``channels.<name>.cost``) plus a
    cost every message carries (``policy.message_cost``). ``no_message`` costs nothing."""

    channel: Mapping[str, float] = field(default_factory=dict)
    per_message: float = 0.0

    @classmethod
    def from_config(cls, cfg: Any = None) -> "Costs":
        """The pipeline's costs from ``conf/`` (``tailor.config.get_config()`` by default)."""
        if cfg is None:
            from tailor.config import get_config

            cfg = get_config()
        channels = cfg.load_actions()["channels"]
        return cls({name: float((spec or {}).get("cost", 0.0)) for name, spec in channels.items()},
                   float(cfg.policy.message_cost))

    def vector(self, bank: ActionBank) -> np.ndarray:
        """Cost of every action of ``bank`` (index 0, ``no_message``: 0)."""
        unknown = set(self.channel) - set(CHANNELS)
        if unknown:
            raise ValueError(f"costs name unknown channels {sorted(unknown)}; channels: {CHANNELS}")
        by_channel = np.array([self.channel.get(name, 0.0) for name in CHANNELS])
        return np.where(bank.channel >= 0, by_channel[np.maximum(bank.channel, 0)]
                        + self.per_message, 0.0)


def fatigue_from_sends(sends: np.ndarray, decay: float) -> np.ndarray:
    """Message fatigue per (user, day) at decision time from a (users, days) count of sends:
    the simulator's running value (decayed every morning, +1 per send), bit for bit."""
    sends = np.asarray(sends)
    out = np.zeros(sends.shape)
    running = np.zeros(sends.shape[0])
    for day in range(sends.shape[1]):
        running *= decay
        out[:, day] = running
        running += sends[:, day]
    return out


def _reward(out: dict[str, np.ndarray], cost: np.ndarray, unsubscribe_cost: float
            ) -> np.ndarray:
    reward = out["value"] - cost
    if unsubscribe_cost:
        reward = reward - unsubscribe_cost * out["p_unsubscribe"]
    return reward


def _days_since(dates: pl.Series, start: date) -> np.ndarray:
    return (dates.dt.epoch("d") - (start - date(1970, 1, 1)).days).to_numpy()


class Oracle:
    """Exact expected outcomes of decisions in one simulated world (see the module docstring)."""

    def __init__(self, world_dir: Path, world: dict[str, Any], users: pl.DataFrame,
                 bank: ActionBank) -> None:
        self.world_dir = world_dir
        self.world = world
        args = world["arguments"]
        self.params = WorldParams(**{k: tuple(v) if isinstance(v, list) else v
                                     for k, v in world["params"].items()})
        self.start_date = date.fromisoformat(args["start_date"])
        self.days = int(args["days"])
        self.n_users = int(args["users"])
        self.bank = bank
        self.action_ids: tuple[str, ...] = bank.action_ids
        self.policy = LoggingPolicy(bank, self.params.no_message_share)
        self.catalog = build_catalog(int(args["items"]), Streams(int(args["seed"])))

        expected = [f"C{i + 1:07d}" for i in range(self.n_users)]
        if users["customer_id"].to_list() != expected:
            raise ValueError(f"{world_dir}/{GROUND_TRUTH_DIR}/users.parquet is not in user order "
                             "(C0000001, C0000002, ...): re-simulate the world")
        self.affinity = np.column_stack([users[f"affinity_{c}"].to_numpy() for c in CHANNELS])
        self.preferred_hour = users["preferred_hour"].to_numpy()
        self.discount_sensitivity = users["discount_sensitivity"].to_numpy()
        self.purchase_intent = users["purchase_intent"].to_numpy()
        self.spend_level = users["spend_level"].to_numpy()
        self.churn_day = users["churn_day"].to_numpy()
        categories = {name: i for i, name in enumerate(self.catalog.categories)}
        self.favourite = np.array([categories[c] for c in users["favourite_category"]])
        self.second = np.array([categories[c] for c in users["second_category"]])
        self.signup_day = _days_since(users["signup_date"].str.to_date(), self.start_date)
        self._timing = action_timing(bank, self.params)
        self._discounts, self._offer = np.unique(bank.discount, return_inverse=True)
        self._order_mean = np.full((self.n_users, self._discounts.shape[0]), np.nan)
        self._order_second = np.full_like(self._order_mean, np.nan)

    @classmethod
    def load(cls, world_dir: str | Path, actions: dict[str, Any] | None = None) -> "Oracle":
        """The oracle of the world written under ``world_dir``. ``actions``: the action-bank
        mapping the world was simulated with (default: the one ``conf/`` names); its ids must
        be world.json's ``action_bank``."""
        root = Path(world_dir)
        manifest = root / WORLD_FILE
        if not manifest.exists():
            raise FileNotFoundError(f"no {WORLD_FILE} in {root}: point Oracle.load at the --out "
                                    "directory of `tailor simulate`")
        world = json.loads(manifest.read_text())
        bank = load_action_bank(actions)
        if list(bank.action_ids) != list(world["action_bank"]):
            raise ValueError(f"the world in {root} was simulated with another action bank than "
                             "the one given / configured; pass Oracle.load(..., actions=<the "
                             "mapping given to simulate>)")
        # (worlds written before world.json listed its ground truth files: the fixed name)
        users_file = world.get("ground_truth", {}).get("users", f"{GROUND_TRUTH_DIR}/users.parquet")
        users = pl.read_parquet(root / users_file)
        return cls(root, world, users, bank)

    # --- ids ----------------------------------------------------------------------------------
    def customer_index(self, customer_ids: ArrayLike) -> np.ndarray:
        """Global user index of each landing ``customer_id`` (``C0000001`` -> 0)."""
        ids = pl.Series("customer_id", customer_ids, dtype=pl.String)
        ok = ids.str.contains(r"^C\d{7}$")
        if not ok.all():
            raise ValueError(f"not a customer id of this world: {ids.filter(~ok)[0]!r} "
                             "(landing ids look like C0000001)")
        index = ids.str.slice(1).cast(pl.Int64).to_numpy() - 1
        if index.size and (index.min() < 0 or index.max() >= self.n_users):
            raise ValueError(f"customer ids beyond this world's {self.n_users:,} users")
        return index

    def day_index(self, dates: ArrayLike) -> np.ndarray:
        """Simulated day index of each date (``date`` objects or ``YYYY-MM-DD`` strings)."""
        series = pl.Series("date", dates)
        if series.dtype == pl.String:
            series = series.str.to_date("%Y-%m-%d")
        return _days_since(series.cast(pl.Date), self.start_date)

    def action_index(self, action_ids: ArrayLike) -> np.ndarray:
        """Index of each action id in ``action_ids`` (0 = ``no_message``)."""
        lookup = {a: i for i, a in enumerate(self.action_ids)}
        values = list(pl.Series("action_id", action_ids, dtype=pl.String))
        unknown = sorted(set(values) - set(lookup))
        if unknown:
            raise ValueError(f"unknown action id(s) {unknown[:5]}; the bank has "
                             f"{len(self.action_ids)} actions, e.g. {self.action_ids[1]!r}")
        return np.array([lookup[a] for a in values], dtype=np.int64)

    def known(self, customer_ids: ArrayLike, days: ArrayLike | int) -> np.ndarray:
        """Whether each customer is known to the business on the day (signed up on an earlier
        day): only known customers are ever decision points."""
        user, day = self._points(customer_ids, days)
        return self.signup_day[user] < day

    def _points(self, customer_ids: ArrayLike, days: ArrayLike | int
                ) -> tuple[np.ndarray, np.ndarray]:
        user = self.customer_index(customer_ids)
        day = np.broadcast_to(np.asarray(days, dtype=np.int64), user.shape).copy()
        if day.size and (day.min() < 0 or day.max() >= self.days):
            raise ValueError(f"days must be simulated day indices 0..{self.days - 1} "
                             "(Oracle.day_index converts dates)")
        return user, day

    def _fatigue(self, fatigue: ArrayLike | float | None, n: int) -> np.ndarray:
        if fatigue is None:
            return np.zeros(n)
        return np.broadcast_to(np.asarray(fatigue, dtype=np.float64), (n,))

    # --- expectations -------------------------------------------------------------------------
    @cached_property
    def _item_tables(self) -> tuple[np.ndarray, np.ndarray]:
        return category_item_tables(self.catalog)

    def _orders(self, user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        missing = np.unique(user[np.isnan(self._order_mean[user, 0])])
        if missing.size:
            values = order_values(self.catalog, self.params, self.favourite[missing],
                                  self.second[missing], self.spend_level[missing],
                                  self._discounts, self._item_tables)
            self._order_mean[missing] = values.mean
            self._order_second[missing] = values.second_moment
        return self._order_mean[user], self._order_second[user]

    def outcomes(self, user: np.ndarray, day: np.ndarray, action: np.ndarray,
                 fatigue: np.ndarray) -> dict[str, np.ndarray]:
        """Every expectation for users (n,), days (n,), actions (n, k) and fatigue (n,) as
        (n, k) arrays: ``p_open`` (an open lands), ``p_click`` (P(click | open)),
        ``p_convert`` (P(convert | click)), ``p_conversion`` (a conversion lands),
        ``order_value`` / ``order_value_sq`` (E[value], E[value^2] of a conversion),
        ``value`` (= p_conversion x order_value), ``value_sq`` (E[value^2] of the message) and
        ``p_unsubscribe``. Indices, not ids: see ``customer_index`` / ``action_index``."""
        bank, t = self.bank, self._timing
        action = np.asarray(action, dtype=np.int64)
        is_message = action > 0
        channel = np.maximum(bank.channel[action], 0)
        u = user[:, None]
        odds = response_odds(self.params, channel, bank.send_hour[action],
                             bank.discount[action], self.affinity[u, channel],
                             self.preferred_hour[u], self.discount_sensitivity[u],
                             self.purchase_intent[u], self._alive(user, day)[:, None],
                             fatigue[:, None])
        mean, second = self._orders(user)
        offer = self._offer[action]
        order_mean = np.take_along_axis(mean, offer, axis=1)
        order_sq = np.take_along_axis(second, offer, axis=1)
        p_conversion = odds.open * odds.click * odds.convert * t.convert[action]
        p_unsub = (np.minimum(1.0, odds.unsubscribe)
                   * (t.unsub_base[action] + t.unsub_per_open[action] * odds.open))

        def msg(x: np.ndarray) -> np.ndarray:
            return np.where(is_message, x, 0.0)

        return {
            "p_open": msg(odds.open * t.open[action]),
            "p_click": msg(odds.click),
            "p_convert": msg(odds.convert),
            "p_conversion": msg(p_conversion),
            "order_value": msg(order_mean),
            "order_value_sq": msg(order_sq),
            "value": msg(p_conversion * order_mean),
            "value_sq": msg(p_conversion * order_sq),
            "p_unsubscribe": msg(p_unsub),
        }

    def _alive(self, user: np.ndarray, day: np.ndarray) -> np.ndarray:
        churn = self.churn_day[user]
        return (churn < 0) | (churn > day)

    def expected_value(self, customer_ids: ArrayLike, days: ArrayLike | int,
                       action_ids: ArrayLike) -> np.ndarray:
        """Expected conversion value (currency units) of sending ``action_ids[i]`` to
        ``customer_ids[i]`` on day ``days[i]``; 0 for ``no_message``. Consent is not applied
        (see ``allowed_mask`` / ``value_of``)."""
        user, day = self._points(customer_ids, days)
        action = self.action_index(action_ids)[:, None]
        return self.outcomes(user, day, action, np.zeros(user.shape[0]))["value"][:, 0]

    def expected_unsubscribe(self, customer_ids: ArrayLike, days: ArrayLike | int,
                             action_ids: ArrayLike,
                             fatigue: ArrayLike | float | None = None) -> np.ndarray:
        """P(the message makes the customer unsubscribe from its channel); 0 for no_message."""
        user, day = self._points(customer_ids, days)
        action = self.action_index(action_ids)[:, None]
        return self.outcomes(user, day, action,
                             self._fatigue(fatigue, user.shape[0]))["p_unsubscribe"][:, 0]

    def _blocks(self, customer_ids: ArrayLike, days: ArrayLike | int,
                fatigue: ArrayLike | float | None):
        """(rows, outcomes of every action for those rows) in blocks of ``BLOCK_ROWS``, so a
        matrix over a million decision points never needs all its temporaries at once."""
        user, day = self._points(customer_ids, days)
        tired = self._fatigue(fatigue, user.shape[0])
        every = np.arange(len(self.bank))[None, :]
        for lo in range(0, user.shape[0], BLOCK_ROWS):
            rows = slice(lo, min(user.shape[0], lo + BLOCK_ROWS))
            n = rows.stop - rows.start
            yield rows, self.outcomes(user[rows], day[rows],
                                      np.broadcast_to(every, (n, every.shape[1])), tired[rows])

    def _matrix(self, customer_ids: ArrayLike, days: ArrayLike | int,
                fatigue: ArrayLike | float | None, block_value) -> np.ndarray:
        n = len(customer_ids)
        out = np.zeros((n, len(self.bank)))
        for rows, block in self._blocks(customer_ids, days, fatigue):
            out[rows] = block_value(block)
        return out

    def value_matrix(self, customer_ids: ArrayLike, days: ArrayLike | int) -> np.ndarray:
        """(n, actions) expected conversion value of every action of the bank (column 0,
        ``no_message``: 0), in ``action_ids`` order."""
        return self._matrix(customer_ids, days, None, lambda out: out["value"])

    def unsubscribe_matrix(self, customer_ids: ArrayLike, days: ArrayLike | int,
                           fatigue: ArrayLike | float | None = None) -> np.ndarray:
        """(n, actions) P(unsubscribe) of every action."""
        return self._matrix(customer_ids, days, fatigue, lambda out: out["p_unsubscribe"])

    def reward_matrix(self, customer_ids: ArrayLike, days: ArrayLike | int, costs: Costs,
                      unsubscribe_cost: float = 0.0,
                      fatigue: ArrayLike | float | None = None) -> np.ndarray:
        """(n, actions) expected reward: value - cost(action) - unsubscribe_cost x
        P(unsubscribe). Consent is not applied (mask with ``allowed_mask``)."""
        cost = costs.vector(self.bank)[None, :]
        return self._matrix(customer_ids, days, fatigue,
                            lambda out: _reward(out, cost, unsubscribe_cost))

    # --- consent and policies -----------------------------------------------------------------
    @cached_property
    def logbook(self) -> Logbook:
        """The world's landing files, read once (consent, decisions, sends). The logged sends'
        send hours and discounts must be the action bank's (world.json keeps only the ids)."""
        book = Logbook.read(self.world_dir, self.world["files"], self.start_date, self.days)
        sent = book.decisions.filter(pl.col("channel").is_not_null())
        action = self.action_index(sent["action_id"])
        if not (np.array_equal(sent["send_hour"].to_numpy(), self.bank.send_hour[action])
                and np.array_equal(sent["discount"].to_numpy(), self.bank.discount[action])):
            raise ValueError(f"the sends logged in {self.world_dir} do not match the action "
                             "bank's send hours / discounts: pass Oracle.load(..., actions=<the "
                             "mapping the world was simulated with>)")
        return book

    def consent(self, customer_ids: ArrayLike, days: ArrayLike | int) -> np.ndarray:
        """(n, 4) per-channel consent (``tailor.events.CHANNELS`` order) at the start of the
        decision window of each day, replayed from the landing consent events."""
        user, day = self._points(customer_ids, days)
        return self.logbook.consent_at(user, day * _DAY + self.params.decision_window[0] * 3600)

    def allowed_mask(self, customer_ids: ArrayLike, days: ArrayLike | int) -> np.ndarray:
        """(n, actions) actions the customer's consent allows at decision time on the day
        (``no_message`` always)."""
        return self.policy.allowed(self.consent(customer_ids, days))

    def best_action(self, customer_ids: ArrayLike, days: ArrayLike | int, costs: Costs,
                    unsubscribe_cost: float = 0.0,
                    fatigue: ArrayLike | float | None = None) -> np.ndarray:
        """Action id of the highest expected reward among the allowed actions (``no_message``,
        worth exactly 0, included; ties go to the earlier action, so to no_message first)."""
        allowed = self.allowed_mask(customer_ids, days)
        cost = costs.vector(self.bank)[None, :]
        best = np.zeros(allowed.shape[0], dtype=np.int64)
        for rows, out in self._blocks(customer_ids, days, fatigue):
            reward = np.where(allowed[rows], _reward(out, cost, unsubscribe_cost), -np.inf)
            best[rows] = np.argmax(reward, axis=1)
        return np.array(self.action_ids, dtype=object)[best]

    def logging_value(self, customer_ids: ArrayLike, days: ArrayLike | int, costs: Costs,
                      unsubscribe_cost: float = 0.0,
                      fatigue: ArrayLike | float | None = None) -> np.ndarray:
        """Expected reward of the simulator's uniform logging policy at these decision points
        (its action probabilities under the consent of the day)."""
        probs = self.policy.probabilities(self.consent(customer_ids, days))
        cost = costs.vector(self.bank)[None, :]
        value = np.zeros(probs.shape[0])
        for rows, out in self._blocks(customer_ids, days, fatigue):
            value[rows] = (probs[rows] * _reward(out, cost, unsubscribe_cost)).sum(axis=1)
        return value

    def value_of(self, decisions: pl.DataFrame | Any, costs: Costs,
                 unsubscribe_cost: float = 0.0,
                 fatigue: ArrayLike | float | None = None) -> pl.DataFrame:
        """True expected outcome of each row of a decision table (``customer_id``, ``day`` or
        ``date``, ``action_id``; other columns are kept) as the closed-loop simulator would
        execute it: the input plus ``day``, ``allowed`` (consent allows the action; if not the
        simulator sends nothing and every outcome is 0), ``expected_value``,
        ``expected_unsubscribe``, ``cost`` and ``expected_reward``."""
        table = decisions if isinstance(decisions, pl.DataFrame) else pl.from_pandas(decisions)
        if "day" in table.columns:
            day = table["day"].to_numpy().astype(np.int64)
        elif "date" in table.columns:
            day = self.day_index(table["date"])
        else:
            raise ValueError("the decision table needs a `day` (simulated day index) or a "
                             "`date` column")
        user, day = self._points(table["customer_id"], day)
        action = self.action_index(table["action_id"])
        allowed = self.allowed_mask(table["customer_id"], day)[np.arange(user.shape[0]), action]
        out = self.outcomes(user, day, action[:, None], self._fatigue(fatigue, user.shape[0]))
        cost = costs.vector(self.bank)[action]
        value = np.where(allowed, out["value"][:, 0], 0.0)
        unsub = np.where(allowed, out["p_unsubscribe"][:, 0], 0.0)
        cost = np.where(allowed, cost, 0.0)
        return table.with_columns(
            pl.Series("day", day), pl.Series("allowed", allowed),
            pl.Series("expected_value", value), pl.Series("expected_unsubscribe", unsub),
            pl.Series("cost", cost),
            pl.Series("expected_reward", value - cost - unsubscribe_cost * unsub))

    # --- the world's own log ------------------------------------------------------------------
    def decision_points(self, costs: Costs | None = None,
                        unsubscribe_cost: float = 0.0) -> pl.DataFrame:
        """The world's logged decision points (message_sent + decision_served), one row each:
        ``customer_id``, ``user``, ``day``, ``date``, ``t`` (seconds since the start: the send
        time of a message, the decision time of no_message), ``action_id``, ``propensity``,
        ``channel`` (null for no_message), ``message_id``, the realised ``value`` (sum of the
        conversions attributed to the message), ``conversions``, ``unsubscribed`` and
        ``censored`` (a message of the last simulated day: responses after midnight are not in
        landing). With ``costs``: ``cost`` and the realised ``reward`` = value - cost -
        unsubscribe_cost x unsubscribed."""
        points = self.logbook.decisions.with_columns(
            (pl.lit(self.start_date) + pl.duration(days=pl.col("day"))).alias("date"),
            (pl.col("channel").is_not_null() & (pl.col("day") == self.days - 1))
            .alias("censored"))
        if costs is None:
            return points
        cost = costs.vector(self.bank)[self.action_index(points["action_id"])]
        return points.with_columns(pl.Series("cost", cost)).with_columns(
            (pl.col("value") - pl.col("cost")
             - unsubscribe_cost * pl.col("unsubscribed").cast(pl.Float64)).alias("reward"))

    @cached_property
    def _logged_fatigue(self) -> np.ndarray:
        return fatigue_from_sends(self.logbook.sends_by_day(self.n_users),
                                  self.params.fatigue_decay)

    def logged_fatigue(self, customer_ids: ArrayLike, days: ArrayLike | int) -> np.ndarray:
        """Each customer's message fatigue at decision time on the day, from the sends this
        world logged (equal to the simulator's own running value)."""
        user, day = self._points(customer_ids, days)
        return self._logged_fatigue[user, day]


__all__ = ["Oracle", "Costs", "fatigue_from_sends", "NO_MESSAGE"]
