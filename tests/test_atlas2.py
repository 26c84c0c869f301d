"""Atlas II (issue 14), without building the whole site: figures, glossary, templates,
the offline assets it ships, and a build with torch/JAX/Keras unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import actfn
from actfn import _assets, _i18n
from actfn.atlas import _build, _figures

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.mark.parametrize("name", actfn.names(kind="all"))
def test_glossary_defines_every_symbol_of_every_formula(name):
    spec = actfn.lookup(name, kind="all")
    for lang in ("en", "zh"):
        defined = dict(_i18n.symbols(spec, lang))
        for tex in spec.latex.values():
            for sym in _i18n.formula_symbols(tex):
                assert defined.get(sym), (name, lang, sym)


def test_glossary_names_parameters_by_their_meaning():
    selu = dict(_i18n.symbols(actfn.lookup("selu"), "zh"))
    assert selu["λ"].startswith("参数 scale") and "1.0507" in selu["λ"]
    gelu = dict(_i18n.symbols(actfn.lookup("gelu"), "en"))
    assert "normal cumulative distribution" in gelu["Φ"] and "density" in gelu["φ"]


def _lines(ax):
    return [ln for ln in ax.get_lines() if ln.get_label() in ("f(x)", "f′(x)", "f″(x)")]


@pytest.mark.parametrize("name", ["relu", "celu", "selu", "exponential"])
def test_figure_no_curve_hides_another(name):
    fig = _figures.activation_figure(name)
    top, bottom = fig.axes
    f, df = _lines(top)
    (d2f,) = _lines(bottom)  # f″ in a panel of its own
    styles = {(str(ln.get_linestyle()), str(ln.get_marker()), ln.get_color())
              for ln in (f, df, d2f)}
    assert len(styles) == 3  # distinct line style, marker and colour
    assert df.get_marker() not in (None, "None", "") and d2f.get_marker() not in (None, "None")
    assert df.get_zorder() > f.get_zorder()  # f′ drawn over f, with markers
    # the zero line is under every curve
    for ax in (top, bottom):
        zero = [ln for ln in ax.get_lines() if ln.get_label().startswith("_")
                and np.allclose(ln.get_ydata(), 0) and ln.get_zorder() == 0]
        assert zero
    assert top.get_xlim() == _figures.x_range(name)


def test_relu_derivative_zero_is_visible():
    fig = _figures.activation_figure("relu")
    _, df = _lines(fig.axes[0])
    x, y = (np.asarray(v, dtype=float) for v in df.get_data())
    start, step = df.get_markevery()
    shown = np.arange(start, x.size, step)
    left = shown[(x[shown] < 0)]
    assert left.size >= 3 and np.all(y[left] == 0)  # markers on f′ = 0 for x < 0
    lo, hi = fig.axes[0].get_ylim()
    assert lo < -0.05  # and the panel does not clip it at its bottom edge


def test_seed_range_by_default_widened_for_far_kinks():
    assert _figures.x_range("gelu") == (-3.0, 3.0)
    assert _figures.x_range("relu6") == (-7.0, 7.0)


def test_overview_draws_nothing_over_its_tick_labels():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figures.overview_figure(["relu", "gelu", "silu", "elu", "tanh", "sigmoid"])
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for ax in fig.axes:
        area = ax.get_window_extent(renderer)
        labels = [t for t in ax.get_xticklabels() + ax.get_yticklabels()
                  if t.get_visible() and t.get_text()]
        assert labels
        for t in labels:
            box = t.get_window_extent(renderer)
            assert not box.overlaps(area), t.get_text()


def test_figures_are_twice_their_css_size():
    from io import BytesIO

    import matplotlib.image as mpimg

    arr = mpimg.imread(BytesIO(_figures.png(_figures.activation_figure("tanh"))), format="png")
    assert arr.shape[:2] == (2 * _figures.FIGURE_PX[1], 2 * _figures.FIGURE_PX[0])


def test_templates_autoescape_and_ship_as_package_data():
    site = _build._Site([actfn.lookup("relu")], ["en"])
    assert site.env.autoescape is True
    html = site.env.from_string("{{ x }}").render(x='<b a="1">')
    assert html == "&lt;b a=&#34;1&#34;&gt;"
    text = (SRC.parent / "pyproject.toml").read_text()
    assert '"atlas/templates/*.j2"' in text and '"atlas/static/*"' in text


def test_site_assets_come_from_the_package(tmp_path):
    out = _build.build(tmp_path / "site", only=["relu"], lang="zh")
    for rel in _build.ASSETS:
        assert (out / "assets" / rel).read_bytes() == _assets.path(rel).read_bytes()
    css = (out / "style.css").read_text(encoding="utf-8")
    assert '@font-face { font-family: "ActfnCJK"' in css and "unicode-range" in css
    assert (out / "relu.zh.html").is_file() and not (out / "relu.html").exists()
    page = (out / "relu.zh.html").read_text(encoding="utf-8")
    assert 'lang="zh"' in page and "C<sup>0</sup>" in page


def test_unknown_atlas_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown atlas language 'fr'"):
        _build.build(tmp_path / "s", only=["relu"], lang="fr")
    assert not (tmp_path / "s").exists()


def test_atlas_builds_without_torch_jax_keras(tmp_path):
    code = textwrap.dedent(f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("torch", "jax", "jaxlib", "keras", "tensorflow"):
                    raise ModuleNotFoundError(f"blocked: {{name}}")
                return None
        sys.meta_path.insert(0, Block())
        import actfn.atlas._build as b
        b.names = lambda kind="elementwise": ["gelu", "swiglu"]  # one of each kind proves it
        from actfn.cli import main
        sys.argv = ["actfn", "atlas", "-o", {str(tmp_path / "site")!r}, "--quiet"]
        try:
            main()
        except SystemExit as e:
            assert not e.code, e.code
        assert not [m for m in sys.modules if m.split(".")[0] in ("torch", "jax", "keras")]
    """)
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "MPLCONFIGDIR": str(tmp_path / "mpl")}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "site" / "gelu.zh.html").is_file()
    assert (tmp_path / "site" / "swiglu.zh.html").is_file()
