"""Evaluation of decision policies from logged data (off-policy evaluation: :mod:`tailor.evaluation.ope`)."""
