"""Every point-in-time rule is checked against both plans of ``features.pit.pit_join``."""
from functools import partial

import pytest

from tailor.features import pit


@pytest.fixture(params=["window", "broadcast"])
def pit_join(request):
    """``features.pit.pit_join`` with one plan forced (``auto`` picks one by size)."""
    return partial(pit.pit_join, strategy=request.param)
