"""Correctly rounded reference values of the gated units (two inputs).

:func:`gated` evaluates a gated unit's reference formulas (``GatedSpec.exact``, the
composition of its gate's ``Spec.exact``, see :mod:`actfn._gated`) at every pair
(gate, up) exactly as :func:`actfn.reference` does for one input: ball arithmetic
(python-flint) with Ziv's strategy, rounded once to the dtype (mpmath without
python-flint). No float64 pre-pass: every element is decided in ball arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import _ARB_LOCK, _arb_batch, _mp_point, have_flint
from ._formats import format_of

__all__ = ["gated", "GATED_RESULTS"]

#: What :func:`gated` evaluates: f and the partials, as the fields of ``GatedExact``.
GATED_RESULTS = ("f", "dg", "du", "dgg", "dgu", "duu")


def gated(name: str, gate: Any, up: Any, /, *, which: str = "f", dtype: Any = None,
          **params: Any) -> np.ndarray:
    """f (``which="f"``) or a partial derivative (``"dg"`` = ∂f/∂gate, ``"du"``,
    ``"dgg"``, ``"dgu"``, ``"duu"``) of the gated unit ``name`` at every pair of the
    broadcast ``gate`` and ``up``, correctly rounded to ``dtype`` (default: the
    inputs' common float dtype). Inputs must be finite or nan (nan gives nan); the
    clamp convention is the catalog's (:mod:`actfn._gated`).

    >>> import actfn
    >>> float(actfn.reference.gated("swiglu", 1.0, 2.0))  # 2·σ(1), correctly rounded
    1.4621171572600098
    """
    import actfn

    from ..testing import to_numpy

    if which not in GATED_RESULTS:
        raise ValueError(f"which={which!r} is invalid; valid: {', '.join(GATED_RESULTS)}")
    act = actfn.get(name, **params)
    spec = actfn.lookup(name, kind="gated")
    g, u = (to_numpy(v) for v in (gate, up))
    if dtype is None:
        kinds = {g.dtype, u.dtype}
        dtype = max(kinds, key=lambda d: d.itemsize) if len(kinds) > 1 else g.dtype
    fmt = format_of(dtype)
    try:
        gb, ub = np.broadcast_arrays(g.astype(np.float64), u.astype(np.float64))
    except ValueError:
        raise ValueError(f"{spec.name}: gate of shape {g.shape} and up of shape {u.shape} do "
                         "not broadcast together") from None
    if np.isinf(gb).any() or np.isinf(ub).any():
        raise ValueError(f"{spec.name}: actfn.reference.gated takes finite inputs (or nan)")
    fn = getattr(spec.exact, which)
    bound = dict(act.params)
    where = f"{spec.name} {which}"
    out = np.full(gb.shape, np.nan).ravel()
    gf, uf = gb.ravel(), ub.ravel()
    ok = ~(np.isnan(gf) | np.isnan(uf))
    for uv in np.unique(uf[ok]).tolist():  # one batch per value of up
        idx = np.flatnonzero(ok & (uf == uv))

        def at_up(x: Any, m: Any, _u: float = uv, **p: Any) -> Any:
            return fn(x, m.mpf(_u), m, **p)

        xs = gf[idx].tolist()
        if have_flint():
            with _ARB_LOCK:
                got = _arb_batch(at_up, bound, xs, fmt, where)
        else:
            got = [_mp_point(at_up, bound, x, fmt, where) for x in xs]
        out[idx] = got
    with np.errstate(over="ignore"):
        return out.astype(fmt.dtype).reshape(gb.shape)
