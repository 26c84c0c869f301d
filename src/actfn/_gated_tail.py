r"""Far-negative gates in float64: a⁽ᵏ⁾(gate)·b(up) where a⁽ᵏ⁾(gate) underflows and the
product does not.

For swiglu's gate a(x) = x·σ(βx) with z = βx ≪ 0, σ(z) = e^z/(1 + e^z) = e^z·(1 + O(e^z)),
so (to a relative O(e^z) < 2⁻⁸⁰⁰ below z = −600)

.. math::

    a(x) = x\,e^z, \qquad a'(x) = (1 + z)\,e^z, \qquad a''(x) = \beta\,(2 + z)\,e^z,
    \qquad \partial a/\partial\beta = x^2\,e^z .

Each is F·e^z for a factor F that a spec's ``gate_tail`` hook gives as a double-double
(with z + z_lo). Below z ≈ −745 e^z, and a⁽ᵏ⁾ with it, rounds to 0 in float64 (and XLA,
which flushes subnormals, loses it from z ≈ −708), yet a⁽ᵏ⁾(gate)·up is representable
for |up| up to 1.8e308 while z > ≈ −1465 (swiglu(−1000, 1e308) ≈ −5.1e−129).
:func:`scaled_product` computes F·e^z·B without an intermediate out of the normal range:
e^z = 2ⁿ·e^r (|r| ≤ ln2/2, Cody–Waite), F = m_F·2^{e_F}, B = m_B·2^{e_B} with
1 ≤ |m| < 2 (exact power-of-two scalings selected by ``where``: no frexp/ldexp, so NumPy,
PyTorch, JAX and TensorFlow all run it), the mantissa product m_F·m_B·e^r (∈ [0.7, 5.7])
in double-double rounded once, then scaled by 2^{n + e_F + e_B} in two exact-or-final
steps: within 2 ulp of the exact value (the exponential's ~½ ulp counted twice at worst),
and ±0 only where the exact value rounds to ±0.

Infinite B (up = ±inf): a⁽ᵏ⁾(gate) rounded to float64 times B, IEEE: NaN where
|F·e^z| < 2⁻¹⁰⁷⁵ (a⁽ᵏ⁾ rounds to ±0: (−0)·inf), else ±inf — decided from the scaled
value, so backends that flush subnormals agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .kernels.dd import two_prod, two_sum
from .kernels.df32 import opaque, precise_exp

__all__ = ["TAIL_BELOW", "TAIL_ABOVE", "normalize", "pow2", "scaled_product", "tail_mask",
           "tail_values"]

#: The tail is TAIL_ABOVE < z < TAIL_BELOW (z = β·gate): above −600 a⁽ᵏ⁾ is far from
#: subnormal; below −1700 F·e^z·B underflows for every F of the hooks and |B| < 2¹⁰²⁴.
TAIL_BELOW, TAIL_ABOVE = -600.0, -1700.0

# fdlibm's Cody–Waite split of ln 2 (ln2_hi has 21 trailing zero bits: n·ln2_hi exact)
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_ROUND = 6755399441055744.0  # 1.5·2⁵²: t + _ROUND − _ROUND rounds t to an integer
_STEPS = (512, 256, 128, 64, 32, 16, 8, 4, 2, 1)


def normalize(v: Any, xp: Any) -> tuple[Any, Any]:
    """(m, e) with v = m·2^e exactly and 1 ≤ |m| < 2 (e an integer-valued float);
    0, ±inf and NaN give (v, 0). Subnormals included (where the backend keeps them)."""
    m, e = v, xp.zeros_like(v)
    ok = xp.isfinite(v) & (v != 0)
    for k in _STEPS:
        c = ok & (xp.abs(m) >= 2.0 ** k)
        m, e = xp.where(c, m * 2.0 ** -k, m), xp.where(c, e + k, e)
    for k in (512, *_STEPS):  # up to 2¹⁰⁷⁴: the smallest subnormal
        c = ok & (xp.abs(m) < 2.0 ** (1 - k))
        m, e = xp.where(c, m * 2.0 ** k, m), xp.where(c, e - k, e)
    return m, e


def pow2(e: Any, xp: Any) -> Any:
    """2^e for an integer-valued float array e with |e| ≤ 1020 (a normal number)."""
    a, p = xp.abs(e), xp.ones_like(e)
    for k in _STEPS:
        c = a >= k
        p, a = xp.where(c, p * 2.0 ** k, p), xp.where(c, a - k, a)
    return xp.where(e < 0, 1.0 / p, p)


def _clip(v: Any, lo: float, hi: float, xp: Any) -> Any:
    return xp.where(v < lo, xp.full_like(v, lo), xp.where(v > hi, xp.full_like(v, hi), v))


def _exp_parts(z: Any, zl: Any, xp: Any) -> tuple[Any, Any, Any]:
    """(n, e^r, r_lo) with e^{z + zl} = 2ⁿ·e^r·(1 + r_lo), |r| ≤ ln2/2 (Cody–Waite)."""
    n = opaque(z * _INV_LN2 + _ROUND) - _ROUND
    rh = z - n * _LN2_HI  # exact
    # n·ln2_lo reaches 4e−7: e^r·(1 + r_lo) needs r_lo of the size of an ulp of r
    r, rl = two_sum(rh, zl - n * _LN2_LO)
    return n, precise_exp(r, xp).exp(r), rl


def _coarse(v: Any, xp: Any) -> tuple[Any, Any]:
    """(m, e) with v = m·2^e exactly and 2⁻¹²⁸ ≤ |m| < 2¹²⁸ (0, ±inf, NaN: (v, 0)):
    seven exact scalings instead of :func:`normalize`'s twenty-one."""
    m, e = v, xp.zeros_like(v)
    ok = xp.isfinite(v) & (v != 0)
    for k in (512, 256, 128):
        c = ok & (xp.abs(m) >= 2.0 ** k)
        m, e = xp.where(c, m * 2.0 ** -k, m), xp.where(c, e + k, e)
    for k in (512, 512, 256, 128):
        c = ok & (xp.abs(m) < 2.0 ** -k)
        m, e = xp.where(c, m * 2.0 ** k, m), xp.where(c, e - k, e)
    return m, e


