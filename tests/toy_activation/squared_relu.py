"""squared_relu: the square of ReLU, max(0, x)² (So et al. 2021).

The toy activation of CONTRIBUTING.md ("Add an activation"): this one file, copied into
``src/actfn/catalog/`` with its knowledge file beside it (``catalog/squared_relu.toml``),
is all a new activation needs; tests/test_contributing.py checks that the
registry-parametrized suites then test it and pass.
"""

from __future__ import annotations

from actfn import Exact, Spec

__all__ = ["SPEC"]


def f(x, xp):
    """max(0, x)², from the where (a NaN input is restored by the caller)."""
    r = xp.where(x > 0, x, xp.zeros_like(x))
    return r * r


def df(x, xp):
    return xp.where(x > 0, 2.0 * x, xp.zeros_like(x))


def d2f(x, xp):
    return xp.where(x > 0, 2.0, xp.zeros_like(x))


SPEC = Spec(
    name="squared_relu",
    family="relu",
    summary="The square of ReLU, max(0, x)².",
    f=f,
    df=df,
    d2f=d2f,
    kinks=lambda p: (0.0,),
    kink_convention="f''(0) = 0 (the x ≤ 0 branch)",
    latex={
        "f": r"\max(0, x)^2",
        "df": r"2\max(0, x)",
        "d2f": r"\begin{cases} 2 & x > 0 \\ 0 & x \le 0 \end{cases}",
    },
    reference="So et al., Primer: Searching for Efficient Transformers (2021)",
    exact=Exact(
        f=lambda x, m: max(x, m.mpf(0)) ** 2,
        df=lambda x, m: 2 * max(x, m.mpf(0)),
        d2f=lambda x, m: m.mpf(2) if x > 0 else m.mpf(0),
    ),
)
