"""``actfn bench`` on a tiny size: the command runs end to end and reports every column;
the engine (:mod:`actfn.bench`) on its own and on synthetic timings.

No timing is asserted (the numbers depend on the machine); only that the run completes,
prints the table and writes the JSON and figure outputs, that bad arguments give
one-line errors, and that given timings become the right rates, ratios and table.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actfn import bench
from actfn.cli import app

SRC = Path(__file__).resolve().parents[1] / "src"

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


# -- the engine (actfn.bench), without the CLI ------------------------------------------------
def test_engine_runs_without_typer() -> None:
    """actfn.bench measures and formats with typer unimportable (the CLI only parses)."""
    code = ("import sys; sys.modules['typer'] = None\n"
            "from actfn.bench import run_bench, format_table\n"
            "r = run_bench(['relu', 'gelu_tanh'], 64, ['float32'], 1, 1, small=16)\n"
            "print(type(r).__name__, sorted(r.dtypes['float32'].rows))\n"
            "print('| gelu_tanh |' in format_table(r))\n")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["BenchResults ['gelu_tanh', 'relu']", "True"]


def test_results_are_typed_records_whose_dict_is_the_json() -> None:
    res = bench.run_bench(["sigmoid"], 128, ["float64"], threads=1, repeats=2, small=32)
    assert isinstance(res, bench.BenchResults) and isinstance(res.machine, bench.Machine)
    d64 = res.dtypes["float64"]
    assert isinstance(d64, bench.DtypeResult)
    row = d64.rows["sigmoid"]
    assert isinstance(row, bench.Row)
    assert set(row.impls) <= set(bench.IMPLEMENTATIONS)
    assert {"actfn", "actfn out=", "numpy (actfn fallback)"} <= set(row.impls)
    assert all(isinstance(r, bench.Rate) and r.best_gel_s >= r.gel_s > 0
               for r in row.impls.values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.small_us = 0.0  # type: ignore[misc]
    data = json.loads(json.dumps(res.to_dict()))
    assert (data["size"], data["threads"], data["repeats"], data["small"]) == (128, 1, 2, 32)
    assert set(data["machine"]) == {"cpu", "cpus", "load_before", "load_after"}
    out = data["dtypes"]["float64"]["rows"]["sigmoid"]
    assert out["actfn"] == dataclasses.asdict(row.impls["actfn"])
    assert out["small_us"] == row.small_us and out["gb_s"] == row.gb_s


def _synthetic() -> tuple[bench.DtypeResult, bench.BenchResults]:
    us = 1e-6
    times = {("@ceiling", "r1w2"): [us, us, us], ("@ceiling", "copy"): [us],
             ("@ceiling", "exp"): [2 * us], ("relu", "actfn"): [2 * us],
             ("relu", "actfn out="): [us, us], ("relu", "torch"): [4 * us, 4 * us]}
    small = {"relu": [us, 3 * us, 2 * us], "relu@alloc": [5 * us]}
    d = bench.summarize(["relu"], times, small, size=1000, itemsize=4)
    res = bench.BenchResults(size=1000, threads=2, repeats=3, small=16,
                             machine=bench.Machine("cpu0", 2, (0.5, 0.0, 0.0), (1.25, 0.0, 0.0)),
                             compiled=True, dtypes={"float32": d})
    return d, res


def test_summarize_computes_rates_ceilings_and_ratios() -> None:
    d, _ = _synthetic()
    # 1000 elements in 1 µs = 1 G el/s; copy: 2 values x 4 bytes = 8 GB/s -> 8/12 G el/s
    assert d.ceilings["r1w2"] == bench.Ceiling(gel_s=1.0, gb_s=12.0, spread=0.0)
    assert d.ceilings["copy"].gb_s == pytest.approx(8.0)
    assert d.memory_gel_s == pytest.approx(1.0) and d.roof_gel_s == pytest.approx(0.5)
    row = d.rows["relu"]
    assert row.impls["actfn out="].gel_s == pytest.approx(1.0)
    assert row.impls["torch"].gel_s == pytest.approx(0.25)
    assert (row.gb_s, row.pct_mem, row.pct_roof) == pytest.approx((12.0, 100.0, 200.0))
    assert (row.x_torch, row.x_torch_out) == pytest.approx((2.0, 4.0))
    assert row.x_jax is None and "x_jax" not in row.to_dict()
    assert (row.small_us, row.small_alloc_us) == pytest.approx((2.0, 5.0))


def test_format_table_prints_the_records() -> None:
    _, res = _synthetic()
    lines = bench.format_table(res).splitlines()
    assert lines[0].startswith("size 1,000 elements, 2 threads, 3 interleaved rounds; 2 CPUs "
                               "(cpu0); load average before/after 0.50/1.25; compiled path: on")
    assert lines[2].startswith("**float32** ceilings: r1w2 1.000 G el/s = 12.0 GB/s (spread 0%)")
    assert lines[3] == ("→ memory ceiling for f and f′ 1.000 G el/s, roof min(memory, exp) "
                        "0.500 G el/s")
    assert ("| relu | 0.500 ±0% | 1.000 ±0% | 12.0 | 200 | — | — | 0.250 ±0% | — "
            "| 2.00 / 4.00 | — | 2.0 / 5.0 |") in lines


def test_check_labels_accepts_pseudo_labels_and_names_unknown_ones() -> None:
    bench.check_labels(["relu", *bench.PSEUDO])
    with pytest.raises(ValueError, match="unknown activation 'celu2'"):
        bench.check_labels(["relu", "celu2"])


@pytest.mark.parametrize(("kwargs", "msg"), [
    ({"labels": ["celu2"]}, "unknown activation 'celu2'"),
    ({"dtypes": ["int8"]}, "dtypes=['int8']: need one or more of float16"),
    ({"dtypes": []}, "dtypes=[]"),
    ({"size": 0}, "size=0: need an integer >= 1"),
    ({"size": 2.5}, "size=2.5: need an integer"),
    ({"threads": 0}, "threads=0"),
    ({"repeats": -1}, "repeats=-1"),
    ({"small": 128}, "small=128 is larger than size=64"),
])
def test_engine_refuses_bad_arguments_by_name(kwargs: dict[str, object], msg: str) -> None:
    args = {"labels": ["relu"], "size": 64, "dtypes": ["float32"], "threads": 1, "repeats": 1,
            "small": 16, **kwargs}
    with pytest.raises(ValueError, match=re.escape(msg)):
        bench.run_bench(**args)  # type: ignore[arg-type]


def test_bench_cases_are_registry_data() -> None:
    """The default labels come from each spec's ``bench`` (no list in the engine): every
    label binds its spec's parameters, and a label that is not a registry name is in
    PSEUDO (gelu carries both approximate settings)."""
    import actfn

    assert bench.SEEDS and len(set(bench.SEEDS)) == len(bench.SEEDS)
    for label in bench.SEEDS:
        name, params = bench.PSEUDO.get(label, (label, {}))
        assert actfn.lookup(name).bench[label] == params
        actfn.get(name, **params)
    assert bench.PSEUDO == {"gelu_tanh": ("gelu", {"approximate": "tanh"})}
    assert {"gelu", "gelu_tanh"} <= set(bench.SEEDS)
    assert not set(bench.PSEUDO) & set(actfn.names())


# -- actfn bench --gated: profiler noise and the spread column ------------------------------------
def test_gated_bench_silences_the_profiler_but_not_real_errors(capfd) -> None:
    import torch

    from actfn import _bench_gated as bg

    g = torch.randn(256, requires_grad=True)
    u = torch.randn(256, requires_grad=True)
    peak = bg._peak_bytes(bg._composition("swiglu"), g, u, torch.ones(256))
    assert peak is not None and peak > 0
    with bg._quiet_profiler():
        os.write(2, b"USDT:2026-12-01 12:00:00 1:1 SyncActivityProfilerHandler.cpp:52] "
                    b"profiler_start\nreal error: kept\n")
    err = capfd.readouterr().err
    assert "USDT" not in err and "profiler_start" not in err
    assert "real error: kept" in err


def test_gated_bench_spread_is_not_made_up_from_too_few_repeats() -> None:
    from actfn import _bench_gated as bg

    assert bg._median_spread([1.0, 3.0]) == (2.0, None)
    assert bg._median_spread([1.0, 2.0, 4.0]) == (2.0, 1.5)  # 3 rounds: the range
    rows = [bg.GatedRow("swiglu", "float32", "actfn", 1e-3, None, 8.0, 12.0),
            bg.GatedRow("swiglu", "float32", "eager", 2e-3, 0.25, 12.0, 16.0)]
    table = bg.format_gated(rows)
    assert "| swiglu | float32 | actfn | 1.00 | n/a |" in table
    assert "| swiglu | float32 | eager | 2.00 | 25% |" in table


def test_bench_cli_warns_when_the_load_average_exceeds_the_cpus(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (9.5, 7.0, 4.0))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    out = tmp_path / "bench.json"
    r = runner.invoke(app, ["bench", "relu", "--size", "64", "--repeats", "1", "--threads", "1",
                            "--dtype", "float32", "-o", str(out)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("size 64 elements"))
    assert "load average before/after 9.50/9.50" in lines[i]
    assert lines[i + 1] == ("warning: the host was loaded (1-minute load average 9.50 > 2 CPUs): "
                            "rates and ceilings are low and noisy; compare the ratios, or rerun "
                            "on a quiet machine")
    assert sum("warning: the host" in line for line in lines) == 1
    data = json.loads(out.read_text())
    assert data["machine"]["load_before"] == [9.5, 7.0, 4.0] and data["machine"]["cpus"] == 2
    assert data["load_warning"] == lines[i + 1]


@pytest.mark.parametrize(
    ("before", "after", "cpus", "warns"),
    [((0.5, 0, 0), (1.25, 0, 0), 2, False), ((2.0, 9, 9), (2.0, 9, 9), 2, False),
     ((2.01, 0, 0), (0.1, 0, 0), 2, True), ((0.1, 0, 0), (3.0, 0, 0), 2, True),
     ((math.nan,) * 3, (math.nan,) * 3, 2, False), ((9.0, 0, 0), (9.0, 0, 0), None, False)],
)
def test_load_warning_compares_the_one_minute_load_with_the_cpus(before, after, cpus,
                                                                 warns) -> None:
    m = bench.Machine("cpu0", cpus, before, after)
    assert (bench.load_warning(m) is not None) is warns
    _, res = _synthetic()
    res = dataclasses.replace(res, machine=m)
    assert ("warning: the host was loaded" in bench.format_table(res)) is warns
    assert (res.to_dict()["load_warning"] is not None) is warns


def test_bench_without_getloadavg_records_nan(monkeypatch) -> None:
    monkeypatch.delattr(os, "getloadavg")  # as on Windows
    res = bench.run_bench(["relu"], 64, ["float32"], threads=1, repeats=1, small=16)
    assert all(math.isnan(v) for v in res.machine.load_before + res.machine.load_after)
    assert bench.load_warning(res.machine) is None
    assert "warning" not in bench.format_table(res)
