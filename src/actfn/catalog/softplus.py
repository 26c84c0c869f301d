"""softplus: Smooth ReLU (1/β)·log(1 + exp(βx)), computed exactly with no threshold."""

from __future__ import annotations

from .._exact import Exact, dsigmoid, sigmoid
from .._registry import Float32Kernels, Param, Spec
from ..kernels.dd import two_prod, two_sum
from ..kernels.df32 import (
    Float32Context,
    compensated,
    const_operand,
    tail_scaling,
)
from ..kernels.elementary import clip, is_f64
from ..kernels.fast32 import sigmoid32, softplus32
from ..kernels.sigmoid import (
    BETA_MAX,
    BETA_MIN,
    BETA_WHY,
    exp_neg_abs,
    scaled_dsigmoid,
    sigmoid_parts,
)
from ..kernels.swish import silu_arg

__all__ = ["SPEC"]


# -- softplus --------------------------------------------------------------------------
# (1/β)·log(1 + exp(βx)) = max(x, 0) + log1p(exp(-|βx|))/β, exact everywhere: no linear
# switch-over at a threshold (PyTorch returns x itself once βx > 20).
def _softplus_arg(x, xp, beta):
    """βx as z + ze (x clipped to ±800/β): silu's argument, whose β is a float32 pair in
    float32 arithmetic (β rounded to float32 put up to 64 ulp into f at β = 1e-3, since
    the exponential turns the relative error of βx into |βx| times as many ulps)."""
    _, z, ze = silu_arg(x, xp, beta)
    return z, ze


#: Above this |βx|, log1p(e) = e·(1 - e/2) to 2⁻⁸⁸ relative (e = e^{-|βx|} < 1e-13).
_SERIES_FROM = 30.0


def _log1p_exp_over_beta(z, ze, xp, beta):
    """log1p(e^{-|z + z_lo|})/β for |z| ≥ 30 in float64, to one final rounding plus the
    exponential's own: with e·k = exp(s) (s = -|z| + ln k exactly as s + s_err in the
    tail |z| > 600, k = 2**128; k = 1 elsewhere),

        log1p(e)/β = (e·k/β)·(1 + c)/k,   c = s_err + lo(ln k) - sign(z)·z_lo - e/2,

    and the quotient q = e·k/β is corrected by its exact remainder r = e·k - q·β
    (two_prod). Taking exp, log1p and the division as three rounded steps (and βx
    rounded) put 3 ulp into about one input in 4,000 of -745 < βx < -30."""
    ts = tail_scaling(z, xp)
    a = xp.abs(z)
    tail = a > -ts.below
    s, serr = two_sum(-a, ts.ln_k[0])
    es = xp.exp(xp.where(tail, s, -a))
    inv_k = xp.where(tail, ts.inv_k, 1.0 + 0.0 * a)
    c = xp.where(tail, serr + ts.ln_k[1], 0.0 * a) - 0.5 * (es * inv_k)
    if ze is not None:
        c = c - xp.sign(z) * ze
    q = es / beta
    p, pe = two_prod(q, xp.full_like(q, beta), xp)
    return (q + (((es - p) - pe) / beta + q * c)) * inv_k


def _log1p_exp_over_beta_body(z, ze, xp, beta):
    """log1p(e^{-|z + z_lo|})/β for |z| < 30 in float64: L = log1p(e^{-|z|}) rounded, then
    (L - sign(z)·z_lo·e/(1 + e))/β as q = L/β plus one correction with q's exact
    remainder (exp, the product by 1 - sign(z)·z_lo, log1p and the division rounded in
    turn reached 3 ulp at β = 37, 1.1, 1e10, 0.37 for -30 < βx < 0)."""
    e = xp.exp(-xp.abs(z))
    lg = xp.log1p(e)
    q = lg / beta
    p, pe = two_prod(q, xp.full_like(q, beta), xp)
    r = (lg - p) - pe
    if ze is not None:
        r = r - xp.sign(z) * ze * (e / (1.0 + e))
    return q + r / beta


