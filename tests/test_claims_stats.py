"""The audit's statistics against scipy/statsmodels directly and on cases with known
answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from actfn.experiments._stats import (
    bh_threshold,
    km_median,
    paired,
    sign_test_censored,
    trend,
    wilson,
)


def test_paired_matches_ttest_rel() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(0.9, 0.02, 15), rng.normal(0.89, 0.02, 15)
    res = paired(a - b, margin=0.005)
    ref = stats.ttest_rel(a, b, alternative="greater")
    ci = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert res.p_claim == pytest.approx(ref.pvalue, rel=1e-10)
    assert (res.low, res.high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert res.p_opposite == pytest.approx(1 - ref.pvalue, rel=1e-10)
    # TOST: the larger of the two one-sided p-values against ±margin
    lo = stats.ttest_1samp(a - b, -0.005, alternative="greater").pvalue
    hi = stats.ttest_1samp(a - b, 0.005, alternative="less").pvalue
    assert res.p_equivalent == pytest.approx(max(lo, hi), rel=1e-10)


def test_paired_outcomes() -> None:
    assert paired([0.02 + 0.001 * i for i in range(10)], margin=0.005).outcome(0.05) == "claim"
    assert paired([-0.02 + 0.001 * i for i in range(10)], margin=0.005).outcome(0.05) == \
        "opposite"
    assert paired([0.0001 * (i - 5) for i in range(10)], margin=0.005).outcome(0.05) == \
        "equivalent"
    assert paired([0.01 * (-1) ** i for i in range(4)], margin=0.001).outcome(0.05) == "open"
    assert paired([-0.02 + 0.001 * i for i in range(10)], margin=0.005,
                  direction="less").outcome(0.05) == "claim"


def test_no_zero_width_interval() -> None:
    res = paired([0.0] * 15, margin=0.01, resolution=1 / 300)
    assert res.high - res.low > 0
    assert res.outcome(0.05) == "equivalent"
    with pytest.raises(ValueError, match="direction"):
        paired([1.0, 2.0], margin=0.1, direction="up")


def test_trend_recovers_a_known_slope() -> None:
    x = [0.0, 1.0, 2.0]
    rng = np.random.default_rng(1)
    ys = [[0.1 * xi + 0.001 * rng.standard_normal() for xi in x] for _ in range(12)]
    res = trend(x, ys, margin=0.05)
    assert res.mean == pytest.approx(0.2, abs=0.003) and res.outcome(0.05) == "claim"


def test_wilson_matches_statsmodels_and_stays_in_range() -> None:
    from statsmodels.stats.proportion import proportion_confint

    assert wilson(3, 40) == pytest.approx(proportion_confint(3, 40, method="wilson"))
    lo, hi = wilson(0, 30)
    assert lo == pytest.approx(0.0, abs=1e-15) and 0 < hi < 0.2
    assert wilson(30, 30)[1] == pytest.approx(1.0)


def test_sign_test_on_censored_pairs() -> None:
    # 0 = never reached the target: a censored time is later than any reached one
    wa, wb, pa, pb = sign_test_censored([3, 3, 3, 0, 5, 0], [5, 0, 3, 4, 5, 0])
    assert (wa, wb) == (2, 1)  # ties and double-censored pairs dropped
    assert pa == pytest.approx(stats.binomtest(2, 3, alternative="greater").pvalue)
    assert sign_test_censored([0, 0], [0, 0]) == (0, 0, 1.0, 1.0)
    assert sign_test_censored([2] * 10, [5] * 10)[2] < 0.001


def test_kaplan_meier_median() -> None:
    assert km_median([1, 2, 3, 4, 5], 10) == 3.0
    assert km_median([1, 0, 0, 0], 10) == math.inf  # fewer than half reached the target
    assert km_median([2, 2, 4, 0], 10) == 2.0


def test_bh_threshold_matches_false_discovery_control() -> None:
    ps = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    adj = stats.false_discovery_control(ps)
    t = bh_threshold(ps, 0.05)
    assert [p <= t for p in ps] == [a <= 0.05 for a in adj]
    assert bh_threshold([0.5, 0.9], 0.05) == 0.0
