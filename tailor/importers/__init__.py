"""Importers: real datasets and users' own files → landing events (the same contract as the
simulator's, :mod:`tailor.events`), so the whole pipeline runs on real data.

- :mod:`tailor.importers.events` — any CSV / Parquet / JSON-lines file with a column mapping
  (``tailor import events``)
- :mod:`tailor.importers.cdnow` — the CDNOW master from the ``lifetimes`` wheel
  (``tailor import cdnow``)
"""
