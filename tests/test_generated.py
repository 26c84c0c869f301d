"""Generated code matches its generator: regenerating changes nothing.

* ``tools/gen_zeros.py`` writes ``actfn/catalog/_zeros/<name>.py`` (Taylor series around
  the interior zeros of the derivatives) from each module's ``ZERO_SERIES`` and the
  spec's reference formulas.
* ``tools/gen_erfcx.py`` computes the Chebyshev coefficients of the compiled erfcx.
* ``tools/gen_vmath_budget.py`` fits the budgeted polynomials of the float32-and-narrower
  loops (exp/expm1, log, erfcx cut to its budget) and checks each fit's max error.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import actfn
import actfn.catalog
from actfn._fast import _vmath

from .tooling import load_tool

TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _tool(name: str) -> ModuleType:
    return load_tool(name)


def test_zero_tables_regenerate_unchanged() -> None:
    """One regeneration (mpmath at 60 digits: the slow part) compared with the shipped
    modules; every shipped table module has its declaration and vice versa."""
    gen = _tool("gen_zeros")
    tables = gen.tables()
    shipped = {p.stem for p in gen.OUT.glob("*.py")} - {"__init__"}
    assert set(tables) == shipped
    for name, series in tables.items():
        assert gen.render(name, series) == (gen.OUT / f"{name}.py").read_text(encoding="utf-8"), (
            f"catalog/_zeros/{name}.py is out of date: run python tools/gen_zeros.py"
        )


@pytest.mark.parametrize("name", sorted(_tool("gen_zeros").tables()))
def test_zero_tables_are_zeros_of_the_reference(name: str) -> None:
    """Each tabulated x0 is a zero of the reference derivative (|f^(k)(x0)| tiny)."""
    import mpmath

    gen = _tool("gen_zeros")
    mod = importlib.import_module(f"actfn.catalog._zeros.{name}")
    exact = actfn.lookup(name).exact
    for key, (order, params, guesses) in gen.tables()[name].items():
        fn = (exact.f, exact.df, exact.d2f)[order]
        assert len(mod.ZEROS[key]) == len(guesses)
        for hi, lo, coeffs in mod.ZEROS[key]:
            with mpmath.workdps(40):
                p = {k: mpmath.mpf(v) if isinstance(v, float) else v for k, v in params.items()}
                v = fn(mpmath.mpf(hi) + mpmath.mpf(lo), mpmath, **p)
                assert abs(v) < 1e-30 * abs(coeffs[0]), (name, key, hi)


def test_erfcx_coefficients_match_their_generator() -> None:
    gen = _tool("gen_erfcx")
    assert gen.coefficients() == _vmath.ERFCX_C
    assert gen.power_coefficients() == _vmath.ERFCX_P
    assert gen.main(["--check"]) == 0


def test_budgeted_coefficients_match_their_generator_and_budget() -> None:
    """EXPM1_B, LOG_B and ERFCX_PB regenerate unchanged, and each fit's max relative
    error on the generator's dense grid (mpmath, exact arithmetic on the double
    coefficients) is within 2^-42 (the helpers' budget is 2^-40)."""
    gen = _tool("gen_vmath_budget")
    gx = _tool("gen_erfcx")
    assert gen.expm1_coefficients() == _vmath.EXPM1_B
    assert gen.log_coefficients() == _vmath.LOG_B
    assert gx.power_coefficients(gx.BUDGET_TERMS) == _vmath.ERFCX_PB
    err = gen.errors(_vmath.ERFCX_PB)
    assert set(err) == {"expm1", "log", "erfcx"}
    assert all(0 < v <= 2.0**-42 for v in err.values()), err
