"""Versioned feature definitions. Each group is declared once in :mod:`features.registry` and
its pure transformation lives in its own module (profile, behaviour, items, candidates)."""
