"""The consent rule on the tricky sequences: a revocation received after a grant always wins;
when event times and arrival order disagree, revoked wins; changes received together go by
event time (a tie: revoked). Order of the input does not matter."""
import pytest

from tailor.consent import Change, is_granted

from .scenarios import SCENARIOS


@pytest.mark.parametrize("name", SCENARIOS)
def test_rule(name):
    changes, expected = SCENARIOS[name]
    assert is_granted(Change(*c) for c in changes) is expected
    assert is_granted(Change(*c) for c in reversed(changes)) is expected


def test_no_change_no_opinion():
    assert is_granted([]) is None
