"""The oracle refuses an action bank the world was not simulated with (other ids at load,
other send hours / discounts as soon as it reads the logged sends)."""
from __future__ import annotations

import copy

import pytest

from tailor.config import get_config
from tailor.simulator.oracle import Oracle


def test_other_action_bank_is_refused(small_world):
    actions = get_config().load_actions()
    fewer = copy.deepcopy(actions)
    fewer["send_hours"] = fewer["send_hours"][:-1]
    with pytest.raises(ValueError, match="another action bank"):
        Oracle.load(small_world, actions=fewer)
    deeper = copy.deepcopy(actions)
    deeper["offers"] = {name: share * 2 for name, share in deeper["offers"].items()}
    oracle = Oracle.load(small_world, actions=deeper)
    with pytest.raises(ValueError, match="send hours / discounts"):
        oracle.decision_points()
    assert Oracle.load(small_world, actions=actions).decision_points().height > 0
