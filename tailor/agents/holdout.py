"""The global holdout: a stable control group that is never messaged, so the incrementality of
messaging can be measured (treated vs holdout). One rule, used by the policy when it decides
(``tailor/agents/lifecycle.py``) and by the lookup server for users the snapshot does not know.
"""
from __future__ import annotations

from tailor.privacy import stable_share


def in_holdout(person_id: str, salt: str, share: float) -> bool:
    """True for a stable ``share`` of persons (keyed hash of the pseudonymous id and ``salt``)."""
    return stable_share(person_id, salt) < share
