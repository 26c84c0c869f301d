"""relu2: squared ReLU, max(0, x)² (So et al. 2021, Primer; Nemotron).

.. math::

    f(x) = \\max(0, x)^2, \\qquad f'(x) = 2\\max(0, x), \\qquad
    f''(x) = \\begin{cases} 2 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}

f is C¹: f and f′ are continuous at 0 (both 0 there); f″ jumps from 0 to 2, and actfn
takes f″(0) = 0 (the x ≤ 0 branch), as PyTorch's autograd of ``relu(x) ** 2`` does.
Each kernel is one correctly rounded operation (x·x, 2·x), so f, f′ and f″ are correctly
rounded in every dtype. ``relu2(-0.0) = +0.0``: relu(-0)² = (-0)² = +0 in PyTorch too.
"""

from __future__ import annotations

from .._exact import Exact
from .._registry import Spec

__all__ = ["SPEC"]


def _f(x, xp):
    """max(0, x)² as r·r with r = max(0, x): one rounding."""
    r = xp.where(x > 0, x, xp.zeros_like(x))
    return r * r


def _df(x, xp):
    """2·max(0, x) (exact: a doubling); f′(0) = 0."""
    return xp.where(x > 0, 2.0 * x, xp.zeros_like(x))


def _d2f(x, xp):
    """2 for x > 0, else 0 (f″(0) = 0: the x ≤ 0 branch)."""
    return xp.where(x > 0, 2.0, xp.zeros_like(x))


def _f_df(x, xp):
    r = xp.where(x > 0, x, xp.zeros_like(x))
    return r * r, 2.0 * r


SPEC = Spec(
    name="relu2",
    aliases=("relu_squared",),
    family="relu",
    summary="Squared ReLU max(0, x)² (Primer, Nemotron).",
    f=_f,
    df=_df,
    d2f=_d2f,
    f_df=_f_df,
    kinks=lambda p: (0.0,),
    kink_convention="f'(0) = 0 and f''(0) = 0 (the x ≤ 0 branch), as PyTorch's autograd "
    "of relu(x)**2",
    latex={
        "f": r"\max(0, x)^2",
        "df": r"2\max(0, x)",
        "d2f": r"\begin{cases} 2 & x > 0 \\ 0 & x \le 0 \end{cases}",
    },
    reference="So et al., Primer: Searching for Efficient Transformers for Language "
    "Modeling (2021), arXiv:2109.08668",
    exact=Exact(
        f=lambda x, m: max(x, m.mpf(0)) ** 2,
        df=lambda x, m: 2 * max(x, m.mpf(0)),
        d2f=lambda x, m: m.mpf(2) if x > 0 else m.mpf(0),
    ),
)
