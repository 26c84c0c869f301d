"""hardswish: Piecewise-quadratic swish: x·relu6(x + 3)/6."""

from __future__ import annotations

from .._exact import Exact
from .._registry import INF, Equivalent, Properties, Prose, Spec

__all__ = ["SPEC"]


# -- hardswish ---------------------------------------------------------------------------
# x·relu6(x + 3)/6. PyTorch's backward (and JAX's autodiff): 0 for x ≤ -3, x/3 + 1/2 for
# -3 < x < 3, 1 for x ≥ 3.
def _hardswish(x, xp):
    return xp.where(x <= -3.0, -0.0, xp.where(x >= 3.0, x, x * (x + 3.0) / 6.0))


def _hardswish_d(x, xp):
    return xp.where(x <= -3.0, 0.0, xp.where(x < 3.0, (2.0 * x + 3.0) / 6.0, 1.0))


def _hardswish_d2(x, xp):
    return xp.where((x > -3.0) & (x < 3.0), 1.0 / 3.0, xp.zeros_like(x))


SPEC = Spec(
    name="hardswish",
    aliases=("hard_swish", "hard_silu", "hardsilu"),
    family="gated",
    summary="Piecewise-quadratic swish: x·relu6(x + 3)/6.",
    f=_hardswish,
    df=_hardswish_d,
    d2f=_hardswish_d2,
    kinks=lambda p: (-3.0, 3.0),
    kink_convention="f'(-3) = 0 and f'(3) = 1 (PyTorch autograd and JAX: the quadratic "
    "piece is the open interval); f''(±3) = 0",
    latex={
        "f": r"\begin{cases} 0 & x \le -3 \\ x(x+3)/6 & -3 < x < 3 \\ x & x \ge 3 \end{cases}",
        "df": r"\begin{cases} 0 & x \le -3 \\ x/3 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}",
        "d2f": r"\begin{cases} 1/3 & -3 < x < 3 \\ 0 & \text{otherwise} \end{cases}",
    },
    reference="Howard et al., Searching for MobileNetV3 (2019)",
    exact=Exact(
        f=lambda x, m: m.mpf(0) if x <= -3 else (x if x >= 3 else x * (x + 3) / 6),
        df=lambda x, m: m.mpf(0) if x <= -3 else (x / 3 + m.mpf(1) / 2 if x < 3 else m.mpf(1)),
        d2f=lambda x, m: m.mpf(1) / 3 if -3 < x < 3 else m.mpf(0),
    ),
    info={
        "properties": Properties(
            range=(-0.375, INF), attained=(True, False), monotone=False, smoothness=0,
            saturates=("-",), sparse=True, range_text="[-3/8, ∞) (minimum at x = -1.5)",
        ),
        "frameworks": (
            Equivalent("PyTorch", "torch.nn.functional.hardswish(x)", "torch.nn.Hardswish()",
                       "none", "Autograd gives 0 at x = -3 and 1 at x = 3.",
                       kink_grad=(0.0, 1.0)),
            Equivalent("Keras", "keras.activations.hard_silu(x)",
                       'keras.layers.Activation("hard_silu")', "none",
                       "keras.activations.hard_swish is an alias."),
            Equivalent("JAX", "jax.nn.hard_silu(x)", "", "none",
                       "jax.nn.hard_swish is an alias.", kink_grad=(0.0, 1.0)),
        ),
        "en": Prose(
            strengths=(
                "Piecewise polynomial: no exponential, fast on mobile hardware and in int8.",
                "Close to SiLU in shape.",
            ),
            weaknesses=(
                "The derivative jumps at ±3, so f is only C⁰.",
                "Not monotone (minimum −3/8 at x = −1.5).",
            ),
            use="MobileNetV3 and other mobile architectures.",
        ),
        "zh": Prose(
            strengths=(
                "分段多项式,无需指数,在移动端硬件和 int8 中很快。",
                "形状接近 SiLU。",
            ),
            weaknesses=(
                "导数在 ±3 处跳变,函数只是 C⁰。",
                "不单调(最小值 −3/8,位于 x = −1.5)。",
            ),
            use="MobileNetV3 等移动端网络。",
        ),
    },
)
