"""Customer lifetime value with a probabilistic backbone: BG/NBD × Gamma-Gamma.

* :mod:`models.clv.rfm` — per-customer (frequency, recency, T, monetary_value) summaries from an
  orders table, counting purchase *days* as the paper does (pandas, and the same as a Spark plan);
* :mod:`models.clv.bgnbd` — BG/NBD (Fader, Hardie & Lee 2005): expected purchases, P(alive);
* :mod:`models.clv.gamma_gamma` — Gamma-Gamma (Fader & Hardie 2013): expected spend per purchase;
* :mod:`models.clv.model` — :class:`ClvModel`, both fitted together, scored for any horizon.

Why our own numpy/scipy implementation and not a library: the closed-form likelihoods and
expectations are ~100 lines, fitted by maximum likelihood on the log scale with
``scipy.optimize`` (already installed), and match the published CDNOW parameters to 4 digits
(tests/models/clv). The libraries were weighed (measured 2026-12, 2 shared cores):

* ``pymc-marketing`` (maintained): every release from 0.19.3 on (the whole 1.x line) needs
  Python >= 3.12, and Tailor pins 3.11. The last 3.11 release, 0.19.2, installs cleanly beside
  the project's pins (no package changed, ``pip check`` clean) but adds 25 packages and 276 MB
  (pymc, pytensor, numba + llvmlite, arviz, xarray, h5py, preliz, seaborn), takes 9-10 s to
  import, and its first MAP fit compiles C code with pytensor: 52 s on a cold cache (≈3 s warm;
  the master file's 23,570 customers then fit in 3-8 s). Every new Spark executor, CI run and
  fresh machine pays the import and compile again, for expressions numpy evaluates directly.
  It gives the same MLE as this module (r, α, a, b = 0.2426, 4.414, 0.7930, 2.426 with flat
  priors on the paper's sample).
* ``lifetimes`` (unmaintained since 2020, kept as a dependency for its CDNOW files) is used in
  the tests as an independent check of the expectations and fitted parameters.
"""
from tailor.models.clv.bgnbd import BgNbdParams
from tailor.models.clv.gamma_gamma import GammaGammaParams
from tailor.models.clv.model import SCORE_COLUMNS, ClvModel
from tailor.models.clv.rfm import (
           SUMMARY_COLUMNS,
           purchase_days,
           rfm_summary,
           rfm_summary_spark,
           window_totals,
)

__all__ = ["SCORE_COLUMNS", "SUMMARY_COLUMNS", "BgNbdParams", "ClvModel", "GammaGammaParams",
           "purchase_days", "rfm_summary", "rfm_summary_spark", "window_totals"]
