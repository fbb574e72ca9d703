"""The tiny hand-computed example every estimator test uses (n = 4 rounds, A = 3 actions).

    round  action  reward  pscore   q̂(x, ·) (reward model)
      0      0       1      0.8     [0.6, 0.2, 0.4]
      1      1       0      0.25    [0.5, 0.1, 0.3]
      2      2       1      0.25    [0.4, 0.3, 0.9]
      3      0       0      0.5     [0.2, 0.2, 0.2]

Residuals r - q̂(x, a_logged) = [1-0.6, 0-0.1, 1-0.9, 0-0.2] = [0.4, -0.1, 0.1, -0.2].

Deterministic target "always action 0": π(a_i|x_i) = [1, 0, 0, 1], weights w = [1/0.8, 0, 0, 1/0.5]
= [1.25, 0, 0, 2]; q̂(x, π) = [0.6, 0.5, 0.4, 0.2] (sum 1.7).
Stochastic target "0 or 1 with ½ each": π(a_i|x_i) = [0.5, 0.5, 0, 0.5], w = [0.625, 2, 0, 1];
q̂(x, π) = [0.4, 0.3, 0.35, 0.2] (sum 1.25).
"""
from __future__ import annotations

import numpy as np
import pytest

from tailor.evaluation.ope import LoggedFeedback, one_hot


@pytest.fixture
def tiny() -> LoggedFeedback:
    return LoggedFeedback(action=[0, 1, 2, 0], reward=[1.0, 0.0, 1.0, 0.0], pscore=[0.8, 0.25, 0.25, 0.5],
                          n_actions=3)


@pytest.fixture
def q_hat() -> np.ndarray:
    return np.array([[0.6, 0.2, 0.4], [0.5, 0.1, 0.3], [0.4, 0.3, 0.9], [0.2, 0.2, 0.2]])


@pytest.fixture
def always_0() -> np.ndarray:
    return one_hot([0, 0, 0, 0], 3)


@pytest.fixture
def half_0_half_1() -> np.ndarray:
    return np.tile([0.5, 0.5, 0.0], (4, 1))


def _simulated(n: int, seed: int = 0, n_actions: int = 4) -> tuple[LoggedFeedback, np.ndarray]:
    """Uniform logging over ``n_actions`` with Bernoulli rewards of mean 0.1 + 0.1 a; a noisy reward model."""
    rng = np.random.default_rng(seed)
    action = rng.integers(0, n_actions, n)
    mean = 0.1 + 0.1 * np.arange(n_actions)
    reward = (rng.random(n) < mean[action]).astype(float)
    feedback = LoggedFeedback(action=action, reward=reward, pscore=np.full(n, 1.0 / n_actions),
                              n_actions=n_actions)
    q_hat = np.clip(mean[None, :] + rng.normal(0, 0.05, (n, n_actions)), 0, 1)
    return feedback, q_hat


@pytest.fixture
def simulated():
    """``simulated(n, seed)`` -> (feedback, q_hat): uniform logging, 4 actions, Bernoulli rewards."""
    return _simulated
