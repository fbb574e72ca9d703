"""Pseudonymisation: direct identifiers never leave bronze in the clear.

A keyed HMAC (not a bare hash) so that ids cannot be reversed by hashing a guessed list of
customer ids; the lookup server applies the same function to the ``user_id`` an app sends.
"""
from __future__ import annotations

import hashlib
import hmac


def pseudonymise(value: str, key: str, length: int = 20) -> str:
    """Stable pseudonymous id for ``value`` under ``key`` (hex, ``length`` characters)."""
    digest = hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()
    return digest[:length]


def stable_share(value: str, salt: str) -> float:
    """A deterministic number in [0, 1) for ``value``: used for holdouts and train/test splits."""
    digest = hashlib.sha256(f"{salt}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
