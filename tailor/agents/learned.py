"""The learned policy: reward models fitted on logged decisions, Thompson sampling over them.

**Reward model.** For a person x and a message action a (channel × send hour × offer), the
expected attributed conversion value is P(convert | x, a) × E[value | converted, x, a], each an
XGBoost model over the person's features (as known when the logged decision was taken) and the
action's features (:func:`action_matrix`: channel, hour, discount, the distance of the hour
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
from typing import Any, NamedTuple, Sequence

import numpy as np
import pandas as pd
import xgboost as xgb

from tailor.agents.actions import NO_MESSAGE, Action
from tailor.agents.policy import Policy, Scored, greedy, uniform_over
from tailor.events import CHANNELS
from tailor.models.catalog import with_threads

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


_RATES = (("a_ch_sends", "sends"), ("a_ch_open_rate", "open_rate"),
          ("a_ch_click_rate", "click_rate"), ("a_ch_convert_rate", "convert_rate"),
          ("a_ch_response", "response"))
# the person columns the action features read, with the value a missing one takes
ACTION_INPUTS = {"preferred_hour": DEFAULT_PREFERRED_HOUR, "active_hour": DEFAULT_PREFERRED_HOUR,
                 **{f"{c}_{col}": 0.0 for _, col in _RATES for c in CHANNELS},
                 "discount_sensitivity": 0.0}


def action_inputs(context: pd.DataFrame) -> dict[str, np.ndarray]:
    """The person columns the action features read, as float arrays aligned with ``context``."""
    return {name: _num(context, name, default) for name, default in ACTION_INPUTS.items()}


def action_matrix(inputs: dict[str, np.ndarray], channel, send_hour, discount) -> np.ndarray:
    """(n, len(ACTION_COLUMNS)) action features; ``inputs`` from :func:`action_inputs`, every
    array aligned with the rows."""
    channel = np.asarray(channel, dtype=object)
    hours = np.asarray(send_hour, float)
    discount = np.asarray(discount, float)
    out = {f"a_is_{c}": (channel == c).astype(float) for c in CHANNELS}
    out["a_send_hour"] = hours
    out["a_discount"] = discount
    out["a_hour_gap"] = _circular_gap(hours, inputs["preferred_hour"])
    out["a_active_gap"] = _circular_gap(hours, inputs["active_hour"])
    for name, col in _RATES:
        vals = np.zeros(len(hours))
        for c in CHANNELS:
            hit = channel == c
            vals[hit] = inputs[f"{c}_{col}"][hit]
        out[name] = vals
    out["a_discount_x_sensitivity"] = discount * np.clip(inputs["discount_sensitivity"], 0, None)
    return np.column_stack([out[c] for c in ACTION_COLUMNS])


def person_matrix(context: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """(n, len(features)) person features as floats; missing or non-numeric → NaN (XGBoost's
    "unknown")."""
    out = np.full((len(context), len(features)), np.nan)
    for j, name in enumerate(features):
        if name in context.columns:
            out[:, j] = pd.to_numeric(context[name], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan)
    return out


def design(context: pd.DataFrame, features: Sequence[str], channel, send_hour,
           discount) -> pd.DataFrame:
    """Model input: the person features (missing → NaN, XGBoost's "unknown") + action features."""
    return _model_input(person_matrix(context, features), features,
                        action_matrix(action_inputs(context), channel, send_hour, discount),
                        index=context.index)


def _model_input(person: np.ndarray, features: Sequence[str], actions: np.ndarray,
                 index=None) -> pd.DataFrame:
    """The model's input frame: person feature columns, then :data:`ACTION_COLUMNS`."""
    return pd.DataFrame(np.hstack([person, actions]), columns=[*features, *ACTION_COLUMNS],
                        index=index)


class Predictions(NamedTuple):
    """A reward model's predictions on a batch; column 0 of each is "no message"."""

    conversion: np.ndarray      # (K, n, A): P(convert) under each ensemble member
    value: np.ndarray           # (n, A): E[value | converted]
    unsubscribe: np.ndarray     # (n, A): P(unsubscribe)


@dataclass
class RewardModels:
    """The fitted models (``conversion`` has one entry per ensemble member)."""

    features: list[str]
    conversion: list[xgb.XGBClassifier]
    value: xgb.XGBRegressor | None
    mean_value: float
    unsubscribe: xgb.XGBClassifier | None
    info: dict[str, Any] = field(default_factory=dict)

    def with_threads(self, threads: int) -> "RewardModels":
        """These models predicting on ``threads`` OpenMP threads each (a copy). Inside a Spark
        task, the task's cores: two tasks whose XGBoost each takes both cores of a two-core
        machine contend (decide's predictions ~10% slower)."""
        def own(model):
            return None if model is None else with_threads(model, threads)
        return replace(self, conversion=[own(m) for m in self.conversion], value=own(self.value),
                       unsubscribe=own(self.unsubscribe))

    def predict(self, context: pd.DataFrame, bank: Sequence[Action],
                allowed: np.ndarray | None = None, unsubscribe: bool = True) -> Predictions:
        """Every model's predictions for every person of ``context`` × action of ``bank``.

        ``allowed`` ((n, 1 + len(bank)) booleans, as the policies take it): only the allowed
        (person, action) pairs are predicted; the others stay 0 (a policy never puts probability
        on them, so their value is never read). A prediction does not depend on which other pairs
        are scored with it, so the allowed ones equal a full prediction's. The person features are
        converted once; pairs are scored in blocks of at most :data:`PREDICT_ROWS`: one
        ``predict`` call per model and block, memory bounded whatever the batch size.
        ``unsubscribe=False`` leaves P(unsubscribe) at 0 without predicting it (a policy whose
        unsubscribe cost is 0 never reads it: one model in 12 of the default ensemble)."""
        n, a_count = len(context), 1 + len(bank)
        conv = np.zeros((len(self.conversion), n, a_count))
        value = np.zeros((n, a_count))
        unsub = np.zeros((n, a_count))
        if n == 0 or not bank:
            return Predictions(conv, value, unsub)
        wanted = (np.ones((n, len(bank)), dtype=bool) if allowed is None
                  else np.asarray(allowed, dtype=bool)[:, 1:])
        channel = np.array([a.channel for a in bank], dtype=object)
        hour = np.array([a.send_hour for a in bank], float)
        discount = np.array([a.discount for a in bank], float)
        person, inputs = person_matrix(context, self.features), action_inputs(context)
        step = max(1, PREDICT_ROWS // len(bank))
        for lo in range(0, n, step):
            persons, acts = np.nonzero(wanted[lo:lo + step])        # person-major pairs
            if len(persons) == 0:
                continue
            rows = persons + lo
            x = _model_input(person[rows], self.features,
                             action_matrix({k: v[rows] for k, v in inputs.items()},
                                           channel[acts], hour[acts], discount[acts]))
            cols = acts + 1
            for k, model in enumerate(self.conversion):
                conv[k, rows, cols] = model.predict_proba(x)[:, 1]
            value[rows, cols] = (np.clip(self.value.predict(x), 0, None)
                                 if self.value is not None else self.mean_value)
            if unsubscribe and self.unsubscribe is not None:
                unsub[rows, cols] = self.unsubscribe.predict_proba(x)[:, 1]
        return Predictions(conv, value, unsub)


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

    def with_threads(self, threads: int) -> "LearnedPolicy":
        return LearnedPolicy(self.bank, self.models.with_threads(threads), self.settings,
                             self.version)

    def member_values(self, predicted: Predictions) -> np.ndarray:
        """(K, n, A) value of each action under each ensemble member (column 0: no message)."""
        s = self.settings
        conv, value, unsub = predicted
        cost = np.array([0.0, *(a.cost + s.message_cost for a in self.bank)])
        values = conv * value[None] - cost[None, None, :] - s.unsubscribe_cost * unsub[None]
        values[:, :, 0] = s.min_expected_value
        return values

    def score(self, context: pd.DataFrame, allowed: np.ndarray) -> Scored:
        """Probabilities and mean values; actions outside ``allowed`` are not predicted (their
        value in :attr:`Scored.values` is meaningless, their probability 0)."""
        predicted = self.models.predict(context, self.bank, allowed,
                                        unsubscribe=self.settings.unsubscribe_cost != 0)
        return self.scored(predicted, allowed)

    def probabilities_from(self, predicted: Predictions, allowed: np.ndarray) -> np.ndarray:
        """:meth:`probabilities` from this policy's own models' predictions made earlier (the
        train job predicts once for the challenger's OPE weights and its DM / DR outcomes)."""
        return self.checked(self.scored(predicted, allowed).probs, allowed)

    def scored(self, predicted: Predictions, allowed: np.ndarray) -> Scored:
        s = self.settings
        values = self.member_values(predicted)
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
