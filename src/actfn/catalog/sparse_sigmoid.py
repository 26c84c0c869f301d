"""sparse_sigmoid: Sparse (piecewise-linear) sigmoid: clip((x + 1)/2, 0, 1)."""

from __future__ import annotations

from .._exact import Exact, piecewise_linear_zero
from .._registry import Spec
from ..kernels.elementary import zero

__all__ = ["SPEC"]


# -- sparse_sigmoid --------------------------------------------------------------
# JAX/Keras: 0 for x <= -1, (x + 1)/2 on (-1, 1), 1 for x >= 1.
def _sparse_sigmoid(x, xp):
    return xp.where(x <= -1.0, 0.0, xp.where(x >= 1.0, 1.0, 0.5 * (x + 1.0)))


def _sparse_sigmoid_d(x, xp):
    # jax.nn.sparse_sigmoid is 0.5·clip(x + 1, 0, 2); JAX splits the gradient of clip's
    # min/max evenly at a tie, so its autodiff gives 1/4 at x = ±1 (the mean of the
    # one-sided slopes).
    at_kink = (x == -1.0) | (x == 1.0)
    return xp.where((x > -1.0) & (x < 1.0), 0.5, xp.where(at_kink, 0.25, xp.zeros_like(x)))


SPEC = Spec(
    name="sparse_sigmoid",
    family="sigmoid",
    summary="Sparse (piecewise-linear) sigmoid: clip((x + 1)/2, 0, 1).",
    f=_sparse_sigmoid,
    df=_sparse_sigmoid_d,
    d2f=zero,
    kinks=lambda p: (-1.0, 1.0),
    kink_convention="f'(±1) = 1/4 (the mean of the one-sided slopes), as "
    "jax.nn.sparse_sigmoid's autodiff gives",
    latex={
        "f": r"\begin{cases} 0 & x \le -1 \\ (x+1)/2 & -1 < x < 1 \\ 1 & x \ge 1 \end{cases}",
        "df": r"\begin{cases} 1/2 & -1 < x < 1 \\ 1/4 & x = \pm 1 \\ 0 & \text{otherwise} \end{cases}",
        "d2f": r"0",
    },
    reference="Martins & Astudillo, From Softmax to Sparsemax (2016)",
    exact=Exact(
        f=lambda x, m: m.mpf(0) if x <= -1 else (m.mpf(1) if x >= 1 else (x + 1) / 2),
        # f'(±1) = 1/4: JAX's autodiff of clip splits the slope at a tie
        df=lambda x, m: (m.mpf(1) / 2 if -1 < x < 1
                         else (m.mpf(1) / 4 if abs(x) == 1 else m.mpf(0))),
        d2f=piecewise_linear_zero,
    ),
)
