"""IPS, clipped IPS and SNIPS on the hand-computed example (arithmetic in conftest.py)."""
import pytest

from tailor.evaluation.ope import IPS, SNIPS


def test_ips_deterministic_target(tiny, always_0):
    # mean(w r) = (1.25*1 + 0*0 + 0*1 + 2*0) / 4
    assert IPS().estimate(tiny, always_0) == pytest.approx(1.25 / 4)


def test_ips_stochastic_target(tiny, half_0_half_1):
    # w = [0.625, 2, 0, 1]; mean(w r) = 0.625 / 4
    assert IPS().estimate(tiny, half_0_half_1) == pytest.approx(0.625 / 4)


def test_clipped_ips_caps_weights(tiny, always_0):
    # w clipped at 1 -> [1, 0, 0, 1]; mean(w r) = 1 / 4
    assert IPS(clip=1.0).estimate(tiny, always_0) == pytest.approx(0.25)
    assert IPS(clip=1.0).name == "ips(clip=1)"


def test_snips_deterministic_and_stochastic(tiny, always_0, half_0_half_1):
    # Σ w r / Σ w = 1.25 / (1.25 + 2)   and   0.625 / (0.625 + 2 + 0 + 1)
    assert SNIPS().estimate(tiny, always_0) == pytest.approx(1.25 / 3.25)
    assert SNIPS().estimate(tiny, half_0_half_1) == pytest.approx(0.625 / 3.625)


def test_round_values_average_to_the_estimate(tiny, always_0):
    # per-round w r = [1.25, 0, 0, 0]
    assert IPS().round_values(tiny, always_0).tolist() == pytest.approx([1.25, 0, 0, 0])
    with pytest.raises(TypeError, match="self-normalised"):
        SNIPS().round_values(tiny, always_0)
