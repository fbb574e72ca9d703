"""Thompson sampling's probabilities are exact: the share of ensemble members whose best allowed
action it is, mixed with ε spread uniformly over the allowed actions."""
import numpy as np

from tailor.agents.learned import LearnedPolicy, LearnedSettings, RewardModels
from tailor.agents.policy import allowed_mask

from .conftest import BANK


class Stub:
    """A "model" answering fixed conversion probabilities per action column."""

    def __init__(self, by_channel_hour):
        self.by = by_channel_hour

    def predict_proba(self, x):
        email, hour = x["a_is_email"].to_numpy(), x["a_send_hour"].to_numpy()
        p = np.array([self.by.get((bool(e), int(h)), 0.0) for e, h in zip(email, hour)])
        return np.column_stack([1 - p, p])


def test_probabilities_are_member_shares_plus_epsilon():
    members = [Stub({(True, 18): 0.5}), Stub({(True, 18): 0.5}), Stub({(False, 9): 0.5})]
    models = RewardModels([], members, None, 10.0, None)
    settings = LearnedSettings("thompson", epsilon=0.2, unsubscribe_cost=0.0, message_cost=0.0,
                               min_expected_value=0.0)
    policy = LearnedPolicy(BANK, models, settings)
    import pandas as pd
    context = pd.DataFrame({"preferred_hour": [18.0, 18.0]})
    allowed = allowed_mask([["email", "push"], ["push"]], BANK)
    probs = policy.probabilities(context, allowed)
    ids = policy.action_ids
    k0 = allowed[0].sum()
    assert np.isclose(probs[0, ids.index("email@18:none")], 0.8 * 2 / 3 + 0.2 / k0)
    assert np.isclose(probs[0, ids.index("push@9:none")], 0.8 * 1 / 3 + 0.2 / k0)
    # second person: email not allowed -> the two email members fall back to their best allowed
    # action (push@9 is worth 0 to them, so no_message wins the tie), the third picks push@9
    k1 = allowed[1].sum()
    assert np.isclose(probs[1, ids.index("push@9:none")], 0.8 * 1 / 3 + 0.2 / k1)
    assert np.isclose(probs[1, 0], 0.8 * 2 / 3 + 0.2 / k1)
    assert np.allclose(probs.sum(axis=1), 1.0)
