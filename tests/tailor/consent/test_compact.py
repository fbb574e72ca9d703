"""``compact`` (what the server keeps per channel) never changes the rule's answer, now or after
any later changes, and keeps the latest receipt (TTLs run from it)."""
import random

from tailor.consent import Change, compact, is_granted


def _change(rng):
    return Change(rng.randint(0, 20), rng.randint(-5, 25), rng.random() < 0.5)


def test_compact_is_equivalent_now_and_later():
    rng = random.Random(7)
    for _ in range(3000):
        history = [_change(rng) for _ in range(rng.randint(1, 8))]
        later = [_change(rng) for _ in range(rng.randint(0, 4))]
        kept = compact(history)
        assert len(kept) <= len(history)
        assert is_granted(kept) == is_granted(history)
        assert max(c.received for c in kept) == max(c.received for c in history)
        assert is_granted(compact([*kept, *later])) == is_granted([*history, *later])
