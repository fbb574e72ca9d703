"""What the scoring job carries LTV to the lifetime with: fitted on training.ltv's train rows
only; without a training set (a champion serves, the table is gone) the calendar carries it
instead of the job failing."""
import numpy as np
import pandas as pd

from tailor.models.lifetime import CALENDAR
from tailor.models.serving_model import lifetime_extension


def test_without_training_ltv_the_calendar_carries(cfg, lakehouse):
    ext = lifetime_extension(cfg, lakehouse)     # a fresh lakehouse: no training.ltv
    assert ext.rule == CALENDAR
    ratio = cfg.models.ltv_lifetime_days / cfg.models.horizon("ltv")
    np.testing.assert_allclose(ext.predict(pd.DataFrame({"clv_age": [0.0, 9.0]})), ratio)
