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
