"""The learned policy: reward models fitted on logged decisions, Thompson sampling over them.

**Reward model.** For a person x and a message action a (channel × send hour × offer), the
expected attributed conversion value is P(convert | x, a) × E[value | converted, x, a], each an
XGBoost model over the person's features (as known when the logged decision was taken) and the
action's features (:func:`action_frame`: channel, hour, discount, the distance of the hour
from the person's preferred hour, the person's measured rates on that channel, discount ×
measured sensitivity). A third model estimates P(unsubscribe | x, a). They are fitted on the
message rows of ``training.policy``; "no message" is worth exactly 0 in attributed value by
construction (``features/outcomes.py`` attributes conversions to messages only), so the value of
an action *is* its incremental value over sending nothing:

    value(x, a) = P(convert) × E[value] − cost(a) − unsubscribe_cost × P(unsubscribe)

and no message is worth ``policy.min_expected_value`` (0 by default).

**Exploration.** ``thompson``: ``ensemble`` conversion models, each fitted on a bootstrap
resample of persons; a decision follows one of them drawn at random, so the probability of an
action is the share of models whose best allowed action it is — an exact propensity.
``epsilon``: the best action of the averaged models. Either way a share ``epsilon`` is spread
uniformly over the allowed actions, so every action keeps support in the logs and tomorrow's
challenger can be evaluated on them. Every constant is configuration (``policy.learning``).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xgboost as xgb

from tailor.agents.actions import NO_MESSAGE, Action
from tailor.agents.policy import Policy, Scored, greedy, uniform_over
from tailor.events import CHANNELS

DEFAULT_PREFERRED_HOUR = 18.0
ACTION_COLUMNS = [*(f"a_is_{c}" for c in CHANNELS), "a_send_hour", "a_discount", "a_hour_gap",
                  "a_active_gap",
                  "a_ch_sends", "a_ch_open_rate", "a_ch_click_rate", "a_ch_convert_rate",
                  "a_ch_response", "a_discount_x_sensitivity"]
MIN_VALUE_ROWS = 30   # fewer converted rows: E[value] falls back to their mean
PREDICT_ROWS = 200_000  # (person, action) pairs scored per predict call
XGB_DEFAULTS = {"n_estimators": 200, "max_depth": 4, "learning_rate": 0.05, "subsample": 0.8,
                "colsample_bytree": 0.8, "min_child_weight": 5, "tree_method": "hist"}


def _num(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), default)
    return pd.to_numeric(frame[name], errors="coerce").fillna(default).to_numpy(float)


def _circular_gap(hours: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Hours between two times of day, the short way round (0..12)."""
    gap = np.abs(hours - other) % 24.0
    return np.minimum(gap, 24.0 - gap)


def action_frame(context: pd.DataFrame, channel: np.ndarray, send_hour: np.ndarray,
                 discount: np.ndarray) -> pd.DataFrame:
    """The action's features for each row of ``context`` (arrays aligned with it)."""
    channel = np.asarray(channel, dtype=object)
    hours = np.asarray(send_hour, float)
    out = {f"a_is_{c}": (channel == c).astype(float) for c in CHANNELS}
    out["a_send_hour"] = hours
    out["a_discount"] = np.asarray(discount, float)
    out["a_hour_gap"] = _circular_gap(hours, _num(context, "preferred_hour", DEFAULT_PREFERRED_HOUR))
    out["a_active_gap"] = _circular_gap(hours, _num(context, "active_hour", DEFAULT_PREFERRED_HOUR))
    for name, col in (("a_ch_sends", "sends"), ("a_ch_open_rate", "open_rate"),
                      ("a_ch_click_rate", "click_rate"), ("a_ch_convert_rate", "convert_rate"),
                      ("a_ch_response", "response")):
        vals = np.zeros(len(context))
        for c in CHANNELS:
            hit = channel == c
            if hit.any():
                vals[hit] = _num(context, f"{c}_{col}", 0.0)[hit]
        out[name] = vals
    out["a_discount_x_sensitivity"] = (np.asarray(discount, float)
                                       * np.clip(_num(context, "discount_sensitivity", 0.0), 0, None))
    return pd.DataFrame(out, index=context.index)


