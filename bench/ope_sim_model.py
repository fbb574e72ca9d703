"""Observable context and the reward model of the simulator OPE bench (``bench/ope_sim.py``).

Everything here is computed from a world's *landing* events only (what a business would have):
never from ``ground_truth/`` (the hidden traits are the truth the bench measures against, not
context). The features of a decision point on simulated day ``d`` use events of days < d only
(decisions are taken from 07:00; yesterday's late responses up to 06:00 are left out, which costs a
little freshness and rules out any look-ahead).

Context per customer as of day d: tenure, views (all / last 7 days), add-to-carts, orders (purchases
and conversions), spend, order value, days since the last order, the circular mean hour of the
customer's views and its concentration (a preferred-hour proxy), per channel the sends / opens /
clicks / conversions of earlier messages, opens and clicks of messages with and without an offer,
sends of the last 1 and 3 days, today's per-channel consent and the weekday. Action features: channel
one-hot, send hour, discount, the circular gap between the send hour and the hour proxy, and the
customer's history on the action's channel (sends, opens, clicks, conversions, smoothed open and click
rates).

The reward model follows the message funnel that landing records: three XGBoost classifiers,
P(open | sent), P(click | opened) and P(convert | clicked), each over (context, action), times the
expected order value of a conversion (the customer's shrunk mean past order value x (1 - discount),
rescaled so that it matches the training window's conversions on average). The bench's
q̂(x, a) = that expected value - the action's known cost, and q̂(x, no_message) = 0 exactly (a logged
no_message round has no cost and no attributed conversion, so its reward is 0 by construction). The
funnel uses the far more frequent opens and clicks, not only the rare conversions. A bench's model,
kept small on purpose: the pipeline's own learned policy lives in ``tailor/agents``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import polars as pl

from tailor.events import CHANNELS

_DAY = 86400
_SCHEMA = {"event_type": pl.String, "ts": pl.String, "customer_id": pl.String, "channel": pl.String,
           "message_id": pl.String, "price": pl.Float64, "quantity": pl.Int64, "discount": pl.Float64}
_KINDS = ("view", "add_to_cart", "purchase", "conversion", "message_sent", "message_open",
          "message_click")
RECENT_VIEW_DAYS = 7   # "views_7d": views of the last this many days
SMOOTH_OPENS = (1.0, 10.0)   # open rate = (opens + a) / (sends + b): a prior of ~10% before any send
SMOOTH_CLICKS = (1.0, 4.0)   # click rate = (clicks + a) / (opens + b)


def read_events(world_dir: str | Path, files: list[str], start_date: date) -> pl.DataFrame:
    """The landing events of a world that carry a ``customer_id`` and matter here, with ``t`` in
    seconds since the first simulated midnight (UTC)."""
    epoch = int(datetime(start_date.year, start_date.month, start_date.day, tzinfo=timezone.utc).timestamp())
    return (pl.scan_ndjson([str(Path(world_dir) / f) for f in files], schema=_SCHEMA)
            .filter(pl.col("event_type").is_in(_KINDS) & pl.col("customer_id").is_not_null())
            .with_columns(t=pl.col("ts").str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%SZ")
                          .dt.epoch("s") - epoch)
            .drop("ts")
            .collect())


def message_outcomes(events: pl.DataFrame) -> pl.DataFrame:
    """Per ``message_id``: whether it was ``opened`` and ``clicked`` (landing message events)."""
    return (events.filter(pl.col("event_type").is_in(["message_open", "message_click"]))
            .group_by("message_id")
            .agg((pl.col("event_type") == "message_open").any().alias("opened"),
                 (pl.col("event_type") == "message_click").any().alias("clicked")))


def frame_events(events: pl.DataFrame) -> pl.DataFrame:
    """Events (``event_type``, ``t``, ``customer_id``, ``channel``, ``message_id``, ``price``,
    ``quantity``, ``discount``; as :func:`read_events` gives them) as (user, day, kind, hour, channel,
    value, offer): ``user`` the global index (C0000001 -> 0), ``day`` the simulated day, ``channel``
    the index in ``tailor.events.CHANNELS`` (-1 if none), ``value`` the money of an order (purchase:
    unit price x quantity; conversion: its order value), ``offer`` whether the message the event
    belongs to carried a discount (sends, opens, clicks)."""
    offers = (events.filter(pl.col("event_type") == "message_sent")
              .select("message_id", (pl.col("discount") > 0).alias("offer")))
    return (events.join(offers, on="message_id", how="left")
            .select(
                (pl.col("customer_id").str.slice(1).cast(pl.Int64) - 1).alias("user"),
                (pl.col("t") // _DAY).alias("day"),
                pl.col("event_type").replace_strict(list(_KINDS), list(range(len(_KINDS))),
                                                    return_dtype=pl.Int64).alias("kind"),
                ((pl.col("t") % _DAY) / 3600.0).alias("hour"),
                pl.col("channel").replace_strict(list(CHANNELS), list(range(len(CHANNELS))),
                                                 default=-1, return_dtype=pl.Int64).alias("channel"),
                pl.when(pl.col("event_type") == "purchase")
                .then(pl.col("price") * pl.col("quantity"))
                .when(pl.col("event_type") == "conversion").then(pl.col("price"))
                .otherwise(0.0).alias("value"),
                pl.col("offer").fill_null(False)))


@dataclass
class History:
    """Per (user, day) counts of one world's landing events, and their as-of-day-d sums.

    ``daily[name]`` is a (users, days[, channels]) array of what happened *on* each day; ``before``
    gives sums over days < d."""

    daily: dict[str, np.ndarray]
    first_day: np.ndarray      # first day with any event of the customer (days if none)
    last_order: np.ndarray     # (users, days + 1): last day < d with an order (-1 if none)
    _cumulative_sums: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, events: pl.DataFrame, n_users: int, n_days: int) -> "History":
        user, day, kind = (events[c].to_numpy() for c in ("user", "day", "kind"))
        channel, value, offer = (events[c].to_numpy() for c in ("channel", "value", "offer"))
        keep = day < n_days             # late responses of the last day are not history of any point
        user, day, kind, channel, value, offer = (a[keep] for a in (user, day, kind, channel, value, offer))
        hour = events["hour"].to_numpy()[keep]
        k = {name: i for i, name in enumerate(_KINDS)}

        def count(mask: np.ndarray, weights: np.ndarray | None = None, by_channel: bool = False):
            shape = (n_users, n_days, len(CHANNELS)) if by_channel else (n_users, n_days)
            out = np.zeros(shape)
            index = (user[mask], day[mask]) + ((channel[mask],) if by_channel else ())
            np.add.at(out, index, 1.0 if weights is None else weights[mask])
            return out

        is_view = kind == k["view"]
        is_order = (kind == k["purchase"]) | (kind == k["conversion"])
        angle = 2 * np.pi * hour / 24.0
        daily = {
            "views": count(is_view),
            "view_sin": count(is_view, np.sin(angle)),
            "view_cos": count(is_view, np.cos(angle)),
            "carts": count(kind == k["add_to_cart"]),
            "orders": count(is_order),
            "spend": count(is_order, value),
            "sends": count(kind == k["message_sent"], by_channel=True),
            "opens": count(kind == k["message_open"], by_channel=True),
            "clicks": count(kind == k["message_click"], by_channel=True),
            "conversions": count(kind == k["conversion"], by_channel=True),
            "offer_opens": count((kind == k["message_open"]) & offer),
            "offer_clicks": count((kind == k["message_click"]) & offer),
            "plain_opens": count((kind == k["message_open"]) & ~offer),
            "plain_clicks": count((kind == k["message_click"]) & ~offer),
        }
        first_day = np.full(n_users, n_days)
        np.minimum.at(first_day, user, day)
        order_day = np.where(daily["orders"] > 0, np.arange(n_days)[None, :], -1)
        last_order = np.concatenate([np.full((n_users, 1), -1),
                                     np.maximum.accumulate(order_day, axis=1)], axis=1)
        return cls(daily, first_day, last_order)

    def before(self, name: str, user: np.ndarray, day: np.ndarray, window: int | None = None) -> np.ndarray:
        """Sum of ``daily[name]`` over days < ``day`` (the last ``window`` days only, if given)."""
        cum = self._cumulative(name)
        out = cum[user, day]
        if window is not None:
            out = out - cum[user, np.maximum(day - window, 0)]
        return out

    def _cumulative(self, name: str) -> np.ndarray:
        if name not in self._cumulative_sums:
            daily = self.daily[name]
            self._cumulative_sums[name] = np.concatenate(
                [np.zeros((daily.shape[0], 1) + daily.shape[2:]), np.cumsum(daily, axis=1)], axis=1)
        return self._cumulative_sums[name]


def _circular_hour(sin: np.ndarray, cos: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Circular mean hour (NaN without views) and concentration in [0, 1]."""
    with np.errstate(invalid="ignore", divide="ignore"):
        hour = np.where(n > 0, (np.arctan2(sin, cos) * 24.0 / (2 * np.pi)) % 24.0, np.nan)
        concentration = np.where(n > 0, np.hypot(sin, cos) / n, np.nan)
    return hour, concentration