def _softplus(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    # float64: NumPy, compiled, and JAX x64 (two_prod's product is opaque there, so XLA
    # cannot contract the remainder steps; XLA's own float64 log1p still leaves about one
    # input in 10⁴ of |βx| < 30 at 3 ulp under x64)
    if is_f64(z, xp) and compensated(z, xp):
        lp = xp.where(xp.abs(z) >= _SERIES_FROM, _log1p_exp_over_beta(z, ze, xp, beta),
                      _log1p_exp_over_beta_body(z, ze, xp, beta))
        return xp.where(x > 0, x + lp, lp)
    lp = xp.log1p(exp_neg_abs(z, xp, ze)) / beta
    ts = tail_scaling(z, xp)
    if ts is not None:
        # Tail |βx| > 600 (float64; 40 in float32): log1p(e) = e, and e is taken scaled by
        # k = 2**128 (2**64) so that dividing by a β < 1 does not magnify the rounding of
        # a subnormal e.
        s, serr = two_sum(-xp.abs(z), const_operand(ts.ln_k[0], z, xp))
        es = xp.exp(s) * (1.0 + (serr + ts.ln_k[1]))
        if ze is not None:
            es = es - es * (xp.sign(z) * ze)
        lp = xp.where(xp.abs(z) > -ts.below, (es / beta) * ts.inv_k, lp)
    return xp.where(x > 0, x + lp, lp)


def _softplus_d(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    return sigmoid_parts(z, xp, ze)[0]


def _softplus_d2(x, xp, *, beta):
    z, ze = _softplus_arg(x, xp, beta)
    # β·σ'(z) with σ' scaled by 2**128 in the tail: one rounding for subnormal results.
    ds, inv_k = scaled_dsigmoid(z, xp, ze)
    return (ds * beta) * inv_k


# ∂f/∂β = (x·σ(βx) - f)/β = -(|x|·σ(-|βx|) + log1p(exp(-|βx|))/β)/β: both terms have
# the same sign, so nothing cancels. ∂f'/∂β = x·σ'(βx).
def _softplus_dbeta(x, xp, *, beta):
    xc = clip(x, xp, -800.0 / beta, 800.0 / beta)
    z, ze = _softplus_arg(x, xp, beta)
    e = exp_neg_abs(z, xp, ze)
    return -(xp.abs(xc) * (e / (1.0 + e)) + xp.log1p(e) / beta) / beta


def _softplus_dbeta_df(x, xp, *, beta):
    xc = clip(x, xp, -800.0 / beta, 800.0 / beta)
    z, ze = _softplus_arg(x, xp, beta)
    return xc * sigmoid_parts(z, xp, ze)[2]


# -- float32 without x64 (actfn.jax): β = 1 from kernels.fast32 (one XLA exp, and a log for
# f); other β round βx, whose error the exponential amplifies: the compensated kernels.
def _softplus_f32(x, xp, *, beta):
    if beta == 1.0:
        return softplus32(x, xp)
    return _softplus(x, Float32Context(xp), beta=beta)


def _softplus_d_f32(x, xp, *, beta):
    if beta == 1.0:
        return sigmoid32(x, xp)
    return _softplus_d(x, Float32Context(xp), beta=beta)


SPEC = Spec(
    name="softplus",
    family="softplus",
    summary="Smooth ReLU (1/β)·log(1 + exp(βx)), computed exactly with no threshold.",
    f=_softplus,
    df=_softplus_d,
    d2f=_softplus_d2,
    f32=Float32Kernels(f=_softplus_f32, df=_softplus_d_f32),
    params=(Param("beta", 1.0, "sharpness β (β → ∞ gives ReLU)", lower=BETA_MIN,
                  upper=BETA_MAX, lower_inclusive=True, upper_inclusive=True,
                  learnable=True, why=BETA_WHY),),
    latex={
        "f": r"\frac{1}{\beta}\log\bigl(1 + e^{\beta x}\bigr)",
        "df": r"\sigma(\beta x)",
        "d2f": r"\beta\,\sigma(\beta x)\bigl(1 - \sigma(\beta x)\bigr)",
    },
    reference="Dugas et al., Incorporating Second-Order Functional Knowledge (2001)",
    dparams={"beta": _softplus_dbeta},
    dparams_df={"beta": _softplus_dbeta_df},
    cases=({"beta": 2.0},),
    exact=Exact(
        f=lambda x, m, *, beta: m.log1p(m.exp(beta * x)) / beta,
        df=lambda x, m, *, beta: sigmoid(beta * x, m),
        d2f=lambda x, m, *, beta: beta * dsigmoid(beta * x, m),
    ),
)
