"""Machinery of the dense accuracy sweeps (tests/test_f64_sweep.py, tools/f64_sweep.py).

Three kinds of input sets, all measured on both NumPy code paths (compiled loops and
the pure-NumPy fallback) against a correctly rounded reference:

* **bands**: for every activation, derivative and dtype, the inputs where f, f′, f″ or
  an intermediate exponential crosses the dtype's smallest normal, its smallest
  subnormal (the result becomes 0) or its largest finite value. The edges are *found*,
  not listed: :func:`edges` evaluates the kernels on a grid over the whole float64
  range with an evaluation context that records the arguments of every ``exp`` and
  ``expm1`` (:class:`_Recording`), brackets each crossing between two grid points and
  bisects it; :func:`band_points` then samples densely around every edge.
* **random**: log-uniform magnitudes 1e-300…1e300 of both signs plus uniform [-40, 40],
  seeded (:func:`random_points`).
* **exhaustive**: all 65,536 bit patterns of float16 or bfloat16 (:func:`all_16bit`).

The reference (:func:`reference`) rounds the spec's reference formulas (``Spec.exact``)
correctly to the dtype; :func:`ulps` measures the distance in units in the last place
(ordinal distance between floats: the spacing of the result's binade, subnormal
spacing below the smallest normal).
"""

from __future__ import annotations

import contextlib
import datetime
import math
from collections.abc import Callable
from typing import Any

import ml_dtypes
import numpy as np

import actfn
from actfn import _fast
from actfn._evaluate import array_params, context

from .accuracy import case_id, cases
from .oracle import DTYPES, exact, oracle, round_to, ulp_distance

__all__ = [
    "BOUNDS", "DTYPE_LIMITS", "WHICH", "all_16bit", "band_points", "decided", "edges",
    "evaluate", "hunt_points", "mpmath_reference", "random_params", "random_points",
    "reference", "rotation", "specials",
    "sweep_cases",
    "ulps", "worst",
]

WHICH = ("f", "df", "d2f")

#: Bound in ulps per dtype and function (issue 2 for the narrow types, issue 10 for
#: float64).
BOUNDS = {
    "float64": {"f": 2, "df": 4, "d2f": 4},
    "float32": {"f": 1, "df": 1, "d2f": 1},
    "float16": {"f": 1, "df": 1, "d2f": 1},
    "bfloat16": {"f": 1, "df": 1, "d2f": 1},
}


def _limits(name: str) -> tuple[float, float, float]:
    fi = ml_dtypes.finfo(DTYPES[name]) if name == "bfloat16" else np.finfo(DTYPES[name])
    return float(fi.smallest_normal), float(fi.smallest_subnormal), float(fi.max)


#: (smallest normal, smallest subnormal, largest finite) of each dtype.
DTYPE_LIMITS = {name: _limits(name) for name in DTYPES}


def sweep_cases() -> list[tuple[str, dict]]:
    """Every activation at its defaults and at the extra parameters of ``Spec.cases``."""
    return cases()


def evaluate(case: tuple[str, dict], which: str, x: np.ndarray, path: str) -> np.ndarray:
    """actfn's f, f′ or f″ of ``case`` at ``x`` on the ``"compiled"`` or ``"numpy"`` path."""
    act = actfn.get(case[0], **case[1])
    fn = {"f": act, "df": act.derivative, "d2f": act.second_derivative}[which]
    with _fast.disabled() if path == "numpy" else contextlib.nullcontext():
        return np.asarray(fn(x))


# -- reference -------------------------------------------------------------------------------
def reference(case: tuple[str, dict], which: str, x: np.ndarray) -> np.ndarray:
    """Correctly rounded f/f′/f″ of ``case`` at each ``x``, in ``x``'s dtype: the spec's
    reference formulas in python-flint ball arithmetic (``actfn.reference``). An element
    whose rounding the reference cannot decide (a value within 2^-16384 of a rounding
    midpoint, e.g. x - tanh x at |x| ~ 1e16) is returned as NaN with the input's sign
    bit pattern untouched; :func:`decided` tells which."""
    from actfn import reference as ref

    kw = {"derivative": WHICH.index(which), "dtype": x.dtype, **case[1]}
    try:
        return np.asarray(ref.reference(case[0], x, **kw))
    except ref.ReferenceUndecided:
        out = np.empty_like(x)
        for i in range(x.size):
            try:
                out[i] = np.asarray(ref.reference(case[0], x[i:i + 1], **kw))[0]
            except ref.ReferenceUndecided:
                out[i] = _UNDECIDED
        return out


