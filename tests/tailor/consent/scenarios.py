"""Tricky consent sequences shared by the consent tests: name → (changes, expected).

A change is (received, ts, granted) in seconds from an origin: ``received`` is when Tailor got
it (the server's stamp, or the landing file's arrival), ``ts`` the client's own clock.
``expected``: True granted, False revoked (``tailor/consent.py``)."""
from __future__ import annotations

WEEK = 7 * 86400

SCENARIOS: dict[str, tuple[list[tuple[float, float, bool]], bool]] = {
    "grant only": ([(0, 0, True)], True),
    "revocation only": ([(0, 0, False)], False),
    "revocation then later grant": ([(0, 0, False), (10, 10, True)], True),
    "grant dated 5 min ahead, then revocation": ([(0, 300, True), (10, 10, False)], False),
    "grant dated year 2999, then revocation": ([(0, 3e10, True), (10, 10, False)], False),
    "revocation dated a week ago, received after a grant": ([(0, 0, True), (10, -WEEK, False)],
                                                           False),
    "revocation, then a back-dated grant": ([(0, 0, False), (10, -100, True)], False),
    "revocation dated ahead, then a grant before that date": ([(0, 200, False), (10, 10, True)],
                                                             False),
    "same receipt, same ts: revocation wins": ([(5, 5, True), (5, 5, False)], False),
    "same receipt: grant dated later wins": ([(5, 1, False), (5, 2, True)], True),
    "same receipt: revocation dated later wins": ([(5, 2, False), (5, 1, True)], False),
    "same ts, grant received later: revocation wins": ([(0, 5, False), (10, 5, True)], False),
    "revocation received before a back-dated grant, then a fresh grant":
        ([(0, 0, False), (10, -100, True), (20, 20, True)], True),
    "grant, revocation, grant, stale revocation":
        ([(0, 0, True), (10, 10, False), (20, 20, True), (30, -WEEK, False)], False),
}
