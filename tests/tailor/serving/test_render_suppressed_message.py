"""A rule that suppresses the policy's message changes only what it must in the body: message
null, action no_message, propensity 1.0 (serving no message was certain, as the decision log
says), the rule appended to guardrails; everything else is byte-for-byte the policy's answer."""
import json

from tailor.serving.records import compile_value, decision_record, render, response_body
from tests.support.synthetic import decisions_table

RULE = b'"consent_revoked:email"'


def body(value, heads, tails, **edit):
    return json.loads(response_body(b'"u"', render(value, heads, tails, **edit)[0]))


def test_suppression_edits_only_message_action_propensity_guardrails():
    rows = decisions_table([f"c-{i}" for i in range(40)], "2026-10-15", "k", 5).to_pylist()
    heads, tails = [], []
    with_message = without = 0
    for row in rows:
        value = compile_value(decision_record(row, "snap-1", 3), heads, tails)
        plain, suppressed = body(value, heads, tails), body(value, heads, tails, suppress=RULE)
        assert suppressed["message"] is None and suppressed["action_id"] == "no_message"
        assert suppressed["guardrails"] == plain["guardrails"] + [json.loads(RULE)]
        if plain["message"] is not None:
            with_message += 1
            assert plain["propensity"] < 1.0 and suppressed["propensity"] == 1.0
        else:
            without += 1
            assert suppressed["propensity"] == plain["propensity"]
        untouched = set(plain) - {"message", "action_id", "propensity", "guardrails"}
        assert {k: suppressed[k] for k in untouched} == {k: plain[k] for k in untouched}
    assert with_message and without   # both cases were exercised