#: Marker of an undecided reference value (a NaN payload no kernel produces).
_UNDECIDED = np.nan


def decided(want: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Elements whose reference value was decided (NaN only where the input is NaN)."""
    return ~(np.isnan(want.astype(np.float64)) & ~np.isnan(x.astype(np.float64)))


def mpmath_reference(case: tuple[str, dict], which: str, x: np.ndarray) -> np.ndarray:
    """The same values from mpmath at 256 bits (tests/oracle.py): an independent second
    implementation of the arithmetic, used on a subset."""
    fn = oracle(case[0], case[1])[WHICH.index(which)]
    dtn = next(k for k, v in DTYPES.items() if v == x.dtype)
    out = []
    for xi in x.astype(np.float64).tolist():
        if math.isinf(xi):
            from mpmath import mpf

            v = fn(mpf(10) ** 400 * (1 if xi > 0 else -1))
        else:
            v = exact(fn, xi)
        out.append(round_to(v, dtn))
    return np.array(out, dtype=x.dtype)


def ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Distance in ulps of the dtype (NaN against NaN: 0; NaN against a number: huge)."""
    return ulp_distance(got, want)


# -- input sets ------------------------------------------------------------------------------
def rotation(salt: str = "") -> int:
    """Seed that changes every day (so CI covers new inputs each day) and is printed by the
    tests that use it, so a failure can be replayed with ``ACTFN_SWEEP_SEED``."""
    import os

    env = os.environ.get("ACTFN_SWEEP_SEED")
    day = int(env) if env else datetime.date.today().toordinal()
    return day * 1000003 + sum(map(ord, salt))


def random_points(n: int, seed: int) -> np.ndarray:
    """``n`` float64 inputs: half log-uniform |x| in [1e-300, 1e300] with a random sign,
    half uniform in [-40, 40]."""
    rng = np.random.default_rng(seed)
    k = n // 2
    mags = 10.0 ** rng.uniform(-300.0, 300.0, k)
    signs = np.where(rng.random(k) < 0.5, -1.0, 1.0)
    return np.concatenate([signs * mags, rng.uniform(-40.0, 40.0, n - k)])


def _draw_real(p: Any, rng: np.random.Generator) -> float:
    """One value of the real parameter ``p`` (see :func:`random_params`)."""
    lo = -1e300 if p.lower is None else p.lower
    hi = 1e300 if p.upper is None else p.upper
    u = rng.random()
    if u < 0.1:
        v = p.default
    elif u < 0.2:
        v = 1.0 + rng.uniform(-1e-3, 1e-3) if lo < 1.0 < hi else p.default
    elif u < 0.3:
        v = rng.choice([x for x in (lo, hi) if math.isfinite(x) and abs(x) < 1e300]
                       or [p.default])
        v = float(v)
    else:
        # a sign allowed by the range, then a log-uniform magnitude within it
        signs = [s for s in (1.0, -1.0) if (s > 0 and hi > 0) or (s < 0 and lo < 0)]
        s = float(rng.choice(signs))
        top = hi if s > 0 else -lo
        bottom = max(lo, 0.0) if s > 0 else max(-hi, 0.0)
        top = min(top, 1e300)
        bottom = max(bottom, 1e-300)
        v = s * math.exp(rng.uniform(math.log(bottom), math.log(top)))
    return float(v)


def random_params(name: str, rng: np.random.Generator, tries: int = 50) -> dict | None:
    """A random valid parameter set of ``name`` (None: it has no parameter to vary): each
    real parameter log-uniform over its valid range (both signs where allowed, 1e-300…1e300
    where unbounded), one time in ten its default, near 1 or at a finite bound; a
    categorical one uniform over its choices. Sets the registry rejects (parameters that
    constrain each other) are redrawn."""
    spec = actfn.get(name).spec
    ps = list(spec.params)  # (a vector parameter is drawn as one scalar)
    if not ps:
        return None
    for _ in range(tries):
        d = {}
        for p in ps:
            d[p.name] = (str(rng.choice(p.choices)) if p.choices is not None
                         else _draw_real(p, rng))
        try:
            return dict(actfn.get(name, **d).params)
        except (ValueError, TypeError):
            continue
    return None


def hunt_points(case: tuple[str, dict], which: str, n: int, seed: int) -> np.ndarray:
    """``n`` float64 inputs for ``case``: a third log-uniform |x| in 1e-320…1e308 of both
    signs, a third uniform in [-800, 800], a third around its band edges (:func:`edges`:
    where βx or x/α takes an exponential across the thresholds)."""
    rng = np.random.default_rng(seed)
    k = n // 3
    mags = 10.0 ** rng.uniform(-320.0, 308.0, k)
    xs = [np.where(rng.random(k) < 0.5, -1.0, 1.0) * mags, rng.uniform(-800.0, 800.0, k)]
    e = edges(case, which)
    if e.size:
        per = max(2, (n - 2 * k) // max(1, e.size))
        xs.append(band_points(e, "float64", per, seed, 2))
    x = np.concatenate(xs)
    return x[np.isfinite(x)]


def specials(dtype_name: str) -> np.ndarray:
    """±0, ±inf, ±largest finite, ±smallest subnormal and ±smallest normal, and NaN."""
    normal, sub, big = DTYPE_LIMITS[dtype_name]
    v = [0.0, -0.0, np.inf, -np.inf, big, -big, sub, -sub, normal, -normal, np.nan]
    return np.array(v, dtype=np.float64).astype(DTYPES[dtype_name])


def all_16bit(dtype_name: str) -> np.ndarray:
    """Every float16 or bfloat16 value: all 65,536 bit patterns except that the 2,046
    NaN patterns are represented by one quiet NaN."""
    a = np.arange(1 << 16, dtype=np.uint16).view(DTYPES[dtype_name])
    with np.errstate(invalid="ignore"):
        nan = np.isnan(a.astype(np.float32))
    return np.concatenate([a[~nan], np.array([np.nan], dtype=DTYPES[dtype_name])])


class _Recording:
    """An evaluation context that records the arguments of ``exp`` and ``expm1``
    (elementwise arrays of the input's shape) and delegates everything else."""

    def __init__(self, ctx: Any, shape: tuple[int, ...]) -> None:
        self._ctx = ctx
        self._shape = shape
        self.args: list[np.ndarray] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._ctx, name)
        if name not in ("exp", "expm1"):
            return attr

        def recorded(a: Any, *rest: Any) -> Any:
            arr = np.asarray(a)
            if arr.shape == self._shape:
                self.args.append(arr.astype(np.float64))
            return attr(a, *rest)

        return recorded


def _grid() -> np.ndarray:
    """Both signs of log-spaced magnitudes over the whole float64 range, and [-60, 60]."""
    mags = np.exp(np.linspace(math.log(5e-324), math.log(1.7e308), 6000))
    lin = np.linspace(-60.0, 60.0, 4801)
    return np.unique(np.concatenate([-mags, mags, lin, [0.0]]))


def _signals(case: tuple[str, dict], which: str, dtype_names: tuple[str, ...],
             x: np.ndarray) -> list[np.ndarray]:
    """Quantities whose sign change marks an edge: log2|v| - log2(threshold) for the value
    v of f/f′/f″ (float64 kernels) at each threshold of each dtype (smallest normal, half
    the smallest subnormal, largest finite), and, for float64, the argument of every
    exponential inside the kernel minus the natural log of those thresholds."""
    act = actfn.get(case[0], **case[1])
    spec = act.spec
    kernel = {"f": spec.f, "df": spec.df, "d2f": spec.d2f}[which]
    rec = _Recording(context(np), x.shape)
    with np.errstate(all="ignore"):
        v = np.asarray(kernel(x, rec, **array_params(spec, act.params, x, np)), dtype=np.float64)
        lv = np.log2(np.abs(v))
    out = []
    for name in dtype_names:
        normal, sub, big = DTYPE_LIMITS[name]
        l2 = (math.log2(normal), math.log2(sub) - 1.0, math.log2(big))
        out += [lv - t for t in l2]
        if name == "float64":
            for arg in rec.args:
                out += [arg - t * math.log(2.0) for t in l2]
    return out


def edges(case: tuple[str, dict], which: str,
          dtype_names: tuple[str, ...] = ("float32", "float64")) -> np.ndarray:
    """The float64 inputs where f/f′/f″ (or, for float64, an exponential inside the
    kernel) crosses a dtype's smallest normal, smallest subnormal or largest value:
    bracketed on :func:`_grid` and bisected (all brackets at once) to float64 resolution."""
    g = _grid()
    sig = _signals(case, which, dtype_names, g)
    los, his, ks, plos = [], [], [], []
    for k, s in enumerate(sig):
        pos = np.where(np.isfinite(s), s >= 0, s > 0)
        for i in np.flatnonzero(pos[1:] != pos[:-1]):
            los.append(g[i])
            his.append(g[i + 1])
            ks.append(k)
            plos.append(pos[i])
    if not ks:
        return np.zeros(0)
    lo, hi = np.array(los), np.array(his)
    k_idx, plo = np.array(ks), np.array(plos)
    for _ in range(64):
        same_sign = (lo > 0) == (hi > 0)
        mid = np.where(same_sign & (lo != 0) & (hi != 0),
                       np.where(np.abs(hi / np.where(lo == 0, 1, lo)) > 4,
                                np.sign(hi) * np.sqrt(np.abs(lo)) * np.sqrt(np.abs(hi)),
                                0.5 * lo + 0.5 * hi),  # lo + hi may overflow
                       0.0)
        done = (mid == lo) | (mid == hi)
        if done.all():
            break
        sm = _signals(case, which, dtype_names, mid)
        smk = np.array([sm[k][j] for j, k in enumerate(k_idx)])
        pm = np.where(np.isfinite(smk), smk >= 0, smk > 0)
        move_lo = (pm == plo) & ~done
        move_hi = (pm != plo) & ~done
        lo = np.where(move_lo, mid, lo)
        hi = np.where(move_hi, mid, hi)
    return np.unique(hi)


def band_points(edge_xs: np.ndarray, dtype_name: str, per_edge: int, seed: int,
                neighbours: int = 32) -> np.ndarray:
    """Dense inputs of ``dtype_name`` around each edge: the ``neighbours`` nearest floats
    on each side, and ``per_edge`` random points within ±(1 + 5 %) of the edge (or, for
    |edge| < 1, magnitudes within a factor 2**±8)."""
    dt = DTYPES[dtype_name]
    rng = np.random.default_rng(seed)
    pts: list[np.ndarray] = []
    for e in edge_xs.tolist():
        with np.errstate(over="ignore"):
            c = np.array([e], dtype=np.float64).astype(dt)
        if not np.isfinite(c[0]):
            continue
        pts.append(_ordinal_neighbours(c[0], dt, neighbours))
        if abs(e) < 1.0:
            r = (abs(e) if e != 0 else 5e-324) * 2.0 ** rng.uniform(-8.0, 8.0, per_edge)
            r = math.copysign(1.0, e) * r
        else:
            w = 1.0 + 0.05 * abs(e)
            r = rng.uniform(e - w, e + w, per_edge)
        with np.errstate(over="ignore"):
            pts.append(r.astype(dt))
    if not pts:
        return np.zeros(0, dtype=dt)
    a = np.concatenate(pts)
    return np.unique(a[np.isfinite(a)])


def _ordinal_neighbours(v: Any, dt: np.dtype, k: int) -> np.ndarray:
    size = dt.itemsize
    ut = {2: np.uint16, 4: np.uint32, 8: np.uint64}[size]
    bits = int(np.array([v], dtype=dt).view(ut)[0])
    sign = 1 << (8 * size - 1)
    o = -(bits - sign) if bits >= sign else bits
    out = []
    for j in range(o - k, o + k + 1):
        raw = j if j >= 0 else (-j) | sign
        out.append(raw)
    return np.array(out, dtype=ut).view(dt)


def worst(case: tuple[str, dict], which: str, x: np.ndarray,
          want: np.ndarray | None = None,
          ref: Callable[..., np.ndarray] = reference) -> dict[str, tuple[int, float]]:
    """Per path: (max ulps, the input where it occurs) of f/f′/f″ of ``case`` on ``x``
    (elements with an undecided reference value left out: see :func:`decided`)."""
    if want is None:
        want = ref(case, which, x)
    keep = decided(want, x)
    x, want = x[keep], want[keep]
    out = {}
    for path in ("compiled", "numpy"):
        got = evaluate(case, which, x, path)
        u = ulps(got, want)
        i = int(np.argmax(u)) if u.size else 0
        out[path] = (int(u[i]) if u.size else 0, float(x[i]) if u.size else 0.0)
    return out


_ = case_id  # re-exported for the tests