def design(context: pd.DataFrame, features: Sequence[str], channel, send_hour,
           discount) -> pd.DataFrame:
    """Model input: the person features (missing → NaN, XGBoost's "unknown") + action features."""
    person = context.reindex(columns=list(features)).apply(pd.to_numeric, errors="coerce")
    return pd.concat([person.astype(float),
                      action_frame(context, channel, send_hour, discount)], axis=1)


@dataclass
class RewardModels:
    """The fitted models (``conversion`` has one entry per ensemble member)."""

    features: list[str]
    conversion: list[xgb.XGBClassifier]
    value: xgb.XGBRegressor | None
    mean_value: float
    unsubscribe: xgb.XGBClassifier | None
    info: dict[str, Any] = field(default_factory=dict)

    def predict(self, context: pd.DataFrame, bank: Sequence[Action]
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(conversion (K, n, A), value (n, A), unsubscribe (n, A)); column 0 = no message.

        Persons are scored in blocks of :data:`PREDICT_ROWS` (person, action) pairs: one
        ``predict`` call per model and block, memory bounded whatever the batch size."""
        n, a_count = len(context), 1 + len(bank)
        conv = np.zeros((len(self.conversion), n, a_count))
        value = np.zeros((n, a_count))
        unsub = np.zeros((n, a_count))
        if n == 0 or not bank:
            return conv, value, unsub
        channel = np.array([a.channel for a in bank], dtype=object)
        hour = np.array([a.send_hour for a in bank], float)
        discount = np.array([a.discount for a in bank], float)
        step = max(1, PREDICT_ROWS // len(bank))
        for lo in range(0, n, step):
            block = context.iloc[lo:lo + step]
            m = len(block)
            rows = block.iloc[np.repeat(np.arange(m), len(bank))]     # person-major
            x = design(rows.reset_index(drop=True), self.features, np.tile(channel, m),
                       np.tile(hour, m), np.tile(discount, m))
            shape = (m, len(bank))
            for k, model in enumerate(self.conversion):
                conv[k, lo:lo + m, 1:] = model.predict_proba(x)[:, 1].reshape(shape)
            value[lo:lo + m, 1:] = (np.clip(self.value.predict(x), 0, None).reshape(shape)
                                    if self.value is not None else self.mean_value)
            if self.unsubscribe is not None:
                unsub[lo:lo + m, 1:] = self.unsubscribe.predict_proba(x)[:, 1].reshape(shape)
        return conv, value, unsub


def fit_reward_models(rows: pd.DataFrame, features: Sequence[str], ensemble: int,
                      xgb_params: dict[str, Any], seed: int) -> RewardModels:
    """Fit on logged *message* decisions (training.policy rows: channel, send_hour, discount,
    conversions, conversion_value, unsubscribed, person_id, the person features)."""
    msgs = rows[rows["action_id"] != NO_MESSAGE].reset_index(drop=True)
    if msgs.empty:
        raise ValueError("no logged message decisions to learn from (training.policy has only "
                         "no-message rows): the policy cannot be learned yet")
    x = design(msgs, features, msgs["channel"].to_numpy(object), msgs["send_hour"].to_numpy(float),
               msgs["discount"].to_numpy(float))
    converted = (msgs["conversions"].to_numpy() > 0).astype(int)
    params = {**XGB_DEFAULTS, **xgb_params}
    rng = np.random.default_rng(seed)
    persons = msgs["person_id"].astype(str).to_numpy()
    uniq, inverse = np.unique(persons, return_inverse=True)
    members = []
    for k in range(ensemble):
        if ensemble == 1:
            idx = np.arange(len(msgs))
        else:  # bootstrap whole persons: their decisions are not independent
            counts = np.bincount(rng.integers(0, len(uniq), len(uniq)), minlength=len(uniq))
            idx = np.repeat(np.arange(len(msgs)), counts[inverse])
        model = xgb.XGBClassifier(objective="binary:logistic", random_state=seed + k, **params)
        model.fit(x.iloc[idx], converted[idx])
        members.append(model)
    hit = converted == 1
    mean_value = float(msgs.loc[hit, "conversion_value"].mean()) if hit.any() else 0.0
    value = None
    if hit.sum() >= MIN_VALUE_ROWS:
        value = xgb.XGBRegressor(objective="reg:squarederror", random_state=seed, **params)
        value.fit(x[hit], msgs.loc[hit, "conversion_value"].to_numpy(float))
    unsub_label = msgs["unsubscribed"].astype(bool).to_numpy().astype(int)
    unsub = None
    if 0 < unsub_label.sum() < len(unsub_label):
        unsub = xgb.XGBClassifier(objective="binary:logistic", random_state=seed, **params)
        unsub.fit(x, unsub_label)
    info = {"rows": int(len(msgs)), "persons": int(len(uniq)), "conversions": int(hit.sum()),
            "unsubscribes": int(unsub_label.sum()), "mean_conversion_value": mean_value}
    return RewardModels(list(features), members, value, mean_value, unsub, info)


@dataclass(frozen=True)
class LearnedSettings:
    exploration: str            # thompson | epsilon
    epsilon: float
    unsubscribe_cost: float
    message_cost: float
    min_expected_value: float

    @classmethod
    def from_config(cls, cfg) -> "LearnedSettings":
        p = cfg.policy
        return cls(p.learning.exploration, p.learning.epsilon, p.learning.unsubscribe_cost,
                   p.message_cost, p.min_expected_value)


class LearnedPolicy(Policy):
    name = "learned"

    def __init__(self, bank: Sequence[Action], models: RewardModels, settings: LearnedSettings,
                 version: str = "unregistered") -> None:
        super().__init__(bank)
        self.models = models
        self.settings = settings
        self.version = version

    def with_bank(self, bank: Sequence[Action]) -> "LearnedPolicy":
        """The same models over another action bank (actions are described by their features,
        so a bank edited in conf/actions.yaml needs no retraining)."""
        return LearnedPolicy(bank, self.models, self.settings, self.version)

    def with_settings(self, **changes: Any) -> "LearnedPolicy":
        return LearnedPolicy(self.bank, self.models, replace(self.settings, **changes),
                             self.version)

    def member_values(self, context: pd.DataFrame) -> np.ndarray:
        """(K, n, A) value of each action under each ensemble member (column 0: no message)."""
        s = self.settings
        conv, value, unsub = self.models.predict(context, self.bank)
        cost = np.array([0.0, *(a.cost + s.message_cost for a in self.bank)])
        values = conv * value[None] - cost[None, None, :] - s.unsubscribe_cost * unsub[None]
        values[:, :, 0] = s.min_expected_value
        return values

    def score(self, context: pd.DataFrame, allowed: np.ndarray) -> Scored:
        s = self.settings
        values = self.member_values(context)
        mean = values.mean(axis=0)
        if s.exploration == "thompson":
            exploit = np.mean([greedy(v, allowed) for v in values], axis=0)
            how = f"Thompson sampling over {values.shape[0]} reward models"
        elif s.exploration == "epsilon":
            exploit = greedy(mean, allowed)
            how = "greedy on the mean reward model"
        else:
            raise ValueError(f"policy.learning.exploration={s.exploration!r}: thompson | epsilon")
        probs = (1 - s.epsilon) * exploit + s.epsilon * uniform_over(allowed)
        return Scored(probs, mean, note=f"{how}, ε={s.epsilon}")
