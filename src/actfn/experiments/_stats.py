r"""Statistics of the claims audit, from scipy.stats and statsmodels (nothing hand-rolled
beyond arranging their results).

Every comparison is *paired by seed*: seed :math:`s` fixes the data split, the initial
weights and the mini-batch order of both arms, so the per-seed differences
:math:`d_s = a_s - b_s` carry the test-set sampling error of the repeated splits as well
as the training noise. Decisions use three one-sided tests on :math:`\bar d`
(``scipy.stats.ttest_1samp``):

* the claim's direction, :math:`H_0: \mu \le 0` (or :math:`\ge 0`);
* the opposite direction;
* equivalence within a declared margin :math:`\pm\delta`: two one-sided tests (TOST),
  :math:`p = \max(p_{\mu \le -\delta},\ p_{\mu \ge \delta})`.

A claim is *refuted* only by equivalence or by a significant opposite effect; a result that
is none of these is *inconclusive*. Significance is judged at a level passed in by the
caller: the Benjamini–Hochberg threshold over every p-value of the audit
(``scipy.stats.false_discovery_control``, see :func:`bh_threshold`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Paired", "paired", "trend", "Dependence", "dependence", "wilson", "sign_test_censored", "bh_threshold",
           "km_median"]


@dataclass(frozen=True)
class Paired:
    """A paired comparison: mean difference, its 95 % t-interval and the three p-values."""

    mean: float
    low: float
    high: float
    n: int
    p_claim: float
    p_opposite: float
    p_equivalent: float

    def outcome(self, level: float) -> str:
        """``"claim"`` (significant in the claimed direction), ``"opposite"``,
        ``"equivalent"`` (within the margin) or ``"open"`` at significance ``level``."""
        if self.p_claim <= level:
            return "claim"
        if self.p_opposite <= level:
            return "opposite"
        if self.p_equivalent <= level:
            return "equivalent"
        return "open"

    def fmt(self, scale: float = 1.0, unit: str = "", digits: int = 2) -> str:
        return (f"{self.mean * scale:+.{digits}f}{unit} [{self.low * scale:+.{digits}f}, "
                f"{self.high * scale:+.{digits}f}]")

    @property
    def pvalues(self) -> tuple[float, float, float]:
        return (self.p_claim, self.p_opposite, self.p_equivalent)


def paired(diffs: Sequence[float], *, margin: float, direction: str = "greater",
           resolution: float = 0.0) -> Paired:
    r"""Paired one-sample t-tests on per-seed differences ``diffs`` (NaNs dropped): the
    statistic :math:`t = \bar d/(s/\sqrt n)` against Student's t with n − 1 degrees of
    freedom (``scipy.stats.t``; the same numbers as ``scipy.stats.ttest_rel``).

    ``direction`` is the claimed sign of the mean difference (``"greater"`` or
    ``"less"``); ``margin`` the equivalence margin :math:`\delta`.

    Test-set sampling error: each seed draws its own stratified split, so the spread of
    :math:`d_s` over seeds already contains the sampling error of the test items (as well
    as the training noise), and the standard error is the plain :math:`s/\sqrt n`. No
    floor is added to :math:`s` (a floor of ``1/n_test`` per seed made equivalence
    unreachable on small test sets: with 36 test items and 15 seeds the half-width could
    not fall below 1.5 points). ``resolution`` (the metric's step, 1/n_test for an
    accuracy) is used only when every seed gives the same difference (:math:`s = 0`): the
    deviation is then taken as one step, so no interval has zero width and a
    zero-variance arm cannot make any difference "significant".
    """
    from scipy import stats

    if direction not in ("greater", "less"):
        raise ValueError(f"direction={direction!r} must be 'greater' or 'less'")
    d = np.asarray([x for x in diffs if not math.isnan(float(x))], dtype=float)
    n = int(d.size)
    if n < 2:
        return Paired(float(d.mean()) if n else math.nan, -math.inf, math.inf, n, 1.0, 1.0, 1.0)
    mean = float(d.mean())
    same = float(np.ptp(d)) == 0.0  # every seed the same (std would be rounding noise)
    se = (max(resolution, 1e-12) if same else float(d.std(ddof=1))) / math.sqrt(n)
    t = stats.t(df=n - 1)
    half = float(t.ppf(0.975)) * se

    def p_above(mu0: float) -> float:  # one-sided p for H0: mean <= mu0
        return float(t.sf((mean - mu0) / se))

    def p_below(mu0: float) -> float:  # one-sided p for H0: mean >= mu0
        return float(t.cdf((mean - mu0) / se))

    up, down = p_above(0.0), p_below(0.0)
    p_claim, p_opp = (up, down) if direction == "greater" else (down, up)
    return Paired(mean, mean - half, mean + half, n, p_claim, p_opp,
                  max(p_above(-margin), p_below(margin)))


def trend(x: Sequence[float], y_by_seed: Sequence[Sequence[float]], *, margin: float,
          resolution: float = 0.0) -> Paired:
    r"""Trend of a metric over a swept parameter, paired by seed.

    For each seed the least-squares slope of ``y`` on ``x`` (``scipy.stats.linregress``)
    times the swept range :math:`x_{max} - x_{min}` is the change the fit predicts across
    the sweep; :func:`paired` tests those per-seed changes (claimed direction: an
    increase; read ``p_opposite`` for a decrease), with equivalence margin ``margin``. A
    trend test uses every point of the sweep, unlike best-vs-worst picking, which selects
    its pair from the same data it tests.
    """
    from scipy import stats

    xs = np.asarray(x, dtype=float)
    span = float(xs.max() - xs.min())
    effects = []
    for ys in y_by_seed:
        ys = np.asarray(ys, dtype=float)
        ok = np.isfinite(ys)
        if ok.sum() < 2:
            continue
        effects.append(float(stats.linregress(xs[ok], ys[ok]).slope) * span)
    return paired(effects, margin=margin, direction="greater", resolution=resolution)


@dataclass(frozen=True)
class Dependence:
    """Does a metric depend on a swept parameter, in any shape? See :func:`dependence`."""

    means: tuple[float, ...]
    spread: float
    n: int
    p_dependence: float
    p_equivalent: float


def dependence(y_by_seed: Sequence[Sequence[float]], *, margin: float) -> Dependence:
    r"""Dependence of a metric on a swept parameter of :math:`k` levels, paired by seed
    (rows: seeds, columns: levels; seeds with a NaN dropped), whatever its shape.

    * Dependence: Friedman's rank test (``scipy.stats.friedmanchisquare``) of
      :math:`H_0`: every level has the same distribution, blocks = seeds. A U-shape,
      which a linear trend test calls flat, is a dependence.
    * Equivalence: the spread :math:`\max_i \mu_i - \min_i \mu_i` is within
      :math:`\delta` iff every pairwise paired difference is; each pair by TOST
      (:func:`paired`), combined as an intersection–union test,
      :math:`p = \max_{i<j} p^{TOST}_{ij}` (no multiplicity correction needed).

    ``spread`` is the observed max − min of the level means.
    """
    from scipy import stats

    y = np.asarray(y_by_seed, dtype=float)
    y = y[np.all(np.isfinite(y), axis=1)]
    n, k = y.shape if y.ndim == 2 else (0, 0)
    if n < 2 or k < 2:
        return Dependence(tuple(np.nanmean(y, axis=0)) if n else (), math.nan, n, 1.0, 1.0)
    means = y.mean(axis=0)
    if k >= 3 and np.ptp(y, axis=1).any():
        p_dep = float(stats.friedmanchisquare(*y.T).pvalue)
    else:  # two levels: the paired t-test, two-sided
        p_dep = float(stats.ttest_rel(y[:, 1], y[:, 0]).pvalue) if k == 2 else 1.0
    p_dep = 1.0 if not math.isfinite(p_dep) else p_dep
    p_eq = max(paired(y[:, j] - y[:, i], margin=margin).p_equivalent
               for i in range(k) for j in range(i + 1, k))
    return Dependence(tuple(float(m) for m in means), float(means.max() - means.min()), n,
                      p_dep, p_eq)


def wilson(count: int, nobs: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (``statsmodels`` ``proportion_confint``);
    always inside [0, 1]."""
    from statsmodels.stats.proportion import proportion_confint

    if nobs <= 0:
        return (0.0, 1.0)
    lo, hi = proportion_confint(count, nobs, alpha=1.0 - level, method="wilson")
    return float(lo), float(hi)


