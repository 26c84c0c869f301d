"""Notebook display: ``Activation._repr_latex_`` / ``_repr_html_`` and the ipywidgets
``actfn.explore.widget``, rendered headlessly."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import actfn


def test_repr_latex_is_the_registry_formula() -> None:
    act = actfn.get("celu", alpha=0.5)
    tex = act._repr_latex_()
    assert tex.startswith("$$") and tex.endswith("$$")
    assert actfn.lookup("celu").latex["f"] in tex and r"\mathrm{celu}(x)" in tex
    assert r"\mathrm{leaky\_relu}" in actfn.get("leaky_relu")._repr_latex_()


@pytest.mark.parametrize("name", actfn.names())
def test_repr_html_has_formula_and_a_valid_svg_figure(name: str) -> None:
    act = actfn.get(name)
    html = act._repr_html_()
    assert f"<b>{name}</b>" in html
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    svg = ET.fromstring(html[start:end])  # well-formed XML
    curves = {p.get("data-curve") for p in svg.iter("{http://www.w3.org/2000/svg}path")}
    assert curves == {"f", "df", "d2f"}
    if act.spec.latex.get("f"):
        assert "$$f(x) = " in html


def test_repr_html_follows_the_parameters() -> None:
    a, b = actfn.get("celu", alpha=0.2)._repr_html_(), actfn.get("celu", alpha=2.0)._repr_html_()
    assert "alpha=0.2" in a and a != b


def test_display_imports_nothing_heavy() -> None:
    code = ("import sys, actfn; h = actfn.get('gelu')._repr_html_(); "
            "print(','.join(m for m in ('matplotlib', 'flask', 'ipywidgets', 'torch') "
            "if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_widget_sliders_redraw_the_figure() -> None:
    from actfn.explore import widget

    w = widget("celu", alpha=0.5)
    assert set(w.controls) == {"alpha", "range"}
    assert w.controls["alpha"].value == pytest.approx(0.5)
    before = w.figure.value
    assert "<svg" in before and "celu(alpha=0.5)" in before
    w.controls["alpha"].value = 2.0
    assert w.figure.value != before and "celu(alpha=2.0)" in w.figure.value
    w.controls["range"].value = (-1.0, 1.0)
    assert ">-1<" in w.figure.value or ">-1.0<" in w.figure.value


def test_widget_choices_and_errors() -> None:
    from actfn.explore import widget

    g = widget("gelu")
    before = g.figure.value
    g.controls["approximate"].value = "tanh"
    assert g.figure.value != before
    with pytest.raises(ValueError, match="unknown activation"):
        widget("geluu")
    with pytest.raises(ValueError, match="out of range"):
        widget("celu", alpha=-1)
