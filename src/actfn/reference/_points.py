"""Test inputs for an activation in a dtype, and the distance in ulps between floats."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._formats import Format, format_of

__all__ = ["points", "ulp_distance", "ordinal", "from_ordinal", "STANDARD_SEED"]

#: Seed of the random part of the standard points (fixed: the set is reproducible).
STANDARD_SEED = 20261201
_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
_INT = {2: np.int32, 4: np.int64, 8: np.int64}


def ordinal(a: np.ndarray) -> np.ndarray:
    """The rank of each float among its dtype's values: ±0 → 0, the smallest positive
    subnormal → 1, …, the largest finite → N, +inf → N + 1 (negatives mirrored), as
    int64 (nan gives the rank of its bit pattern: mask it first)."""
    a = np.asarray(a)
    size = a.dtype.itemsize
    raw = a.view(_UINT[size])
    sign = np.array(1 << (8 * size - 1), dtype=_UINT[size])
    mag = (raw & ~sign).astype(np.int64) if size < 8 else (raw & ~sign).view(np.int64)
    return np.where((raw & sign) != 0, -mag, mag)


def from_ordinal(k: np.ndarray, dtype: Any) -> np.ndarray:
    """The floats of ``dtype`` with ranks ``k`` (inverse of :func:`ordinal`)."""
    fmt = format_of(dtype)
    size = fmt.dtype.itemsize
    k = np.asarray(k, dtype=np.int64)
    mag = np.abs(k).astype(np.uint64)
    raw = np.where(k < 0, mag | np.uint64(1 << (8 * size - 1)), mag).astype(_UINT[size])
    return raw.view(fmt.dtype)


def _neighbours(v: np.ndarray, fmt: Format, k: int) -> np.ndarray:
    """The ``2k + 1`` floats of ``fmt`` around each value of ``v`` (rounded into fmt)."""
    with np.errstate(over="ignore", invalid="ignore"):
        c = np.asarray(v, dtype=np.float64).astype(fmt.dtype)
    c = c[np.isfinite(c.astype(np.float64))]
    o = ordinal(c)
    ks = (o[:, None] + np.arange(-k, k + 1)[None, :]).ravel()
    with np.errstate(invalid="ignore"):
        return from_ordinal(ks, fmt.dtype).astype(np.float64)


def _crossings(fn: Any, grid: np.ndarray, levels: list[float]) -> list[float]:
    """Where ``fn`` (float64) changes sign or |fn| crosses a level along ``grid``,
    refined by 60 bisection steps."""
    with np.errstate(all="ignore"):
        v = np.asarray(fn(grid), dtype=np.float64)
    out: list[float] = []
    tests = [lambda y: np.sign(y)]
    tests += [lambda y, lv=lv: np.sign(np.abs(y) - lv) for lv in levels]
    for t in tests:
        s = t(v)
        idx = np.flatnonzero((s[:-1] != s[1:]) & np.isfinite(s[:-1]) & np.isfinite(s[1:]))
        for i in idx[:64].tolist():
            a, b = float(grid[i]), float(grid[i + 1])
            sa = t(np.array([fn(np.array([a]))[0]]))[0]
            for _ in range(60):
                mid = 0.5 * (a + b)
                if mid in (a, b):
                    break
                with np.errstate(all="ignore"):
                    sm = t(np.asarray(fn(np.array([mid])), dtype=np.float64))[0]
                if sm == sa:
                    a = mid
                else:
                    b = mid
            out += [a, b]
    return out


def _per_channel(act: Any, name: str, params: dict[str, Any]) -> list[Any]:
    """``[act]``, or one activation per value of a per-channel parameter (prelu's
    ``weight=[...]``), whose kinks and thresholds all belong to the test inputs."""
    import actfn

    channel = act._channel_param()
    if channel is None:
        return [act]
    return [actfn.get(name, **{**params, channel: w}) for w in act.params[channel]]


def points(name: str, dtype: Any, kind: str = "standard", **params: Any) -> np.ndarray:
    """Test inputs of activation ``name`` in ``dtype`` (a 1-D array of that dtype).

    ``kind="standard"``: a dense grid on [-10, 10] and [-3, 3]; magnitudes log-spaced
    over the dtype's whole range (smallest subnormal to largest finite); the 8
    neighbours either side of 0, of each kink, of each sign change of f, f', f'' on
    [-20, 20] and of each input where |f|, |f'| or |f''| crosses the dtype's overflow,
    smallest normal, smallest subnormal or half of it (located with actfn's float64
    path); the
    smallest/largest normals and subnormals; seeded random values in [-60, 60] and
    seeded random bit patterns; then ±0, ±inf and nan. Sorted, without duplicates, the
    specials last. ``kind="exhaustive"``: every bit pattern of a 16-bit dtype (float16,
    bfloat16: 65,536 values, nans included); refused for float32 and float64 (use
    ``actfn audit --exhaustive`` for float32). A per-channel parameter (prelu's
    ``weight=[...]``) contributes the special inputs of every channel value.
    """
    import actfn

    fmt = format_of(dtype)
    act = actfn.get(name, **params)
    if kind == "exhaustive":
        if fmt.dtype.itemsize != 2:
            raise ValueError(
                f"points(kind='exhaustive') enumerates 16-bit dtypes only; {fmt.name} has "
                f"2^{8 * fmt.dtype.itemsize} values: use `actfn audit --exhaustive` "
                "(chunked, resumable, distributed) for float32"
            )
        return np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(fmt.dtype)
    if kind != "standard":
        raise ValueError(f"kind must be 'standard' or 'exhaustive', got {kind!r}")
    mx, tiny, small = fmt.max, fmt.tiny, fmt.smallest_normal
    vals = [np.linspace(-10, 10, 2001), np.linspace(-3, 3, 1201) + 1e-4]
    mags = np.exp(np.linspace(np.log(tiny), np.log(mx), 1500))
    vals += [mags, -mags]
    grid = np.concatenate([np.linspace(-20, 20, 8001), -mags[::-1], mags])
    grid = np.unique(grid)
    special_x = [0.0]
    for a in _per_channel(act, name, params):  # one scalar activation per channel value
        special_x += a.kinks()
        for fn in (a, a.derivative, a.second_derivative):
            special_x += _crossings(fn, grid, [mx, small, tiny, tiny / 2])
    vals.append(_neighbours(np.array(special_x), fmt, 8))
    vals.append(_neighbours(np.array([tiny, small, mx, -tiny, -small, -mx]), fmt, 8))
    rng = np.random.default_rng(STANDARD_SEED)
    vals.append(rng.uniform(-60, 60, 500))
    size = fmt.dtype.itemsize
    bits = rng.integers(0, 1 << (8 * size - 1), 1500, dtype=np.uint64)
    with np.errstate(invalid="ignore"):
        rnd = from_ordinal(bits.astype(np.int64) * rng.choice([-1, 1], bits.size),
                           fmt.dtype).astype(np.float64)
    vals.append(rnd)
    with np.errstate(over="ignore", invalid="ignore"):
        arr = np.concatenate(vals).astype(np.float64).astype(fmt.dtype)
    arr = arr[np.isfinite(arr.astype(np.float64))]
    arr = np.unique(arr[arr.astype(np.float64) != 0])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan]).astype(fmt.dtype)
    return np.concatenate([arr, special])


def ulp_distance(got: Any, ref: Any, dtype: Any) -> np.ndarray:
    """How many values of ``dtype`` lie between ``got`` and ``ref`` (elementwise, float64).

    Both are converted to ``dtype`` (exact when they already are of it) and compared by
    rank (:func:`ordinal`), so the unit is the spacing of the dtype at that point: the
    subnormal spacing below the smallest normal, ±0 count as equal, and ±inf count as
    one step beyond ±max (an overflow where the exact value rounds to max is 1 ulp).
    nan against nan is 0; nan against a number, or a number against nan, is ``inf``.
    """
    fmt = format_of(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        g = np.asarray(got).astype(fmt.dtype)
        r = np.asarray(ref).astype(fmt.dtype)
    g, r = np.broadcast_arrays(g, r)
    shape = g.shape
    g, r = np.ascontiguousarray(g).ravel(), np.ascontiguousarray(r).ravel()
    with np.errstate(invalid="ignore"):  # ml_dtypes warns on nan
        gn, rn = np.isnan(g.astype(np.float64)), np.isnan(r.astype(np.float64))
    out = np.abs(ordinal(g) - ordinal(r)).astype(np.float64)
    out[gn != rn] = np.inf
    out[gn & rn] = 0.0
    return out.reshape(shape)
