"""celu: Continuously differentiable ELU: x for x > 0, alpha·(exp(x/alpha) - 1) otherwise."""

from __future__ import annotations

from .._exact import elu_family
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec
from ..kernels.elu import elu_like, elu_like_d, elu_like_d2, exp_dd, expm1_dd, neg_part, scaled_arg

__all__ = ["SPEC"]


def _celu_q(x, xp, alpha):
    # u = x/α as (q, qlo) on x ≤ 0, clipped at -800 (e^u underflows long before).
    q, qlo = scaled_arg(x, xp, alpha)
    return xp.where(x > 0, xp.zeros_like(q), xp.where(q < -800.0, -800.0, q)), qlo


def _celu_dalpha(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    direct = expm1_dd(q, qlo, xp) - q * exp_dd(q, qlo, xp)
    t, series = q, 0.0 * q
    for n in range(2, 26):
        t = t * q / n
        series = series - (n - 1) * t
    return neg_part(x, xp, xp.where(q > -1.0, series, direct))


def _celu_dalpha_df(x, xp, *, alpha):
    q, qlo = _celu_q(x, xp, alpha)
    return neg_part(x, xp, -(q / alpha) * exp_dd(q, qlo, xp))


SPEC = Spec(
    name="celu",
    family="elu",
    summary="Continuously differentiable ELU: x for x > 0, alpha·(exp(x/alpha) - 1) otherwise.",
    f=lambda x, xp, *, alpha: elu_like(x, xp, alpha, 1.0, alpha),
    df=lambda x, xp, *, alpha: elu_like_d(x, xp, alpha, 1.0, alpha),
    d2f=lambda x, xp, *, alpha: elu_like_d2(x, xp, alpha, 1.0, alpha),
    params=(
        Param("alpha", 1.0, "scale of the negative part; CELU → ReLU as alpha → 0⁺",
              lower=0.0, learnable=True),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = 1 (the x ≤ 0 branch) and f''(0) = 0, as PyTorch's autograd",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x/\alpha} - 1) & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
        "d2f": r"\begin{cases} 0 & x \ge 0 \\ e^{x/\alpha}/\alpha & x < 0 \end{cases}",
    },
    reference="Barron, Continuously Differentiable Exponential Linear Units (2017), "
    "arXiv:1704.07483",
    dparams={"alpha": _celu_dalpha},
    dparams_df={"alpha": _celu_dalpha_df},
    cases=({"alpha": 0.5}, {"alpha": 3.0}),
    exact=elu_family(alpha=lambda p: p["alpha"], scale=lambda p: 1, inner=lambda p: p["alpha"]),
    info={
        "properties": Properties(
            range=(-1.0, INF), smoothness=1, saturates=("-",), range_text="(-α, ∞)"
        ),
        "frameworks": (
            Equivalent("PyTorch", "torch.nn.functional.celu(x, alpha=1.0)",
                       "torch.nn.CELU(alpha=1.0)", "alpha → alpha (default 1.0)",
                       kink_grad=(1.0,)),
            Equivalent("Keras", "keras.activations.celu(x, alpha=1.0)",
                       'keras.layers.Activation("celu")', "alpha → alpha (default 1.0)",
                       "Keras 3 only; there is no dedicated layer class."),
            Equivalent("JAX", "jax.nn.celu(x, alpha=1.0)", "", "alpha → alpha (default 1.0)",
                       kink_grad=(1.0,)),
        ),
        "en": Prose(
            strengths=(
                "f and f′ are continuous at 0 for every alpha > 0, so the slope never "
                "jumps (ELU's does unless alpha = 1).",
                "Negative inputs keep a gradient exp(x/α), so units do not die as with ReLU.",
                "Bounded below by −α: large negative inputs cannot produce large outputs.",
            ),
            weaknesses=(
                "Needs an exponential, so it costs more than ReLU.",
                "f″ jumps at 0 (from 1/α to 0): CELU is C¹, not smooth.",
                "With the default alpha = 1 it is exactly ELU.",
            ),
            use="A drop-in for ELU when alpha is tuned or learned and a continuous "
            "derivative matters.",
            corrections=(
                "alpha = 0 is not a valid setting (x/α is undefined); CELU only tends to "
                "ReLU in the limit alpha → 0⁺.",
                "CELU is continuously differentiable but not smooth: its second derivative "
                "jumps at 0.",
                "ReLU itself is continuous at 0; what CELU removes is the jump in the "
                "derivative.",
                "np.where(x > 0, x, α·(exp(x/α) − 1)) evaluates exp on the positive side "
                "too and overflows for large x; actfn clips the argument first.",
            ),
        ),
        "zh": Prose(
            strengths=(
                "对任意 alpha > 0,f 与 f′ 在 0 处都连续,斜率不会突变(ELU 只有 alpha = 1 "
                "时才这样)。",
                "负输入仍有梯度 exp(x/α),不会像 ReLU 那样让神经元“死亡”。",
                "输出下界为 −α,很负的输入不会得到很大的输出。",
            ),
            weaknesses=(
                "要算指数,比 ReLU 慢。",
                "二阶导数在 0 处从 1/α 跳到 0:CELU 属于 C¹,并不光滑。",
                "默认 alpha = 1 时与 ELU 完全相同。",
            ),
            use="需要调节或学习 alpha、又希望导数连续时,用来替换 ELU。",
            corrections=(
                "alpha 不能取 0(x/α 没有定义);只有在 alpha → 0⁺ 的极限下 CELU 才趋于 ReLU。",
                "CELU 一阶连续可导,但不是光滑函数:二阶导数在 0 处跳变。",
                "ReLU 在 0 处本身连续;CELU 消除的是导数的跳变。",
                "np.where(x > 0, x, α·(exp(x/α) − 1)) 在正半轴也会计算 exp,x 很大时溢出;"
                "actfn 先截断参数再求指数。",
            ),
        ),
    },
)
