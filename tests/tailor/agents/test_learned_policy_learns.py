"""The learned policy finds the action that converts (email at 18:00) from uniform random logs,
and never puts probability on a channel consent does not allow."""
import numpy as np

from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
from tailor.agents.policy import allowed_mask

from .conftest import BANK, logged

SETTINGS = LearnedSettings("thompson", epsilon=0.1, unsubscribe_cost=0.0, message_cost=0.05,
                           min_expected_value=0.0)


def test_best_action_learned_and_consent_respected(logged_rows):
    models = fit_reward_models(logged_rows, ["email_response", "preferred_hour"], ensemble=3,
                               xgb_params={"n_estimators": 60}, seed=1)
    policy = LearnedPolicy(BANK, models, SETTINGS)
    context = logged(300, seed=5)
    probs = policy.probabilities(context, allowed_mask(context["allowed_channels"], BANK))
    assert np.allclose(probs.sum(axis=1), 1.0)
    best = policy.action_ids.index("email@18:none")
    assert (probs.argmax(axis=1) == best).mean() > 0.9
    push_only = allowed_mask([["push"]] * len(context), BANK)
    probs = policy.probabilities(context, push_only)
    email = [i for i, a in enumerate(policy.action_ids) if a.startswith("email")]
    assert probs[:, email].sum() == 0.0
