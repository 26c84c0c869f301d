"""CLI polish (issue 14): Unicode formulas, 80-column tables, --version, --lang, help."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import actfn
from actfn import _i18n
from actfn._texuni import to_lines, to_unicode
from actfn.cli import app
from actfn.cli._terminal import balanced_widths

runner = CliRunner()


def run(*args: str, columns: int = 80):
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)})


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").splitlines()


@pytest.mark.parametrize("name", actfn.names())
def test_every_formula_converts_to_unicode_without_latex_left(name):
    spec = actfn.lookup(name)
    for key, tex in spec.latex.items():
        for lang in ("en", "zh"):
            text = to_unicode(tex, lang)
            assert "\\" not in text and "{" not in text and "}" not in text, (key, text)
            assert "&" not in text, (key, text)


@pytest.mark.parametrize(("tex", "want"), [
    (r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x/\alpha} - 1) & x \le 0 \end{cases}",
     ["⎰ x               if x > 0", "⎱ α(e^(x/α) − 1)  if x ≤ 0"]),
    (r"\frac{x}{2}\Bigl(1 + \operatorname{erf}\frac{x}{\sqrt2}\Bigr)", ["(x/2)(1 + erf(x/√2))"]),
    (r"\sigma''(x) = \frac{1}{1 + e^{-x}}", ["σ″(x) = 1/(1 + e⁻ˣ)"]),
    (r"-2\tanh x\,\operatorname{sech}^2 x", ["−2 tanh x sech² x"]),
    (r"\frac{b}{2\,(x^2 + b)^{3/2}}", ["b/(2(x² + b)³ᐟ²)"]),
])
def test_latex_to_unicode_examples(tex, want):
    assert to_lines(tex) == want


def test_unknown_latex_command_is_an_error_not_a_backslash():
    with pytest.raises(ValueError, match=r"unknown command \\foo"):
        to_unicode(r"\foo(x)")


@pytest.mark.parametrize("name", actfn.names())
def test_show_prints_unicode_formulas_and_latex_on_request(name):
    r = run("show", name)
    assert r.exit_code == 0, r.output
    formula = r.stdout.split("Formula", 1)[1].split("Symbols", 1)[0]
    assert "\\" not in formula
    assert "Symbols" in r.stdout  # every symbol is defined
    r = run("show", name, "--latex")
    assert r.exit_code == 0, r.output
    assert actfn.lookup(name).latex["f"].split()[0] in r.stdout


def test_show_chinese_is_complete():
    r = run("show", "celu", "--lang", "zh")
    assert r.exit_code == 0, r.output
    spec = actfn.lookup("celu")
    for field in ("summary", "kink_convention", "param:alpha", "framework:Keras:notes"):
        zh = _i18n.text(spec, field, "zh", fallback=False)
        assert zh and zh[:8] in r.stdout.replace("\n", ""), field
    assert spec.summary not in r.stdout  # no English left in the Chinese view
    assert "当 x > 0" in r.stdout and "符号说明" in r.stdout


@pytest.mark.parametrize("args", [("list",), ("list", "--lang", "zh"), ("claims",),
                                  ("claims", "--lang", "zh"), ("show", "leaky_relu")])
def test_tables_fit_80_columns_and_wrap_rather_than_truncate(args):
    r = run(*args)
    assert r.exit_code == 0, r.output
    too_wide = [line for line in _lines(r.stdout) if cell_len(line) > 80]
    assert not too_wide, too_wide[:3]
    assert "…" not in r.stdout  # rich's truncation mark


def test_list_at_80_columns_keeps_every_name_and_parameter_whole():
    r = run("list")
    first = {line.split()[0] for line in _lines(r.stdout) if line and not line[0].isspace()}
    assert set(actfn.names()) <= first
    wide = run("list", columns=200)
    # wrapped, never cut: the same characters as in a table wide enough for everything
    # (at 80 columns the parameters sit under each name, so the wide table's "-" for "no
    # parameters" is not repeated there)
    no_params = sum(1 for n in actfn.names() if not actfn.lookup(n).params)
    expected = Counter(re.sub(r"\s", "", wide.stdout))
    expected["-"] -= no_params
    assert Counter(re.sub(r"\s", "", r.stdout)) == expected
    assert max(cell_len(line) for line in _lines(wide.stdout)) > 80


def test_balanced_widths_shrink_the_widest_down_to_the_minimum():
    # (replaces the test of fit_widths, which no table used any more and was removed)
    assert balanced_widths([10, 20, 30], [5, 5, 5], 60) == [10, 20, 30]
    assert balanced_widths([10, 20, 30], [5, 5, 5], 40) == [10, 15, 15]
    assert balanced_widths([10, 20, 30], [5, 5, 12], 20) == [5, 5, 12]  # stays over total
    assert balanced_widths([10, 20, 30], [10, 20, 30], 40) == [10, 20, 30]


def test_version():
    r = run("--version")
    assert r.exit_code == 0
    assert r.stdout.strip() == f"actfn {actfn.__version__}"


def test_one_language_flag_everywhere():
    for args in (("list",), ("show", "relu"), ("claims",), ("compare", "relu", "tanh")):
        r = run(*args, "--lang", "zh")
        assert r.exit_code == 0, (args, r.output)
        assert re.search(r"[\u4e00-\u9fff]", r.stdout), args
        r = run(*args, "--lang", "fr")
        assert r.exit_code == 2 and "unknown --lang 'fr'" in r.output, args


def test_claims_old_zh_flag_is_a_hidden_deprecated_alias():
    r = run("claims", "--zh")
    assert r.exit_code == 0
    assert "deprecated" in r.stderr and re.search(r"[\u4e00-\u9fff]", r.stdout)
    assert "--zh" not in run("claims", "--help").stdout


def test_help_is_clean_at_80_columns():
    r = run("--help")
    assert r.exit_code == 0
    assert "--version" in r.stdout
    for cmd in ("list", "show", "eval", "plot", "compare", "atlas", "claims", "bench"):
        line = next((ln for ln in _lines(r.stdout) if re.match(rf"  {cmd}\s", ln)), "")
        assert line and len(line.split()) > 3, f"{cmd} has no help text"
        assert not line.endswith("..."), f"{cmd}: help text cut: {line!r}"
        sub = run(cmd, "--help")
        assert sub.exit_code == 0
        assert all(cell_len(ln) <= 80 for ln in _lines(sub.stdout)), cmd


def test_cli_needs_no_standalone_click_and_exit_codes_survive():
    """typer ≥ 0.2x vendors click: the light install has no ``click`` package. A command
    that calls ``fail`` (typer.Exit) must still exit 2 with one line, not 1."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "click":
                    raise ModuleNotFoundError("blocked: click")
        sys.meta_path.insert(0, Block())
        from actfn.cli import main
        main(sys.argv[1:])
    """)
    src = str(Path(__file__).resolve().parents[1] / "src")
    r = subprocess.run([sys.executable, "-c", code, "claims", "run", "--threads", "3"],
                       capture_output=True, text=True, env={"PYTHONPATH": src}, timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == ["actfn: error: --threads=3 must be 1 or 2"]
    r = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True,
                       text=True, env={"PYTHONPATH": src}, timeout=300)
    assert r.returncode == 0 and r.stdout.startswith("actfn "), r.stderr
