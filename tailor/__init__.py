"""Tailor: every customer their own decision-maker, precomputed on a lakehouse."""
__version__ = "0.1.0"
