"""Regression tests for the hostile review of issue 14 on the CLI side: each
``test_review_NN_*`` pins the fix of review defect NN (``actfn atlas --force``,
``actfn explore --claims``, table wrapping)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from actfn import _safe_io
from actfn.atlas import _build
from actfn.cli import app

runner = CliRunner()


def run(*args: str, **kw):
    return runner.invoke(app, list(args), **kw)


def tree(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


# -- 5: --force never replaces a file actfn did not write -----------------------------------
def test_review_05_force_refuses_user_files_up_front_naming_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_build, "names", lambda: ["relu", "celu"])
    drawn: list[object] = []
    from actfn import plot

    real = plot.save
    monkeypatch.setattr(plot, "save", lambda fig, path: (drawn.append(path), real(fig, path)))
    ow = tmp_path / "ow"
    (ow / "img").mkdir(parents=True)
    (ow / "index.html").write_text("MINE")
    (ow / "atlas.js").write_text("MINE2")
    (ow / "img" / "celu.png").write_text("MINE3")
    (ow / "relu.html").write_text("MINE4")
    (ow / "style.css").write_text("MINE5")
    before = tree(ow)
    r = run("atlas", "-o", str(ow), "--force", "--lang", "en", "-q")
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()
    assert "refusing to overwrite 5 file(s)" in line and "and 2 more" in line
    assert "index.html" in line or "atlas.js" in line
    assert "--force never replaces" in line
    assert tree(ow) == before and drawn == []  # nothing written, no work done
    # without the user's files, --force adds the atlas beside what is left
    for f in ("index.html", "atlas.js", "img/celu.png", "relu.html", "style.css"):
        (ow / f).unlink()
    (ow / "notes.txt").write_text("keep")
    r = run("atlas", "-o", str(ow), "--force", "--lang", "en", "-q")
    assert r.exit_code == 0, r.output
    assert (ow / "notes.txt").read_text() == "keep"
    assert "notes.txt" not in json.loads((ow / _safe_io.MANIFEST).read_text())["files"]


def test_review_05_force_still_replaces_files_of_another_actfn_record(tmp_path: Path) -> None:
    root = tmp_path / "r"
    with _safe_io.OwnedDir(root, tool="actfn one") as owned:
        owned.write_text("shared.txt", "one")
    (root / "user.txt").write_text("mine")
    with pytest.raises(_safe_io.OutputPathError, match="user.txt"):
        _safe_io.OwnedDir(root, tool="actfn two", force=True, planned=["user.txt"])
    with _safe_io.OwnedDir(root, tool="actfn two", force=True,
                           planned=["shared.txt"]) as owned:
        owned.write_text("shared.txt", "two")
    assert (root / "shared.txt").read_text() == "two"
    assert (root / "user.txt").read_text() == "mine"


def test_review_05_help_says_force_never_replaces() -> None:
    for cmd in (["atlas", "--help"], ["claims", "run", "--help"]):
        r = run(*cmd, env={"COLUMNS": "200"})
        assert "never replaced" in " ".join(r.output.split()), cmd
