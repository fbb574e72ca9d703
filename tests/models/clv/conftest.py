"""The CDNOW files that ship inside the ``lifetimes`` wheel (read as data; lifetimes itself is
imported only where a test compares against it).

* ``cdnow_customers_summary_with_transactions.csv`` — the paper's summary of the 2,357-customer
  sample (x, t_x, T in weeks, calibration 1997-01-01..1997-09-30; zbar = mean repeat spend);
* ``CDNOW_sample.txt`` — that sample's orders (master id, sample id, date, CDs, dollars).
"""
from __future__ import annotations

from importlib.resources import files

import pandas as pd
import pytest

DATASETS = files("lifetimes") / "datasets"


@pytest.fixture(scope="session")
def paper_summary() -> pd.DataFrame:
    """The paper's calibration summary with our column names, indexed by sample id."""
    raw = pd.read_csv(DATASETS / "cdnow_customers_summary_with_transactions.csv").set_index("ID")
    return raw.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="session")
def sample_orders() -> pd.DataFrame:
    """The sample's orders: customer_id (sample id), ts (day), amount (dollars)."""
    raw = pd.read_csv(DATASETS / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "customer_id", "date", "cds", "amount"], dtype={"date": str})
    return pd.DataFrame({"customer_id": raw["customer_id"],
                         "ts": pd.to_datetime(raw["date"], format="%Y%m%d"),
                         "amount": raw["amount"]})
