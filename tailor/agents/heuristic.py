"""The hand-written policy Tailor started with, kept as a named baseline.

Expected value of sending action a (channel × hour × offer) to a person:

    p = clip(response_c × exp(-|hour - preferred_hour| / hour_decay_hours)
             × (1 + offer_lift × discount_sensitivity × discount), 0, 1)
    value = p × order_value × (1 - discount) × (1 + churn_weight × churn_prob) - cost_c - message_cost

with ``response_c`` the person's smoothed response rate on the channel, ``order_value`` their
average order value (``default_order_value`` if they never ordered). No message is worth
``policy.min_expected_value``. ε-greedy: the best action with probability 1 - ε, else uniform
over the allowed actions. Every constant is configuration (``policy.heuristic``, ``policy.*``);
nothing here was learned from data — the learned policy must beat it to replace it.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from tailor.agents.actions import Action
from tailor.agents.policy import Policy, Scored, greedy, uniform_over
from tailor.config import HeuristicConfig


class HeuristicPolicy(Policy):
    name = "heuristic"
    version = "1"

    def __init__(self, bank: Sequence[Action], settings: HeuristicConfig, epsilon: float,
                 message_cost: float, min_expected_value: float) -> None:
        super().__init__(bank)
        self.settings = settings
        self.epsilon = epsilon
        self.message_cost = message_cost
        self.min_expected_value = min_expected_value

    @classmethod
    def from_config(cls, cfg, bank: Sequence[Action]) -> "HeuristicPolicy":
        p = cfg.policy
        return cls(bank, p.heuristic, p.epsilon, p.message_cost, p.min_expected_value)

    def values(self, frame: pd.DataFrame) -> np.ndarray:
        """(n, 1 + len(bank)) expected value of each action (column 0: no message)."""
        h, n = self.settings, len(frame)
        aov = _col(frame, "avg_order_value", 0.0)
        aov = np.where(aov > 0, aov, h.default_order_value)
        churn = _col(frame, "churn_prob", 0.0)
        pref = _col(frame, "preferred_hour", 18.0)
        sens = np.clip(_col(frame, "discount_sensitivity", 0.0), 0, None)
        values = np.empty((n, 1 + len(self.bank)))
        values[:, 0] = self.min_expected_value
        for j, a in enumerate(self.bank, start=1):
            resp = _col(frame, f"{a.channel}_response", 0.0)
            fit = np.exp(-np.abs(a.send_hour - pref) / h.hour_decay_hours)
            p = np.clip(resp * fit * (1 + h.offer_lift * sens * a.discount), 0, 1)
            values[:, j] = (p * aov * (1 - a.discount) * (1 + h.churn_weight * churn)
                            - a.cost - self.message_cost)
        return values

    def score(self, context: pd.DataFrame, allowed: np.ndarray) -> Scored:
        values = self.values(context)
        probs = (1 - self.epsilon) * greedy(values, allowed) + self.epsilon * uniform_over(allowed)
        return Scored(probs, values, note=f"heuristic, ε-greedy (ε={self.epsilon})")


def _col(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """A numeric column as floats, ``default`` where it is missing (absent or null)."""
    if name not in frame.columns:
        return np.full(len(frame), default)
    return pd.to_numeric(frame[name], errors="coerce").fillna(default).to_numpy(float)