def hour_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Circular distance in hours between two hours of the day (NaN stays NaN)."""
    gap = np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)) % 24.0
    return np.minimum(gap, 24.0 - gap)


def context_features(history: History, user: np.ndarray, day: np.ndarray, consent: np.ndarray,
                     weekday: np.ndarray) -> dict[str, np.ndarray]:
    """Per decision point (n,) arrays, plus per-channel (n, channels) arrays under ``chan:*`` keys
    (picked per action by :func:`design`). ``consent`` (n, channels) is the consent at decision time."""
    h = history
    views = h.before("views", user, day)
    orders = h.before("orders", user, day)
    spend = h.before("spend", user, day)
    hour, concentration = _circular_hour(h.before("view_sin", user, day), h.before("view_cos", user, day),
                                         views)
    last = h.last_order[user, day]
    sends = h.before("sends", user, day)
    opens = h.before("opens", user, day)
    clicks = h.before("clicks", user, day)
    with np.errstate(invalid="ignore", divide="ignore"):
        features = {
            "tenure": np.maximum(day - h.first_day[user], 0).astype(float),
            "views": views,
            "views_7d": h.before("views", user, day, RECENT_VIEW_DAYS),
            "carts": h.before("carts", user, day),
            "orders": orders,
            "spend": spend,
            "order_value": np.where(orders > 0, spend / orders, np.nan),
            "days_since_order": np.where(last >= 0, day - last, np.nan),
            "view_hour": hour,
            "view_hour_concentration": concentration,
            "sends_total": sends.sum(axis=1),
            "opens_total": opens.sum(axis=1),
            "clicks_total": clicks.sum(axis=1),
            "sends_1d": h.before("sends", user, day, 1).sum(axis=1),
            "sends_3d": h.before("sends", user, day, 3).sum(axis=1),
            "offer_click_rate": ((h.before("offer_clicks", user, day) + SMOOTH_CLICKS[0])
                                 / (h.before("offer_opens", user, day) + SMOOTH_CLICKS[1])),
            "plain_click_rate": ((h.before("plain_clicks", user, day) + SMOOTH_CLICKS[0])
                                 / (h.before("plain_opens", user, day) + SMOOTH_CLICKS[1])),
            "weekday": weekday.astype(float),
        }
    for c, name in enumerate(CHANNELS):
        features[f"consent_{name}"] = consent[:, c].astype(float)
    features.update({"chan:sends": sends, "chan:opens": opens, "chan:clicks": clicks,
                     "chan:conversions": h.before("conversions", user, day)})
    return features


def design(context: dict[str, np.ndarray], rows: np.ndarray, channel: np.ndarray, send_hour: np.ndarray,
           discount: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The (len(rows), features) float32 design matrix of (context of point ``rows[i]``, message action
    i) pairs: the context, the action, and the customer's history on the action's channel."""
    columns, names = [], []
    for name, values in context.items():
        if not name.startswith("chan:"):
            columns.append(values[rows])
            names.append(name)
    for c, name in enumerate(CHANNELS):
        columns.append((channel == c).astype(float))
        names.append(f"action_{name}")
    picked = {name[5:]: values[rows, channel] for name, values in context.items() if name.startswith("chan:")}
    columns += [send_hour.astype(float), discount.astype(float),
                hour_gap(send_hour, context["view_hour"][rows]),
                *picked.values(),
                (picked["opens"] + SMOOTH_OPENS[0]) / (picked["sends"] + SMOOTH_OPENS[1]),
                (picked["clicks"] + SMOOTH_CLICKS[0]) / (picked["opens"] + SMOOTH_CLICKS[1])]
    names += ["send_hour", "discount", "hour_gap", *(f"channel_{k}" for k in picked),
              "channel_open_rate", "channel_click_rate"]
    return np.column_stack(columns).astype(np.float32), names


