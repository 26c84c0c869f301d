"""The ``actfn`` command, through Typer's runner and as a real subprocess."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from typer.testing import CliRunner

import actfn
from actfn.cli import app
from actfn.cli._args import DTYPES, parse_dtype
from actfn.cli.catalog import format_value

runner = CliRunner()
README = Path(__file__).resolve().parents[1] / "README.md"


def run(*args: str):
    return runner.invoke(app, list(args))


def run_subprocess(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "actfn.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


# -- eval --------------------------------------------------------------------------------------
def test_eval_celu_matches_the_seed_values() -> None:
    r = run("eval", "celu", "-0.8057", "-0.8352")
    assert r.exit_code == 0, r.output
    assert "-0.5532249" in r.stdout and "-0.5662123" in r.stdout
    assert "dtype=float32" in r.stdout


def test_eval_as_subprocess() -> None:
    r = run_subprocess("eval", "celu", "-0.8057", "-0.8352")
    assert r.returncode == 0, r.stderr
    assert "-0.5532249" in r.stdout and "-0.5662123" in r.stdout


def test_console_script_is_installed() -> None:
    """``pip install -e .`` puts an ``actfn`` script next to the interpreter's scripts."""
    candidates = [Path(sysconfig.get_path("scripts")) / "actfn", Path(sys.executable).parent / "actfn"]
    found = [str(c) for c in candidates if c.is_file()] + [w for w in [shutil.which("actfn")] if w]
    assert found, "the actfn console script is not installed"
    r = subprocess.run([found[0], "eval", "celu", "-0.8057"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and "-0.5532249" in r.stdout, r.stderr


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["celu", "gelu", "sigmoid", "softplus", "hardswish"])
def test_eval_round_trips_every_dtype(name: str, dtype: str) -> None:
    xs = ["-3.5", "-0.8057", "-1e-3", "0", "0.75", "2", "7.25"]
    r = run("eval", name, *xs, "--dtype", dtype)
    assert r.exit_code == 0, r.output
    rows = [line.split() for line in r.stdout.splitlines()[2:]]
    assert len(rows) == len(xs)
    dt = parse_dtype(dtype)
    x = np.asarray([float(v) for v in xs]).astype(dt)
    act = actfn.get(name)
    expected = [x, act(x), act.derivative(x), act.second_derivative(x)]
    for col, exp in enumerate(expected):
        got = np.asarray([float(row[col]) for row in rows]).astype(dt)
        assert np.array_equal(got.view(np.uint8), np.asarray(exp, dtype=dt).view(np.uint8)), col


def test_format_value_is_shortest_round_trip() -> None:
    assert format_value(np.float32(-0.5532249)) == "-0.5532249"
    assert format_value(np.float64(0.1)) == "0.1"
    assert format_value(np.float32(np.inf)) == "inf"
    assert format_value(np.float64(1e-300)) == "1e-300"


def test_eval_params_repeatable() -> None:
    r = run("eval", "rrelu", "-1", "--param", "lower=0.1", "--param", "upper=0.3")
    assert r.exit_code == 0, r.output
    assert "lower=0.1" in r.stdout and "upper=0.3" in r.stdout
    assert re.search(r"-1\s+-0\.2\s", r.stdout)
    r = run("eval", "gelu", "1", "-p", "approximate=tanh", "--dtype", "float64")
    assert r.exit_code == 0 and "approximate='tanh'" in r.stdout


# -- errors: one line on stderr, exit code 2, no traceback ---------------------------------------
@pytest.mark.parametrize(
    "args, message",
    [
        (["eval", "celu2", "1"], "did you mean 'celu'"),
        (["show", "sigmod"], "did you mean 'sigmoid'"),
        (["eval", "celu", "abc"], "cannot parse 'abc' as a number"),
        (["eval", "celu", "1", "--param", "alpha"], "expected NAME=VALUE"),
        (["eval", "celu", "1", "--param", "alpha=x"], "'x' is not a number"),
        (["eval", "celu", "1", "--param", "beta=1"], "has no parameter 'beta'"),
        (["eval", "celu", "1", "--param", "alpha=-1"], "out of range"),
        (["eval", "gelu", "1", "--param", "approximate=fast"], "must be one of"),
        (["eval", "celu", "1", "--dtype", "int8"], "unknown --dtype"),
        (["show", "celu", "--lang", "fr"], "unknown --lang"),
        (["plot", "celu", "--range", "2", "x", "-o", "f.png"], "cannot parse 'x'"),
        (["plot", "celu", "--range", "2", "1", "-o", "f.png"], "need finite LO < HI"),
        (["plot", "celu", "-o", "f.gif"], "unknown image format"),
        (["plot", "celu", "-o", "no/such/dir/f.png"], "does not exist"),
        (["compare", "relu", "nope"], "unknown activation 'nope'"),
        (["compare", "relu", "gelu", "--layout", "x"], "unknown --layout"),
        (["atlas", "-o", "no/such/dir/site"], "does not exist"),
    ],
)
def test_user_errors(args: list[str], message: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("actfn: error: "), r.stderr
    assert message in lines[0]
    assert "Traceback" not in r.output
    assert list(tmp_path.iterdir()) == []  # no partial file


def test_errors_as_subprocess(tmp_path: Path) -> None:
    r = run_subprocess("plot", "relu", "-o", str(tmp_path / "missing" / "r.png"))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    r = run_subprocess("eval", "celu2", "0")
    assert r.returncode == 2 and "did you mean 'celu'" in r.stderr


def test_atlas_refuses_to_overwrite_other_directories(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    r = run("atlas", "-o", str(tmp_path), "--quiet")
    assert r.exit_code == 2 and "refusing to overwrite" in r.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"


# -- list / show ---------------------------------------------------------------------------------
def test_list_shows_every_activation() -> None:
    r = run("list")
    assert r.exit_code == 0
    for name in actfn.names():
        assert re.search(rf"\b{name}\b", r.stdout), name
    assert "C∞" in r.stdout and "C⁰" in r.stdout  # C^∞ written as in print (issue 14)


@pytest.mark.parametrize("name", actfn.names())
def test_show_every_activation(name: str) -> None:
    r = run("show", name)
    assert r.exit_code == 0, r.output
    for section in ("Formula", "Properties", "Frameworks", "Strengths", "Weaknesses",
                    "Typical use"):
        assert section in r.stdout, section
    spec = actfn.lookup(name)
    assert spec.knowledge.prose["en"].strengths[0][:30].split()[0] in r.stdout
    for eq in spec.knowledge.frameworks:
        assert eq.framework in r.stdout


def test_show_chinese_and_params() -> None:
    r = run("show", "leaky_relu", "--lang", "zh", "--param", "negative_slope=0.2")
    assert r.exit_code == 0, r.output
    assert "优点" in r.stdout and "缺点" in r.stdout and "常见但错误的说法" in r.stdout
    assert "negative_slope=0.2" in r.stdout


# -- plot / compare ------------------------------------------------------------------------------
def test_plot_writes_a_decodable_figure(tmp_path: Path) -> None:
    out = tmp_path / "celu.png"
    r = run("plot", "celu", "--param", "alpha=0.5", "--range", "-3", "3", "--second",
            "-o", str(out))
    assert r.exit_code == 0, r.output
    img = mpimg.imread(out)
    assert img.shape[:2] == (440, 640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["celu.png"]


def test_compare_figure_and_table(tmp_path: Path) -> None:
    r = run("compare", "relu", "gelu", "silu", "-o", str(tmp_path / "c.svg"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "c.svg").read_bytes().lstrip().startswith(b"<?xml")
    r = run("compare", "relu", "gelu", "--layout", "grid", "-o", str(tmp_path / "c.pdf"))
    assert r.exit_code == 0 and (tmp_path / "c.pdf").read_bytes()[:5] == b"%PDF-"
    r = run("compare", "relu", "selu", "tanh")
    assert r.exit_code == 0
    assert "monotone" in r.stdout and "selu" in r.stdout


# -- the README's shell examples run as written ----------------------------------------------------
def _readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.find("## The atlas")
    if start < 0:
        return []  # test_readme_has_cli_examples reports it
    end = text.find("\n## ", start + 1)
    section = text[start: end if end > 0 else None]
    cmds = []
    for block in re.findall(r"```(?:bash|console|sh)\n(.*?)```", section, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("actfn ") and not line.startswith("actfn atlas"):
                cmds.append(line.split("  #")[0].strip())
    return cmds


def test_readme_has_cli_examples() -> None:
    assert len(_readme_commands()) >= 4


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_cli_example_runs(command: str, tmp_path: Path) -> None:
    args = shlex.split(command)[1:]
    r = run_subprocess(*args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for arg in args:
        if Path(arg).suffix in (".png", ".svg", ".pdf"):
            assert (tmp_path / arg).stat().st_size > 0
