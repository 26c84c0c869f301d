"""prelu: Parametric ReLU: leaky ReLU whose negative slope is learned (per channel)."""

from __future__ import annotations

from .._exact import leaky_family
from .._registry import INF, Equivalent, Param, Properties, Prose, Spec
from ..kernels.elementary import zero
from ..kernels.leaky import leaky, leaky_d

__all__ = ["SPEC"]


SPEC = Spec(
    name="prelu",
    family="relu",
    summary="Parametric ReLU: leaky ReLU whose negative slope is learned (per channel).",
    f=lambda x, xp, *, weight: leaky(x, xp, weight),
    df=lambda x, xp, *, weight: leaky_d(x, xp, weight),
    d2f=zero,
    params=(
        Param(
            "weight",
            0.25,
            "slope for x < 0: one value, or one per channel (dim 1 of the input)",
            vector=True,
            learnable=True,
        ),
    ),
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = weight (PyTorch)",
    latex={
        "f": r"\begin{cases} x & x > 0 \\ a_c x & x \le 0 \end{cases}",
        "df": r"\begin{cases} 1 & x > 0 \\ a_c & x \le 0 \end{cases}",
        "d2f": r"0",
    },
    reference="He et al., Delving Deep into Rectifiers (2015)",
    dparams={"weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), x)},
    dparams_df={
        "weight": lambda x, xp, *, weight: xp.where(x > 0, xp.zeros_like(x), xp.ones_like(x))
    },
    cases=({"weight": 0.1},),
    exact=leaky_family(lambda p: p["weight"]),
    info={
        "properties": Properties(range=(-INF, INF), smoothness=0),
        "frameworks": (
            Equivalent("PyTorch",
                       "torch.nn.functional.prelu(x, torch.tensor([0.25], dtype=x.dtype))",
                       "torch.nn.PReLU(num_parameters=1, init=0.25)",
                       "weight → weight; num_parameters=C learns one slope per channel (dim 1)",
                       "Initial slope 0.25.", kink_grad=(0.25,)),
            Equivalent("Keras",
                       "keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))(x)",
                       "keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))",
                       "weight → alpha",
                       "The Keras layer starts from alpha = 0 (a plain ReLU) and by default "
                       "learns one slope per input element; shared_axes shares them."),
            Equivalent("JAX", "jax.numpy.where(x > 0, x, 0.25 * x)", "",
                       "weight → the slope array",
                       "No jax.nn.prelu; Flax has flax.linen.PReLU (initial slope 0.01).",
                       kink_grad=(0.25,)),
        ),
        "en": Prose(
            strengths=(
                "The network learns how leaky each channel should be, for one parameter "
                "per channel.",
                "Cheap; no dead units while the slope stays positive.",
            ),
            weaknesses=(
                "The extra parameters can overfit small data sets; weight decay on the "
                "slope pulls it towards ReLU.",
                "A learned slope below 0 or above 1 makes the function non-monotone or no "
                "longer a rectifier.",
            ),
            use="Deep image-classification CNNs (He et al. 2015) and super-resolution "
            "networks.",
            corrections=(
                "The slope is learned by backpropagation together with the weights, and its "
                "initial value differs between frameworks: 0.25 in PyTorch, 0 in Keras.",
            ),
        ),
        "zh": Prose(
            strengths=(
                "网络自己学习每个通道的负斜率,每个通道只多一个参数。",
                "计算便宜;斜率保持为正时不会出现死亡神经元。",
            ),
            weaknesses=(
                "额外参数在小数据集上可能过拟合;对斜率做权重衰减会把它推向 ReLU。",
                "学到的斜率小于 0 或大于 1 时,函数不再单调或不再是整流函数。",
            ),
            use="深层图像分类 CNN(He 等,2015)和超分辨率网络。",
            corrections=(
                "斜率与权重一起通过反向传播学习,初始值因框架而异:PyTorch 为 0.25,Keras 为 0。",
            ),
        ),
    },
)
