"""``actfn bench`` on a tiny size: the command runs end to end and reports every column.

No timing is asserted (the numbers depend on the machine); only that the run completes,
prints the table and writes the JSON and figure outputs, and that bad arguments give
one-line errors.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from actfn.cli import app

runner = CliRunner()


def test_bench_tiny_json(tmp_path) -> None:
    out = tmp_path / "bench.json"
    r = runner.invoke(app, ["bench", "sigmoid", "relu", "gelu_tanh", "--size", "2^10",
                            "--repeats", "2", "--threads", "1", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "| sigmoid |" in r.output and "| gelu_tanh |" in r.output
    assert "ceilings" in r.output and "% roof" in r.output
    data = json.loads(out.read_text())
    assert data["size"] == 1024 and data["threads"] == 1
    rows = data["dtypes"]["float32"]["rows"]
    assert set(rows) == {"sigmoid", "relu", "gelu_tanh"}
    for row in rows.values():
        assert row["actfn"]["gel_s"] > 0 and row["actfn out="]["gel_s"] > 0
        assert row["numpy (actfn fallback)"]["gel_s"] > 0
        assert row["small_us"] > 0


def test_bench_figure_and_other_dtypes(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    fig = tmp_path / "bench.png"
    r = runner.invoke(app, ["bench", "elu", "--size", "300", "--repeats", "1",
                            "--dtype", "bfloat16", "--dtype", "float64", "-o", str(fig)])
    assert r.exit_code == 0, r.output
    assert "**bfloat16**" in r.output and "**float64**" in r.output
    assert fig.stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        (["bench", "celu2"], "unknown activation 'celu2'"),
        (["bench", "relu", "--dtype", "int8"], "--dtype 'int8' is not one of"),
        (["bench", "relu", "--size", "lots"], "--size 'lots' is not an integer"),
        (["bench", "relu", "--size", "0"], "--size must be at least 1"),
        (["bench", "relu", "-o", "table.txt"], "use a .png, .svg, .pdf or .json"),
    ],
)
def test_bench_errors_are_one_line(args: list[str], msg: str) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    err = r.stderr if hasattr(r, "stderr") else r.output
    assert msg in err and err.strip().count("\n") == 0