def _b_parts(b: Any, bl: Any, n: Any, xp: Any, unit: bool) -> tuple[Any, ...]:
    """(m_B, bl/b, 2^{e₁}, 2^{e₂}) for B = b + bl = m_B·2^{e_B}(1 + bl/b) and
    e₁ + e₂ = n + e_B split for :func:`_combine` (``unit``: b is 0 or 1, m_B = b)."""
    if unit:
        mb, eb, brel = b, xp.zeros_like(b), xp.zeros_like(b)
    else:
        bs = xp.where(xp.isfinite(b) & (b != 0), b, xp.ones_like(b))
        mb, eb = _coarse(bs, xp)
        brel = bl / bs
    e = n + eb
    e1 = _clip(e, -790.0, 760.0, xp)
    e2 = _clip(e - e1, -600.0, 600.0, xp)
    return mb, brel, pow2(e1, xp), pow2(e2, xp)


def _combine(n: Any, er: Any, rl: Any, f: Any, fl: Any, b: Any, bparts: tuple[Any, ...],
             xp: Any) -> Any:
    """F·2ⁿ·e^r·(1 + r_lo)·B rounded once (:func:`scaled_product`), B in ``bparts``.

    F (2⁻⁹⁴ ≤ |F| ≤ 2¹²⁸ for the hooks: x, 1 + z, β(2 + z), x² with 10⁻¹⁶ ≤ β ≤ 10¹⁶
    and 600 ≤ |z| ≤ 1700) is not normalized: P = F·e^r·m_B (in double-double, rounded
    once) lies within 2^±257 and is scaled by 2^{n + e_B} in two steps, an exact one
    (2^{e₁}, −790 ≤ e₁ ≤ 760: P·2^{e₁} stays normal) and the final one (|e₂| ≤ 600: the
    one rounding where the result is subnormal; beyond, the result is 0 or inf)."""
    mb, brel, s1, s2 = bparts
    p, pe = two_prod(f, er, xp)
    q, qe = two_prod(p, mb, xp)
    prod = q + (qe + (pe * mb + q * (rl + fl / f + brel)))
    y = (prod * s1) * s2
    # b = ±inf: NaN where |F·e^z| < 2⁻¹⁰⁷⁵ (a⁽ᵏ⁾ rounds to ±0), else sign(F)·b
    under = xp.log1p(xp.abs(p) - 1.0) * _INV_LN2 + n < -1075.0
    inf = xp.where(under, xp.full_like(y, float("nan")), xp.where(f < 0, -b, b))
    y = xp.where(xp.isinf(b), inf, y)
    y = xp.where(b == 0, f * b, y)  # the signed zero
    return xp.where(xp.isnan(b), b, y)


