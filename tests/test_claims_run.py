"""Running the audit: quick runs through the CLI, the result cache and resuming, Dask
(a 2-worker LocalCluster), reports that never clobber, the extra that training needs, a
BatchNorm baseline that trains, and instruction counts that hold under CPU load."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actfn.cli import app
from actfn.experiments import _report, _tasks, resolve

runner = CliRunner()

#: Cheap claims covering an exact experiment and two training experiments.
SMALL = ["selu-constants", "relu-sparse", "gelu-generalises-better", "relu-dying"]


def _run(*args: str) -> object:
    return runner.invoke(app, ["claims", "run", *args])


def test_quick_run_writes_a_report_and_never_decides_statistics(tmp_path) -> None:
    out = tmp_path / "r"
    res = _run(*SMALL, "--quick", "--seeds", "2", "-o", str(out))
    assert res.exit_code == 0, res.output
    data = json.loads((out / "results.json").read_text())
    v = data["verdicts"]
    assert set(v) == set(SMALL)
    assert v["selu-constants"]["kind"] == "supported"  # exact: decided even in quick
    assert v["relu-sparse"]["kind"] == "supported"
    for cid in ("gelu-generalises-better", "relu-dying"):
        assert (v[cid]["kind"], v[cid]["condition"]) == ("inconclusive", "quick")
    text = (out / "README.md").read_text()
    assert "Pre-registered rule:" in text and "kind = \"paired-difference\"" in text
    for png in ("selu-fixed-point.png", "training.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert data["plan"]["seeds"] == [0, 1] and data["quick"] is True
    # the same folder, another plan (full): refused before any work, one line
    res = _run(*SMALL, "--seeds", "2", "-o", str(out))
    assert res.exit_code != 0 and "another plan" in res.output


def test_a_log_gets_progress_lines(tmp_path) -> None:
    """Off a terminal (a log file, CI) rich draws no bar; the run still reports its tasks
    done, then how many came from the cache on a rerun."""
    import re

    out = tmp_path / "r"
    for cached in (False, True):
        res = _run("selu-constants", "--quick", "--seeds", "2", "--no-figures", "-o", str(out))
        assert res.exit_code == 0, res.output
        lines = re.findall(r"^claims: (\d+)/(\d+) tasks \((\d+) cached\), \d+ s$", res.output,
                           re.M)
        assert lines, res.output
        done, total, n_cached = map(int, lines[-1])
        assert done == total > 0 and n_cached == (total if cached else 0)


def test_cache_resumes_an_interrupted_run(tmp_path) -> None:
    claims = resolve(["gelu-generalises-better"])
    plan_kw = {"quick": True, "seeds": 2}
    cache = tmp_path / "cache"
    seen: list[bool] = []
    first = _report.run(claims, cache=cache, on_done=lambda t, d, n, c: seen.append(c), **plan_kw)
    assert seen and not any(seen)
    files = sorted(cache.iterdir())
    assert len(files) == first["tasks"]
    files[0].unlink()  # as if interrupted before the last task was stored
    seen.clear()
    again = _report.run(claims, cache=cache, on_done=lambda t, d, n, c: seen.append(c), **plan_kw)
    assert seen.count(False) == 1 and seen.count(True) == len(files) - 1
    assert again["results"]["training"]["parts"] == first["results"]["training"]["parts"]


def test_dask_local_cluster_gives_the_same_results(tmp_path) -> None:
    pytest.importorskip("distributed")
    claims = resolve(["relu-dying"])
    kw = {"quick": True, "seeds": 2, "seed_batch": 1}
    here = _report.run(claims, **kw)
    seen: list[str] = []
    there = _report.run(claims, scheduler="local", workers=2, cache=tmp_path / "c",
                        on_done=lambda t, d, n, c: seen.append(t.key), **kw)
    assert there["scheduler"] == "local" and there["workers"] == 2
    assert len(seen) == here["tasks"] == 2 * 10 * 2  # data sets × arms × seed batches
    assert there["results"]["training"]["parts"] == here["results"]["training"]["parts"]
    v1 = _report.judge(claims, here["results"])
    v2 = _report.judge(claims, there["results"])
    assert v1 == v2


def test_task_keys_are_stable_and_name_their_work() -> None:
    from actfn.experiments._claims import plan

    p = plan(quick=True, seeds=3)
    t1 = _tasks.plan_tasks(["training"], p)
    t2 = _tasks.plan_tasks(["training"], plan(quick=True, seeds=3))
    assert [t.key for t in t1] == [t.key for t in t2]
    assert t1[0].key.startswith("training/digits/relu/s0-2/")
    other = _tasks.plan_tasks(["training"], plan(quick=True, seeds=3, seed_start=10))
    assert other[0].key.startswith("training/digits/relu/s10-12/")
    assert {t.key for t in t1}.isdisjoint({t.key for t in other})
    with pytest.raises(ValueError, match="seeds=1"):
        plan(seeds=1)
    with pytest.raises(ValueError, match="scale=1000000000.0 must be in"):
        plan(scale=1e9)
    res = _run("relu-dying", "--quick", "--scale", "1e9", "-o", "unused-folder")
    assert res.exit_code == 2 and "--scale" in res.output


def test_foreign_folder_is_refused(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    res = _run("selu-constants", "-o", str(tmp_path))
    assert res.exit_code != 0 and "not empty" in res.output
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_quick_and_full_default_to_different_folders() -> None:
    import inspect

    from actfn.cli import claims as _cli_claims

    src = inspect.getsource(_cli_claims)
    assert '"claims-report-quick" if quick else "claims-report"' in src


_BLOCK_TORCH = ("import sys; sys.modules['torch'] = None; sys.argv = ['actfn'] + sys.argv[1:]; "
                "from actfn.cli import main; main()")


def test_training_claims_without_torch_exit_2_naming_the_extra(tmp_path) -> None:
    env_src = str(Path(_report.__file__).resolve().parents[2])
    env = {"PYTHONPATH": env_src, "PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    r = subprocess.run([sys.executable, "-c", _BLOCK_TORCH, "claims", "run",
                        "gelu-generalises-better", "-o", str(tmp_path / "a")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "actfn[claims]" in lines[0] and "torch" in lines[0]
    assert not (tmp_path / "a").exists()
    # a NumPy/SciPy-only claim runs with the light install
    r = subprocess.run([sys.executable, "-c", _BLOCK_TORCH, "claims", "run", "selu-constants",
                        "--no-figures", "-o", str(tmp_path / "b")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    v = json.loads((tmp_path / "b" / "results.json").read_text())["verdicts"]
    assert v["selu-constants"]["kind"] == "supported"


def test_batchnorm_baseline_trains() -> None:
    from actfn.experiments._batched import splits, train_batched

    seeds = [0, 1]
    r = train_batched(splits("digits", seeds), "relu", [1e-2], epochs=3, batch=64, width=32,
                      depth=6, batchnorm=True, seed_keys=seeds)
    # 1078 training samples, batch 64: the last 54 are dropped, never a batch of 3
    assert r["n_train"] % 64 != 0
    for s in range(2):
        assert r["train_acc"][s][0][0] > 0.85 and r["test_acc"][s][0][0] > 0.8


def _busy(stop: float) -> None:
    x = 0
    while time.time() < stop:
        x += 1


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_instruction_counts_hold_under_cpu_load() -> None:
    from actfn.experiments._cost import KERNELS, instructions

    kernels = {k: KERNELS[k] for k in ("relu", "elu")}
    quiet = instructions(4096, kernels)
    stop = time.time() + 120
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_busy, args=(stop,), daemon=True) for _ in range(2)]
    for p in procs:
        p.start()
    try:
        loaded = instructions(4096, kernels)
    finally:
        for p in procs:
            p.terminate()
            p.join()
    for k in kernels:
        for w in ("f", "df"):
            assert loaded[k][w] == pytest.approx(quiet[k][w], rel=1e-3), (k, w)
    assert quiet["elu"]["f"] / quiet["relu"]["f"] > 1.1
