"""Error statistics of one library's values against the correctly rounded truth.

A *partial* (a JSON-able dict) summarises one chunk of inputs; partials of chunks merge
(:func:`merge`) and become the report's numbers (:func:`finish`):

* ulp distance = |ord(got) − ord(exact)| with ``ord`` the ordered index of a float
  (…, −tiny → −1, ±0 → 0, tiny → 1, …; ±inf one step past the largest finite value),
  over the points where both are numbers or both nan (nan vs nan counts 0);
* the 99.9th percentile from a histogram that is exact below 1024 ulp and has one bin
  per power of two above (the percentile is then the bin's lower bound);
* mixed error |got − exact| / ulp(max(|exact|, 1)) (relative for large values,
  absolute near 0);
* ``nonfinite``: nan or ±inf where the exact value is finite; ``nan_lost``: a number
  where the exact value is nan;
* ``flushed``: a subnormal input that gives the value at zero while the exact value
  differs, or a subnormal exact value returned as zero;
* the worst inputs among the finite results (largest ulp) with got and exact, and
  separately the first non-finite results (nan/±inf where the exact value is finite), so
  an overflow at huge x never hides a cancellation elsewhere;
* any non-finite result where the exact value is finite makes ``max_ulp`` (and
  ``max_mixed``) infinite, and ``p999_ulp`` too when such results are more than 0.1 % of
  the inputs: no "≤ k ulp" reading passes; ``max_ulp_finite`` is the largest distance
  over the finite results;
* ``undecided``: inputs left out because :func:`actfn.reference` could not decide the
  rounding of the exact value (set by the caller).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = ["ordinal", "partial", "merge", "finish", "WORST", "fmt"]

#: How many worst inputs a record keeps.
WORST = 5
_EXACT_BINS = 1024
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def ordinal(a: np.ndarray) -> np.ndarray:
    """Ordered integer index of each float (int64; nan gives an arbitrary value)."""
    size = a.dtype.itemsize
    bits = a.view(_UINT[size]).astype(np.uint64)
    sign = np.uint64(1) << np.uint64(8 * size - 1)
    mag = (bits & (sign - np.uint64(1))).astype(np.int64)
    return np.where(bits & sign, -mag, mag)


def fmt(v: Any) -> float | str:
    """A float for JSON: finite values as floats, the others (and −0) as strings."""
    f = float(v)
    if math.isfinite(f) and not (f == 0 and math.copysign(1, f) < 0):
        return f
    return repr(f)


def _finfo(dt: np.dtype) -> Any:
    import ml_dtypes

    return ml_dtypes.finfo(dt)


def partial(x: np.ndarray, got: np.ndarray, ref: np.ndarray, ref_zero: tuple[float, float]
            ) -> dict[str, Any]:
    """Statistics of ``got`` against ``ref`` (same dtype as ``x``) at inputs ``x``.

    ``ref_zero`` is the exact value at (+0, −0), for the flushed-subnormal count."""
    dt = x.dtype
    fi = _finfo(dt)
    tiny = float(fi.smallest_normal)
    with np.errstate(all="ignore"):
        g64, r64, x64 = (a.astype(np.float64) for a in (got, ref, x))
        gnan, rnan = np.isnan(g64), np.isnan(r64)
        rfin = np.isfinite(r64)
        nonfinite = rfin & ~np.isfinite(g64)
        nan_lost = rnan & ~gnan
        both = (gnan & rnan) | (~gnan & ~rnan & ~nonfinite)
        ulp = np.abs(ordinal(got) - ordinal(ref))
        ulp = np.where(gnan & rnan, 0, ulp)
        ulp_c = ulp[both]
        m = np.maximum(np.abs(r64), 1.0)
        spacing = np.exp2(np.floor(np.log2(m)) - fi.nmant)
        mixed = np.where(both & ~rnan & np.isfinite(g64) & rfin, np.abs(g64 - r64) / spacing, 0.0)
        sub_x = (x64 != 0) & (np.abs(x64) < tiny)
        zero_val = np.where(np.signbit(x64), ref_zero[1], ref_zero[0])
        flushed = sub_x & (g64 == zero_val) & (r64 != g64)
        flushed |= (r64 != 0) & (np.abs(r64) < tiny) & (g64 == 0)
    small = ulp_c[ulp_c < _EXACT_BINS]
    hist: dict[int, int] = {}
    vals, counts = np.unique(small, return_counts=True)
    hist.update({int(v): int(c) for v, c in zip(vals, counts, strict=True)})
    big = ulp_c[ulp_c >= _EXACT_BINS]
    if big.size:
        b = (1 << np.floor(np.log2(big.astype(np.float64))).astype(np.int64))
        vals, counts = np.unique(b, return_counts=True)
        for v, c in zip(vals, counts, strict=True):
            hist[int(v)] = hist.get(int(v), 0) + int(c)
    # nan where the exact value is nan but got a number (nan_lost) is counted, and shown
    # among the specials; it does not crowd out the worst finite errors here
    rank = np.where(both & ~gnan, ulp, -1)
    k = min(WORST, rank.size)
    idx = np.argsort(-rank, kind="stable")[:k]
    worst = [[int(rank[i]), fmt(x[i]), fmt(got[i]), fmt(ref[i])] for i in idx if rank[i] > 0]
    nf_idx = np.flatnonzero(nonfinite)[:WORST]
    nf_worst = [[fmt(x[i]), fmt(got[i]), fmt(ref[i])] for i in nf_idx]
    return {
        "points": int(x.size), "compared": int(both.sum()),
        "max_ulp": int(ulp_c.max()) if ulp_c.size else 0,
        "max_mixed": float(mixed.max()) if mixed.size else 0.0,
        "nonfinite": int(nonfinite.sum()), "nan_lost": int(nan_lost.sum()),
        "flushed": int(flushed.sum()),
        "hist": [[v, c] for v, c in sorted(hist.items())],
        "worst": worst, "nonfinite_worst": nf_worst,
    }


def merge(parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One partial from several (chunks of the same function)."""
    out: dict[str, Any] = {"points": 0, "compared": 0, "max_ulp": 0, "max_mixed": 0.0,
                           "nonfinite": 0, "nan_lost": 0, "flushed": 0, "undecided": 0,
                           "hist": [], "worst": [], "nonfinite_worst": []}
    hist: dict[int, int] = {}
    worst: list[list[Any]] = []
    nf_worst: list[list[Any]] = []
    for p in parts:
        for k in ("points", "compared", "nonfinite", "nan_lost", "flushed", "undecided"):
            out[k] += int(p.get(k, 0))
        out["max_ulp"] = max(out["max_ulp"], int(p["max_ulp"]))
        out["max_mixed"] = max(out["max_mixed"], float(p["max_mixed"]))
        for v, c in p["hist"]:
            hist[int(v)] = hist.get(int(v), 0) + int(c)
        worst += [list(w) for w in p["worst"]]
        nf_worst += [list(w) for w in p.get("nonfinite_worst", [])]
    out["hist"] = [[v, c] for v, c in sorted(hist.items())]
    out["worst"] = sorted(worst, key=lambda w: -w[0])[:WORST]
    out["nonfinite_worst"] = nf_worst[:WORST]
    return out


