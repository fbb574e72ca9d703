"""A learned policy for a Spark task (``with_threads``): every reward model predicts on the
task's threads, in a copy (the policy it came from keeps its own), with the same numbers."""
import numpy as np

from tailor.agents.learned import LearnedPolicy, LearnedSettings, fit_reward_models
from tailor.agents.policy import UniformPolicy, allowed_mask

from .conftest import BANK, logged

SETTINGS = LearnedSettings("thompson", epsilon=0.1, unsubscribe_cost=0.0, message_cost=0.05,
                           min_expected_value=0.0)


def test_with_threads_sets_every_model_and_predicts_the_same(logged_rows):
    models = fit_reward_models(logged_rows, ["email_response", "preferred_hour"], ensemble=3,
                               xgb_params={"n_estimators": 20, "n_jobs": 2}, seed=4)
    policy = LearnedPolicy(BANK, models, SETTINGS, version="3")
    task = policy.with_threads(1)
    fitted = [*task.models.conversion, task.models.value]
    assert all(m.get_params()["n_jobs"] == 1 for m in fitted if m is not None)
    assert all(m.get_params()["n_jobs"] == 2 for m in models.conversion)
    assert task.label == policy.label and task.bank == policy.bank

    context = logged(300, seed=12)
    allowed = allowed_mask(context["allowed_channels"], BANK)
    a, b = policy.score(context, allowed), task.score(context, allowed)
    assert np.array_equal(a.probs, b.probs) and np.array_equal(a.values, b.values)


def test_a_numpy_policy_is_itself():
    uniform = UniformPolicy(BANK)
    assert uniform.with_threads(1) is uniform
