"""SNDR, switch-DR, clipped DR and DRos on the hand-computed example (arithmetic in conftest.py)."""
import math

import pytest

from tailor.evaluation.ope import DM, DR, SNDR, DRos, OPEInputError, SwitchDR


def test_sndr(tiny, q_hat, always_0):
    # DM part 1.7/4; correction mean(w res) / mean(w) = (0.1/4) / (3.25/4) = 0.1 / 3.25
    assert SNDR().estimate(tiny, always_0, q_hat) == pytest.approx(1.7 / 4 + 0.1 / 3.25)


def test_switch_dr_drops_the_correction_above_tau(tiny, q_hat, always_0):
    # tau = 1.5 keeps w = 1.25 (term 0.5) and drops w = 2 (term -0.4): (1.7 + 0.5) / 4
    assert SwitchDR(tau=1.5).estimate(tiny, always_0, q_hat) == pytest.approx(2.2 / 4)


def test_switch_dr_limits(tiny, q_hat, always_0):
    # tau = inf is DR; tau below every positive weight leaves DM
    assert SwitchDR(math.inf).estimate(tiny, always_0, q_hat) == pytest.approx(DR().estimate(tiny, always_0, q_hat))
    assert SwitchDR(1.0).estimate(tiny, always_0, q_hat) == pytest.approx(DM().estimate(tiny, always_0, q_hat))


def test_clipped_dr(tiny, q_hat, always_0):
    # w clipped at 1 -> [1, 0, 0, 1]; terms [0.4, 0, 0, -0.2]; (1.7 + 0.2) / 4
    assert DR(clip=1.0).estimate(tiny, always_0, q_hat) == pytest.approx(1.9 / 4)
    assert DR(clip=1.0).name == "dr(clip=1)"


def test_dr_optimistic_shrinkage(tiny, q_hat, always_0):
    # lam = 1: w -> w / (w² + 1) = [1.25/2.5625, 0, 0, 2/5]; terms [0.4*1.25/2.5625, 0, 0, -0.2*0.4]
    expected = (1.7 + 0.4 * 1.25 / 2.5625 - 0.08) / 4
    assert DRos(lam=1.0).estimate(tiny, always_0, q_hat) == pytest.approx(expected)
    assert DRos(lam=0.0).estimate(tiny, always_0, q_hat) == pytest.approx(DM().estimate(tiny, always_0, q_hat))
    assert DRos(lam=math.inf).estimate(tiny, always_0, q_hat) == pytest.approx(DR().estimate(tiny, always_0, q_hat))


def test_thresholds_must_be_non_negative():
    for make in (lambda: SwitchDR(-1), lambda: DR(clip=float("nan")), lambda: DRos(-0.5)):
        with pytest.raises(OPEInputError):
            make()
