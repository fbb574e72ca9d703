"""The consent mask: no_message always allowed, a message exactly when its channel is consented,
whatever container a person's channels come in (list, tuple, Arrow's numpy array, none)."""
import numpy as np

from tailor.agents.actions import build_bank
from tailor.agents.policy import allowed_mask

BANK = build_bank({"channels": {"email": {"cost": 0.0}, "sms": {"cost": 0.0},
                                "push": {"cost": 0.0}},
                   "send_hours": [9, 18], "offers": {"none": 0.0}}, quiet_hours=[])


def test_each_row_is_its_own_consent():
    persons = [["email"], None, ("sms", "push"), np.array(["push"], dtype=object), [],
               ["email"], ["in_app"], ["sms", "email", "push"]]
    mask = allowed_mask(persons, BANK)
    assert mask.shape == (len(persons), 1 + len(BANK))
    assert mask[:, 0].all()                       # no_message is always allowed
    for row, channels in zip(mask, persons):
        consented = set(channels) if channels is not None else set()
        assert list(row[1:]) == [a.channel in consented for a in BANK]


def test_no_persons_gives_no_rows():
    assert allowed_mask([], BANK).shape == (0, 1 + len(BANK))
