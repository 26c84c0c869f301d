"""softsign: x / (1 + |x|): a tanh-like curve with polynomial (not exponential) tails."""

from __future__ import annotations

from .._exact import Exact
from .._registry import Equivalent, Properties, Prose, Spec

__all__ = ["SPEC"]


# -- softsign ------------------------------------------------------------------
def _softsign(x, xp):
    return xp.where(xp.isinf(x), xp.sign(x), x / (1.0 + xp.abs(x)))


def _softsign_d(x, xp):
    r = 1.0 / (1.0 + xp.abs(x))  # (1+|x|)^-k as powers of r: (1+|x|)^k would overflow
    return r * r


def _softsign_d2(x, xp):
    r = 1.0 / (1.0 + xp.abs(x))
    return (-2.0 * xp.sign(x)) * (r * r * r)


SPEC = Spec(
    name="softsign",
    aliases=("soft_sign",),
    family="tanh",
    summary="x / (1 + |x|): a tanh-like curve with polynomial (not exponential) tails.",
    f=_softsign,
    df=_softsign_d,
    d2f=_softsign_d2,
    kinks=lambda p: (0.0,),
    kink_convention="f''(0) = 0 (f'' jumps from 2 to -2 at 0; sign(0) = 0)",
    latex={
        "f": r"\frac{x}{1 + |x|}",
        "df": r"\frac{1}{(1 + |x|)^2}",
        "d2f": r"-\frac{2\,\operatorname{sign}(x)}{(1 + |x|)^3}",
    },
    reference="Bergstra et al. (2009); Glorot & Bengio (2010)",
    exact=Exact(
        f=lambda x, m: x / (1 + abs(x)),
        df=lambda x, m: 1 / (1 + abs(x)) ** 2,
        d2f=lambda x, m: -2 * m.sign(x) / (1 + abs(x)) ** 3,
    ),
    info={
        "properties": Properties(
            range=(-1.0, 1.0), smoothness=1, saturates=("-", "+"), zero_centred=True
        ),
        "frameworks": (
            Equivalent("PyTorch", "torch.nn.functional.softsign(x)", "torch.nn.Softsign()",
                       "none", kink_grad=(1.0,)),
            Equivalent("Keras", "keras.activations.softsign(x)",
                       'keras.layers.Activation("softsign")', "none"),
            Equivalent("JAX", "jax.nn.soft_sign(x)", "", "none", kink_grad=(1.0,)),
        ),
        "en": Prose(
            strengths=(
                "Tanh-like but with polynomial tails: it saturates more slowly, so "
                "gradients vanish later.",
                "No exponential.",
            ),
            weaknesses=(
                "Still saturates on both sides.",
                "f″ jumps at 0, so it is only C¹.",
            ),
            use="A cheap tanh substitute, occasionally in recurrent networks.",
        ),
        "zh": Prose(
            strengths=(
                "形状像 tanh,但尾部是多项式衰减:饱和更慢,梯度消失来得更晚。",
                "无需指数。",
            ),
            weaknesses=(
                "两侧仍会饱和。",
                "二阶导数在 0 处跳变,只是 C¹。",
            ),
            use="tanh 的廉价替代,偶尔用于循环网络。",
        ),
    },
)