def percentile(hist: list[list[int]], total: int, q: float) -> int:
    """The ``q``-quantile (0 < q ≤ 1) of the ulp histogram (a bin's lower bound above
    1024 ulp)."""
    if total <= 0:
        return 0
    return _nth(hist, math.ceil(q * total))


def _nth(hist: list[list[int]], need: int) -> int:
    """The ``need``-th smallest ulp distance (1-based) in the histogram."""
    if need <= 0:
        return 0
    acc = 0
    for v, c in hist:
        acc += c
        if acc >= need:
            return int(v)
    return int(hist[-1][0]) if hist else 0


def finish(p: Mapping[str, Any]) -> dict[str, Any]:
    """The report's numbers from a (merged) partial.

    A non-finite result where the exact value is finite is an infinite error:
    ``max_ulp = max_mixed = inf`` (the string ``"inf"`` in JSON), and ``p999_ulp = inf``
    when those results are more than 0.1 % of the graded inputs; ``max_ulp_finite`` is
    the largest distance over the finite results."""
    nonfinite = int(p["nonfinite"])
    graded = p["compared"] + nonfinite
    need = math.ceil(0.999 * graded)
    p999: float = math.inf if need > p["compared"] else _nth(p["hist"], need)
    return {
        "points": p["points"] + p.get("undecided", 0), "compared": p["compared"],
        "undecided": p.get("undecided", 0),
        "max_ulp": math.inf if nonfinite else p["max_ulp"],
        "max_ulp_finite": p["max_ulp"],
        "p999_ulp": p999,
        "max_mixed": math.inf if nonfinite else p["max_mixed"],
        "nonfinite": nonfinite, "nan_lost": p["nan_lost"],
        "flushed": p["flushed"],
        "worst_x": [w[1] for w in p["worst"]],
        "worst": [{"x": w[1], "got": w[2], "exact": w[3], "ulp": w[0]} for w in p["worst"]],
        "nonfinite_worst": [{"x": w[0], "got": w[1], "exact": w[2]}
                            for w in p.get("nonfinite_worst", [])],
    }
