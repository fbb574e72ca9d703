"""Counter-based randomness: a draw depends on its counter only, never on its neighbours."""
from __future__ import annotations

import numpy as np

from tailor.simulator.streams import Streams, choose_from_cumulative, hex16


def test_draws_do_not_depend_on_which_users_are_drawn_together():
    s = Streams(1)
    everyone = s.uniform("x", np.arange(1000), day=3, index=7)
    some = s.uniform("x", np.array([999, 5, 17]), day=3, index=7)
    np.testing.assert_array_equal(some, everyone[[999, 5, 17]])
    assert ((everyone > 0) & (everyone < 1)).all()
    assert abs(everyone.mean() - 0.5) < 0.05


def test_purposes_and_seeds_are_independent_streams():
    users = np.arange(5000)
    a, b = Streams(1).uniform("a", users), Streams(1).uniform("b", users)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.05
    assert not np.array_equal(a, Streams(2).uniform("a", users))


def test_tokens_are_unique_fixed_width_hex():
    users, index = np.meshgrid(np.arange(300), np.arange(300))
    tokens = Streams(1).token("id", users.ravel(), 2, index.ravel())
    assert np.unique(tokens).size == tokens.size
    text = hex16(tokens[:3])
    assert all(len(t) == 16 and int(t, 16) >= 0 for t in text)


def test_zero_probability_choices_are_never_drawn():
    cum = np.cumsum(np.array([[0.3, 0.0, 0.7 - 1e-12, 0.0]] * 3), axis=1)
    u = np.array([0.5, 0.9999999999999999, 1e-300])
    assert choose_from_cumulative(cum, u).tolist() == [2, 2, 0]
