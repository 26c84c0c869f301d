"""leaky_relu: ReLU with a small slope for negative inputs."""

from __future__ import annotations

from .._exact import leaky_family
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec
from ..kernels.elementary import zero
from ..kernels.leaky import leaky, leaky_d

__all__ = ["SPEC"]


SPEC = Spec(
    name="leaky_relu",
    aliases=("leakyrelu",),
    family="relu",
    summary="ReLU with a small slope for negative inputs.",
    f=lambda x, xp, *, negative_slope: leaky(x, xp, negative_slope),
    df=lambda x, xp, *, negative_slope: leaky_d(x, xp, negative_slope),
    d2f=zero,
    params=(
        Param(
            "negative_slope",
            0.01,
            "slope for x < 0 (PyTorch and JAX default 0.01; Keras uses 0.2 or 0.3)",
        ),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = negative_slope (PyTorch)",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
        "d2f": r"0",
    },
    reference="Maas, Hannun & Ng (2013)",
    cases=({"negative_slope": 0.2},),
    exact=leaky_family(lambda p: p["negative_slope"]),
    info={
        "properties": Properties(range=(-INF, INF), smoothness=0),
        "frameworks": (
            Equivalent("PyTorch", "torch.nn.functional.leaky_relu(x, negative_slope=0.01)",
                       "torch.nn.LeakyReLU(negative_slope=0.01)",
                       "negative_slope → negative_slope (default 0.01)",
                       "Autograd gives f′(0) = negative_slope.", kink_grad=(0.01,)),
            Equivalent("Keras", "keras.activations.leaky_relu(x, negative_slope=0.01)",
                       "keras.layers.LeakyReLU(negative_slope=0.01)",
                       "negative_slope → negative_slope",
                       "Different defaults: keras.activations.leaky_relu uses 0.2 and "
                       "keras.layers.LeakyReLU uses 0.3 (its argument was alpha before "
                       "Keras 3); tf.nn.leaky_relu uses alpha=0.2. Pass 0.01 to match "
                       "PyTorch, JAX and actfn."),
            Equivalent("JAX", "jax.nn.leaky_relu(x, negative_slope=0.01)", "",
                       "negative_slope → negative_slope (default 0.01)",
                       "JAX takes the linear branch for x >= 0, so its autodiff gives "
                       "f′(0) = 1 where PyTorch and actfn give negative_slope.",
                       kink_grad=(1.0,)),
        ),
        "en": Prose(
            strengths=(
                "A small slope for x < 0 keeps a gradient, so units cannot die.",
                "As cheap as ReLU.",
            ),
            weaknesses=(
                "The slope is one more hyperparameter, and frameworks default to "
                "different values (0.01, 0.2, 0.3).",
                "Not zero-centred, unbounded, and not differentiable at 0.",
            ),
            use="A ReLU replacement when dead units are a problem; GAN discriminators "
            "(usually with slope 0.2).",
            corrections=(
                "max(αx, x) equals leaky ReLU only for 0 ≤ α ≤ 1.",
                "0.01 is the PyTorch and JAX default, not a universal one: Keras uses 0.2 "
                "(function) and 0.3 (layer).",
                "Leaky ReLU is not zero-centred: its mean under a standard normal input is "
                "about 0.39.",
            ),
        ),
        "zh": Prose(
            strengths=(
                "x < 0 时保留一个小斜率,梯度不为零,神经元不会死亡。",
                "和 ReLU 一样便宜。",
            ),
            weaknesses=(
                "斜率是额外的超参数,而且各框架默认值不同(0.01、0.2、0.3)。",
                "不以 0 为中心,无界,在 0 处不可导。",
            ),
            use="神经元死亡成为问题时替换 ReLU;GAN 判别器(常用斜率 0.2)。",
            corrections=(
                "只有 0 ≤ α ≤ 1 时 max(αx, x) 才等于 Leaky ReLU。",
                "0.01 是 PyTorch 与 JAX 的默认值,并非通用:Keras 函数用 0.2,层用 0.3。",
                "Leaky ReLU 也不以 0 为中心:标准正态输入下均值约为 0.39。",
            ),
        ),
    },
)
