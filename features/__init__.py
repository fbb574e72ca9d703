"""Versioned feature definitions. Each group is declared once in :mod:`features.registry`
(name, entity, version, owner, sources, TTL, freshness, fills, fingerprint) and its pure as-of
transformation lives in its own module (profile, channel, discount, behaviour, items,
covisitation); :mod:`features.assemble` joins the person groups for consumers."""