@dataclass(frozen=True)
class RewardModelParams:
    """Settings of the bench's reward model, fixed a priori. Each funnel stage is an XGBoost classifier
    whose number of trees is chosen by early stopping (log loss) on the last ``valid_days`` of the
    training window, then refit on the whole window with that many trees. The order value of a
    conversion is the customer's mean past order value shrunk towards the population's with the
    weight of ``prior_orders`` orders, times (1 - discount)."""

    max_trees: int = 400
    learning_rate: float = 0.05
    max_depth: int = 4
    min_child_weight: float = 2.0     # in hessian units: p(1-p) per row for the logistic loss
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    early_stopping: int = 30
    valid_days: int = 4
    prior_orders: float = 3.0
    n_jobs: int = 1                   # 2 threads on a loaded 2-core machine: 20x slower (OpenMP spin-waits)


STAGES = ("open", "click", "convert")   # P(open | sent), P(click | opened), P(convert | clicked)


def fit_stage(x: np.ndarray, y: np.ndarray, day: np.ndarray, seed: int, params: RewardModelParams):
    """One funnel stage: an ``xgboost.XGBClassifier`` of ``y`` (0/1) and its number of trees."""
    import xgboost as xgb

    def model(n_trees: int, **extra) -> "xgb.XGBClassifier":
        return xgb.XGBClassifier(
            n_estimators=n_trees, learning_rate=params.learning_rate, max_depth=params.max_depth,
            min_child_weight=params.min_child_weight, subsample=params.subsample,
            colsample_bytree=params.colsample_bytree, objective="binary:logistic", eval_metric="logloss",
            tree_method="hist", n_jobs=params.n_jobs, random_state=seed, **extra)

    valid = day >= day.max() - params.valid_days + 1
    n_trees = params.max_trees
    if y[valid].min() != y[valid].max() and y[~valid].min() != y[~valid].max():
        probe = model(params.max_trees, early_stopping_rounds=params.early_stopping)
        probe.fit(x[~valid], y[~valid], eval_set=[(x[valid], y[valid])], verbose=False)
        n_trees = int(probe.best_iteration) + 1
    final = model(n_trees)
    final.fit(x, y)
    return final, n_trees