def scaled_product(z: Any, zl: Any, f: Any, fl: Any, b: Any, bl: Any, xp: Any) -> Any:
    """(f + fl)·e^{z + zl}·(b + bl) rounded once (module docstring), for float64 arrays
    with −1700 < z ≤ −600, f finite with 2⁻⁹⁴ ≤ |f| ≤ 2¹²⁸; b may be ±0 (the signed
    zero of f·b), ±inf (the rule of the module docstring) or NaN (NaN)."""
    n, er, rl = _exp_parts(z, zl, xp)
    return _combine(n, er, rl, f, fl, b, _b_parts(b, bl, n, xp, False), xp)


def tail_mask(z: Any, x: Any, xp: Any) -> Any:
    """Where ``x`` (finite) has its z = β·x in the tail (:data:`TAIL_ABOVE`, :data:`TAIL_BELOW`)."""
    return xp.isfinite(x) & (z < TAIL_BELOW) & (z > TAIL_ABOVE)


def tail_values(hook: Callable[..., Any], x: Any, b: Any, bl: Any, orders: tuple[Any, ...],
                xp: Any, params: dict[str, Any], lazy: bool = False,
                unit: tuple[Any, tuple[Any, ...]] | None = None,
                ) -> tuple[Any, dict[Any, Any] | None, dict[Any, Any]]:
    """(mask, {k: a⁽ᵏ⁾(x)·(b + bl)}, {k: a⁽ᵏ⁾(x)·b₁}) for the requested ``orders`` (0, 1,
    2 or a gate parameter's name: ∂a/∂p) from a spec's ``gate_tail`` hook
    ``hook(x, xp, k, **params) -> (z, z_lo, F, F_lo)``, and for ``unit = (b₁, orders₁)``
    with b₁ 0 or 1 (a clamp's inside indicator); values outside the mask are 0 (finite:
    safe under ``where`` in autodiff). ``x``, ``b`` broadcast together. ``lazy`` (eager
    NumPy, PyTorch): None instead of the values when no element is in the tail."""
    z0 = hook(x, xp, 0, **params)[0]
    mask = tail_mask(z0, x, xp)
    if lazy and not bool(xp.any(mask)):
        return mask, None, {}
    mask = mask & (b == b)  # broadcast against b
    # outside the tail a harmless point in it: the x with z = −650 (z is linear in x)
    xb = x + xp.zeros_like(b)  # (b may be ±inf: not 0·b)
    safe_x = xp.where(mask, xb, xp.full_like(xb, _point(hook, params)))
    z, zl = hook(safe_x, xp, 0, **params)[:2]
    n, er, rl = _exp_parts(z, zl, xp)
    groups = [(b, bl, orders, False)]
    if unit is not None:
        groups.append((unit[0], xp.zeros_like(unit[0]), unit[1], True))
    outs: list[dict[Any, Any]] = []
    for bb, bbl, ks, is_unit in groups:
        bb = bb + 0.0 * z
        parts = _b_parts(bb, bbl + 0.0 * z, n, xp, is_unit)
        out = {}
        for k in ks:
            f, fl = hook(safe_x, xp, k, **params)[2:]
            v = _combine(n, er, rl, f, fl, bb, parts, xp)
            out[k] = xp.where(mask, v, xp.zeros_like(v))
        outs.append(out)
    return mask, outs[0], outs[1] if unit is not None else {}


def _point(hook: Callable[..., Any], params: dict[str, Any]) -> float:
    """A gate value whose z is −650 (z = β·x: the hook's slope read off at x = −1)."""
    import numpy as np

    z1 = float(hook(np.array([-1.0]), np, 0, **params)[0][0])
    return 650.0 / z1  # z1 < 0