def sign_test_censored(a: Sequence[int], b: Sequence[int]) -> tuple[int, int, float, float]:
    """Paired comparison of right-censored times (0 = never reached, i.e. censored at the
    end of training), survival-style: for each seed the arm that reached the target first
    wins; if only one arm reached it, that arm wins; ties and pairs where neither reached
    it carry no information and are dropped (Gehan's rule for paired censored data).

    Returns ``(wins of a, wins of b, p that a is faster, p that b is faster)``, the
    one-sided exact binomial tests (``scipy.stats.binomtest``) of the wins.
    """
    from scipy import stats

    wa = wb = 0
    for x, y in zip(a, b, strict=True):
        if x == 0 and y == 0:
            continue
        if y == 0 or (x != 0 and x < y):
            wa += 1
        elif x == 0 or y < x:
            wb += 1
    n = wa + wb
    if n == 0:
        return 0, 0, 1.0, 1.0
    pa = float(stats.binomtest(wa, n, 0.5, alternative="greater").pvalue)
    pb = float(stats.binomtest(wb, n, 0.5, alternative="greater").pvalue)
    return wa, wb, pa, pb


def km_median(times: Sequence[int], horizon: int) -> float:
    """Kaplan–Meier median of right-censored times (0 = censored at ``horizon``), from
    ``scipy.stats.ecdf``; ``inf`` when fewer than half reach the target."""
    from scipy import stats

    t = np.asarray(times, dtype=float)
    if t.size == 0:
        return math.nan
    data = stats.CensoredData(uncensored=t[t > 0], right=np.full(int((t == 0).sum()),
                                                                  float(horizon)))
    if (t > 0).sum() == 0:
        return math.inf
    sf = stats.ecdf(data).sf
    q = sf.quantiles
    p = sf.probabilities
    below = np.nonzero(p <= 0.5)[0]
    return float(q[below[0]]) if below.size else math.inf


def bh_threshold(pvalues: Sequence[float], alpha: float = 0.05) -> float:
    """The Benjamini–Hochberg cut-off: a p-value is significant at false discovery rate
    ``alpha`` over the whole family iff it is ≤ this threshold (the largest p whose
    ``scipy.stats.false_discovery_control`` adjusted value is ≤ ``alpha``; 0 if none)."""
    from scipy import stats

    ps = np.asarray([p for p in pvalues if np.isfinite(p)], dtype=float)
    if ps.size == 0:
        return alpha
    adj = stats.false_discovery_control(ps, method="bh")
    ok = ps[adj <= alpha]
    return float(ok.max()) if ok.size else 0.0