def order_value(context: dict[str, np.ndarray], rows: np.ndarray, discount: np.ndarray,
                prior_mean: float, prior_orders: float) -> np.ndarray:
    """Expected value of a conversion: the customer's shrunk mean past order value x (1 - discount)."""
    mean = ((prior_orders * prior_mean + context["spend"][rows])
            / (prior_orders + context["orders"][rows]))
    return mean * (1.0 - discount)


@dataclass
class FunnelModel:
    """q̂(x, a) = P(open) P(click | open) P(convert | click) x E[order value] - cost(a)."""

    stages: dict
    n_trees: dict[str, int]
    prior_mean: float
    value_scale: float
    names: list[str]
    params: RewardModelParams

    @classmethod
    def fit(cls, context: dict[str, np.ndarray], rows: np.ndarray, channel: np.ndarray, send_hour: np.ndarray,
            discount: np.ndarray, opened: np.ndarray, clicked: np.ndarray, value: np.ndarray, day: np.ndarray,
            seed: int, params: RewardModelParams = RewardModelParams()) -> "FunnelModel":
        """Fit on logged messages ``rows`` (indices into ``context``) with their action, outcomes and day."""
        x, names = design(context, rows, channel, send_hour, discount)
        converted = value > 0
        stages, n_trees = {}, {}
        for stage, subset, label in (("open", np.ones_like(opened), opened), ("click", opened, clicked),
                                     ("convert", clicked, converted)):
            stages[stage], n_trees[stage] = fit_stage(x[subset], label[subset].astype(int), day[subset],
                                                      seed, params)
        orders = context["orders"][rows]
        prior = float(context["spend"][rows].sum() / max(orders.sum(), 1.0))
        raw = order_value(context, rows[converted], discount[converted], prior, params.prior_orders)
        scale = float(value[converted].sum() / raw.sum()) if converted.any() else 1.0
        return cls(stages, n_trees, prior, scale, names, params)

    def value(self, context: dict[str, np.ndarray], rows: np.ndarray, channel: np.ndarray,
              send_hour: np.ndarray, discount: np.ndarray) -> np.ndarray:
        """Expected conversion value of sending (channel, send_hour, discount) at points ``rows``."""
        x, _ = design(context, rows, channel, send_hour, discount)
        p = np.ones(rows.shape[0])
        for stage in STAGES:
            p *= self.stages[stage].predict_proba(x)[:, 1]
        return p * self.value_scale * order_value(context, rows, discount, self.prior_mean,
                                                  self.params.prior_orders)

    def top_features(self, k: int = 8) -> dict[str, list[str]]:
        """The ``k`` features with the largest total gain, per stage."""
        out = {}
        for stage, model in self.stages.items():
            gain = model.get_booster().get_score(importance_type="total_gain")
            ranked = sorted(((float(v), self.names[int(f[1:])]) for f, v in gain.items()), reverse=True)
            out[stage] = [name for _, name in ranked[:k]]
        return out


__all__ = ["STAGES", "FunnelModel", "History", "RewardModelParams", "context_features", "design",
           "fit_stage", "frame_events", "hour_gap", "message_outcomes", "order_value", "read_events"]
