"""gelu_sigmoid: Sigmoid approximation of GELU: x·σ(1.702x)."""

from __future__ import annotations

from .._exact import swish_family
from .._registry import INF, Equivalent, Properties, Prose, Spec
from ..kernels.swish import silu, silu_d, silu_d2, silu_fd

__all__ = ["SPEC"]


#: 1.702 as a double-double: the decimal constant of the definition, not its double.
_QUICK = dict(beta=1.702, beta_lo=4.263256414560601e-17)


SPEC = Spec(
    name="gelu_sigmoid",
    aliases=("quick_gelu",),
    family="gelu",
    summary="Sigmoid approximation of GELU: x·σ(1.702x).",
    f=lambda x, xp: silu(x, xp, **_QUICK),
    df=lambda x, xp: silu_d(x, xp, **_QUICK),
    d2f=lambda x, xp: silu_d2(x, xp, **_QUICK),
    f_df=lambda x, xp: silu_fd(x, xp, **_QUICK),
    latex={
        "f": r"x\,\sigma(1.702\,x)",
        "df": r"\sigma(1.702x) + 1.702\,x\,\sigma'(1.702x)",
        "d2f": r"1.702\,\sigma'(1.702x)\,\bigl(2 + 1.702x\,(1 - 2\sigma(1.702x))\bigr)",
    },
    reference="Hendrycks & Gimpel (2016), section 2; used as QuickGELU in CLIP",
    exact=swish_family(lambda p, m: m.mpf("1.702")),
    info={
        "properties": Properties(
            range=(-0.1636101896363536, INF), attained=(True, False), monotone=False,
            saturates=("-",), range_text="[-0.16361…, ∞) (minimum at x ≈ -0.7512)",
        ),
        "frameworks": (
            Equivalent("PyTorch", "x * torch.sigmoid(1.702 * x)", "", "none",
                       "No built-in; CLIP calls this module QuickGELU."),
            Equivalent("Keras", "x * keras.activations.sigmoid(1.702 * x)", "", "none",
                       "No built-in."),
            Equivalent("JAX", "x * jax.nn.sigmoid(1.702 * x)", "", "none", "No built-in."),
        ),
        "en": Prose(
            strengths=(
                "One exponential instead of erf: a cheaper GELU.",
                "Smooth, like GELU.",
            ),
            weaknesses=(
                "Differs from exact GELU by up to about 0.02.",
                "Not monotone.",
            ),
            use="Models trained with QuickGELU (OpenAI CLIP) must keep it at inference.",
        ),
        "zh": Prose(
            strengths=(
                "只用一次指数代替 erf,是更便宜的 GELU。",
                "与 GELU 一样光滑。",
            ),
            weaknesses=(
                "与精确 GELU 最多相差约 0.02。",
                "不单调。",
            ),
            use="用 QuickGELU 训练的模型(OpenAI CLIP)在推理时也必须使用它。",
        ),
    },
)
