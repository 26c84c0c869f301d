"""Regression tests for the reviewer's defects of the claims audit (issue 15, second pass):
each test names the defect it pins."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from actfn.cli import app
from actfn.experiments import _tasks

runner = CliRunner()


def _lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def test_scheduler_without_distributed_is_one_line_naming_the_extra(monkeypatch,
                                                                    tmp_path) -> None:
    """#8: ``--scheduler local`` without ``distributed`` exits 2 with one line, before
    any work, and never leaves a traceback (execute() imported it before the check)."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # import raises ImportError
    out = tmp_path / "r"
    res = runner.invoke(app, ["claims", "run", "selu-constants", "--scheduler", "local",
                              "-o", str(out)])
    assert res.exit_code == 2, res.output
    lines = _lines(res.output)
    assert len(lines) == 1 and "actfn[claims]" in lines[0] and "distributed" in lines[0]
    assert not out.exists()  # refused before the folder is made
    task = _tasks.Task("selu-fixed-point", "", (), {"quick": False})
    with pytest.raises(_tasks.MissingExtra, match="distributed"):
        _tasks.execute([task], scheduler="local")


@pytest.mark.parametrize(("args", "option"), [
    (["--seeds", "0"], "--seeds"), (["--seeds", "1"], "--seeds"),
    (["--scale", "1000"], "--scale"), (["--scale", "0"], "--scale"),
    (["--seed-start", "-1"], "--seed-start"), (["--seed-batch", "0"], "--seed-batch"),
    (["--workers", "0"], "--workers")])
def test_bad_run_sizes_are_one_line_naming_the_option(args, option, tmp_path) -> None:
    """#12, #14: out-of-range sizes give one ``actfn: error:`` line (exit 2), not typer's
    multi-line usage box; nothing is written."""
    out = tmp_path / "r"
    res = runner.invoke(app, ["claims", "run", "selu-constants", *args, "-o", str(out)])
    assert res.exit_code == 2, res.output
    lines = _lines(res.output)
    assert len(lines) == 1 and lines[0].startswith("actfn: error: " + option + "="), lines
    assert not out.exists()


def test_claims_list_shows_each_pre_registered_rule(monkeypatch) -> None:
    """#14: ``actfn claims`` shows each claim's rule kind and margin, wide and narrow."""
    from actfn.experiments import claims

    for width in ("160", "80"):
        monkeypatch.setenv("COLUMNS", width)
        res = runner.invoke(app, ["claims"])
        assert res.exit_code == 0, res.output
        flat = " ".join(res.output.split())
        for rule in ("paired-difference ±0.005", "variants-equivalent ±0.005", "trend ±0.01"):
            assert rule in flat, (width, rule)
        assert sum(c.rule["kind"] in flat for c in claims()) == len(claims())


def test_another_claim_selection_never_replaces_a_report(tmp_path) -> None:
    """#7: the claim selection is part of the plan check: a run of other claims into an
    existing report folder is refused with one line and leaves the report as it was; the
    same selection may rewrite (resume) it."""
    out = tmp_path / "r"
    first = runner.invoke(app, ["claims", "run", "selu-constants", "--no-figures", "-o",
                                str(out)])
    assert first.exit_code == 0, first.output
    before = (out / "README.md").read_text()
    other = runner.invoke(app, ["claims", "run", "celu-alpha-zero-is-relu", "--no-figures", "-o",
                                str(out)])
    assert other.exit_code != 0
    lines = _lines(other.output)
    assert len(lines) == 1 and "other claims" in lines[0] and "selu-constants" in lines[0]
    assert (out / "README.md").read_text() == before
    again = runner.invoke(app, ["claims", "run", "selu-constants", "--no-figures", "-o",
                                str(out)])
    assert again.exit_code == 0, again.output


def test_cache_key_covers_actfn_version_and_experiment_code(monkeypatch, tmp_path) -> None:
    """#13: a cached result of another actfn version or of other experiment code is never
    reused: both are hashed into the task key (and only the experiment's own code)."""
    import actfn

    task = _tasks.Task("selu-fixed-point", "", (), {"quick": False}, 3)
    other = _tasks.Task("zero-centred", "", (), {"quick": False}, 3)
    key, other_key = task.key, other.key
    _tasks.store(tmp_path, task, {"x": 1.0})
    assert _tasks.load_cached(tmp_path, task) == ({"x": 1.0}, 0.0)

    _tasks.code_hash.cache_clear()
    monkeypatch.setattr(actfn, "__version__", "99.0.0")
    assert task.key != key
    assert _tasks.load_cached(tmp_path, task) is None
    monkeypatch.undo()
    _tasks.code_hash.cache_clear()
    assert task.key == key

    real = _tasks.Path.read_bytes

    def edited(self):  # as if _selu.py had been edited since the result was cached
        data = real(self)
        return data + b"\n# edited\n" if self.name == "_selu.py" else data

    monkeypatch.setattr(_tasks.Path, "read_bytes", edited)
    _tasks.code_hash.cache_clear()
    try:
        assert task.key != key and other.key == other_key
        assert _tasks.load_cached(tmp_path, task) is None
    finally:
        monkeypatch.undo()
        _tasks.code_hash.cache_clear()
