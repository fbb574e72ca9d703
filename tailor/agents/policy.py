"""What a policy is: for each person, a probability for every action of the bank.

Every policy Tailor can run — the learned one (``learned.py``), the hand-written heuristic
(``heuristic.py``), the uniform random one (:class:`UniformPolicy`) — answers the same question:
given a batch of persons (their features as a pandas frame) and which actions each may receive
(consent; quiet hours are already out of the bank), what is the probability of each action?
Column 0 is always ``no_message``. Decisions are drawn from those probabilities (so every logged
decision carries its exact propensity), and off-policy evaluation scores a policy by the same
probabilities on logged contexts. Guardrails (consent, holdout, caps) are hard constraints the
caller applies through ``allowed`` and around the policy, never inside it.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from tailor.agents.actions import NO_MESSAGE, Action
from tailor.privacy import stable_share


def action_ids(bank: Sequence[Action]) -> list[str]:
    """The action space of a bank: ``no_message`` first, then the bank in order."""
    return [NO_MESSAGE, *(a.action_id for a in bank)]


def allowed_mask(allowed_channels: Sequence[Sequence[str] | None], bank: Sequence[Action]) -> np.ndarray:
    """(n, 1 + len(bank)) booleans: no_message always, a message only on an allowed channel."""
    channels = [a.channel for a in bank]
    # persons share a handful of consent sets: one mask row per distinct set, then a lookup
    # (np.isin per person: 6 µs each, 6 s of CPU per million persons and policy)
    index: dict[frozenset, int] = {}
    which = np.fromiter((index.setdefault(frozenset(c) if c is not None else frozenset(),
                                          len(index)) for c in allowed_channels),
                        dtype=np.int64)
    masks = np.ones((max(len(index), 1), 1 + len(bank)), dtype=bool)
    for consented, i in index.items():
        masks[i, 1:] = [ch in consented for ch in channels]
    return masks[which]


def uniform_over(allowed: np.ndarray) -> np.ndarray:
    """Uniform probabilities over each row's allowed actions."""
    return allowed / allowed.sum(axis=1, keepdims=True)


def greedy(values: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """One-hot of the best allowed action per row (ties go to the lowest index: no_message)."""
    masked = np.where(allowed, values, -np.inf)
    out = np.zeros(values.shape)
    out[np.arange(values.shape[0]), np.argmax(masked, axis=1)] = 1.0
    return out


def draw(probs: np.ndarray, person_ids: Sequence[str], salt: str) -> np.ndarray:
    """Index of the action drawn for each row with a stable uniform of (person, salt): the same
    person on the same day always gets the same draw, and its probability is ``probs[i, a]``."""
    u = np.array([stable_share(str(p), salt) for p in person_ids])
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0 + 1e-12
    return np.argmax(cum > u[:, None], axis=1)


@dataclass(frozen=True)
class Scored:
    """What a policy says about a batch: action probabilities and, where it has them, the
    expected value of each action (for explanations), both (n, 1 + len(bank))."""

    probs: np.ndarray
    values: np.ndarray | None = None
    note: str = ""


class Policy(ABC):
    """A policy over a fixed action bank. ``name`` and ``version`` go into provenance."""

    name: str = "policy"
    version: str = "0"

    def __init__(self, bank: Sequence[Action]) -> None:
        self.bank = list(bank)
        self.action_ids = action_ids(self.bank)

    @abstractmethod
    def score(self, context: pd.DataFrame, allowed: np.ndarray) -> Scored:
        """Probabilities (rows sum to 1, zero outside ``allowed``) for each person of ``context``."""

    def probabilities(self, context: pd.DataFrame, allowed: np.ndarray) -> np.ndarray:
        return self.checked(self.score(context, allowed).probs, allowed)

    def checked(self, probs: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """``probs``, refused if it puts probability outside ``allowed``."""
        if probs.shape != allowed.shape or (probs[~allowed] > 0).any():
            raise ValueError(f"{self.name} put probability on actions outside `allowed` "
                             "(consent is a hard constraint)")
        return probs

    def with_threads(self, threads: int) -> "Policy":
        """This policy scoring on at most ``threads`` threads (inside a Spark task: the task's
        cores). A policy of plain numpy is single-threaded already: itself."""
        return self

    @property
    def label(self) -> str:
        return f"{self.name}:{self.version}"


class UniformPolicy(Policy):
    """Every allowed action equally likely (the reference point of "random" in reports)."""

    name = "uniform"
    version = "1"

    def score(self, context: pd.DataFrame, allowed: np.ndarray) -> Scored:
        return Scored(uniform_over(allowed), note="uniform random over the allowed actions")
