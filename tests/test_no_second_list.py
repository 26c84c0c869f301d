"""No second list of activation names: everything enumerates the registry.

Scans the Python sources under src/ and tests/ (outside ``actfn/catalog/``, where each
activation lives in its own module) for a list, tuple, set or dict literal holding three
or more activation names (canonical names or aliases). Such a literal is a second list
that a new activation silently misses; enumerate ``actfn.names()`` or read the spec
instead. Literals that must name activations (documentation examples) are allowed
explicitly below, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import actfn

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "src" / "actfn" / "catalog"

#: path relative to the repository → (how many such literals it may hold, why). Keyed by
#: file and count rather than line, so edits elsewhere do not break it while a new list
#: in the same file still fails. Keep it short: each entry is a place a new activation
#: is not seen.
ALLOWED: dict[str, tuple[int, str]] = {
    # The scanner's own fixture.
    "tests/test_no_second_list.py": (1, "the test of the scanner"),
    # Deliberate subsets: experiments and claims are about named activations (their
    # data names what was measured); tests that pick representatives of a behaviour.
    "src/actfn/experiments/_cost.py": (1, "the activations the cost experiment measured"),
    "src/actfn/experiments/_depth.py": (3, "the activations the depth experiment measured"),
    "src/actfn/experiments/_batched.py": (3, "the batched trainer's init rule and its per-model "
                                          "torch formulas for the activations the claims train"),
    "src/actfn/experiments/_judges.py": (1, "a judge about the activations its claim names"),
    "tests/test_experiments.py": (1, "checks an experiment's subset"),
    "tests/test_claims_v4.py": (1, "a depth-experiment result, with the inits its activations "
                                "were measured under"),
    "tests/test_atlas2.py": (2, "pages picked as examples"),
    "tests/test_plot.py": (1, "a plot of several named curves"),
    "tests/test_cli.py": (1, "CLI examples"),
    "tests/hostile/test_autodiff.py": (2, "representatives of a behaviour"),
    "tests/hostile/test_numpy_path.py": (2, "representatives of a behaviour"),
    "tests/test_audit.py": (2, "the known framework defects name their activations; a "
                            "plugin that provides some and lacks others"),
    # The naive NumPy baselines of the benchmark's "numpy naive" column: textbook
    # formulas of the benchmark, not of the activations (a name without one gets "-").
    "src/actfn/bench.py": (1, "the benchmark's naive NumPy baselines"),
}


def _names() -> set[str]:
    return set(actfn.names(kind="all")) | set(actfn.aliases(kind="all"))


def literals_naming_activations(path: Path, names: set[str]) -> list[tuple[int, list[str]]]:
    """(line, names) of each literal in ``path`` with >= 3 distinct activation names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = node.elts
        elif isinstance(node, ast.Dict):
            items = [k for k in node.keys if k is not None]
        else:
            continue
        hits = sorted({e.value for e in items
                       if isinstance(e, ast.Constant) and isinstance(e.value, str)
                       and e.value in names})
        if len(hits) >= 3:
            found.append((node.lineno, hits))
    return found


def _sources() -> list[Path]:
    files = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    return [p for p in files if CATALOG not in p.parents]


def test_no_hard_coded_lists_of_activation_names() -> None:
    names = _names()
    offenders = []
    for path in _sources():
        rel = path.relative_to(ROOT).as_posix()
        found = literals_naming_activations(path, names)
        allowed = ALLOWED.get(rel, (0, ""))[0]
        if len(found) > allowed:
            offenders += [f"{rel}:{line}: {', '.join(hits)}" for line, hits in found]
    assert not offenders, (
        "hard-coded lists of activation names (enumerate actfn.names() / the specs instead):\n"
        + "\n".join(offenders)
    )


def test_the_scan_finds_a_list(tmp_path: Path) -> None:
    """The scanner itself: a literal with three names is found, two names are not."""
    src = tmp_path / "m.py"
    src.write_text('A = ["relu", "tanh", "linear"]\nB = ("relu", "tanh")\nC = {"gelu": 1, '
                   '"silu": 2, "mish": 3}\n', encoding="utf-8")
    found = literals_naming_activations(src, _names())
    assert [line for line, _ in found] == [1, 3]
    assert found[0][1] == ["linear", "relu", "tanh"]


def test_allowlist_entries_still_exist() -> None:
    """An allowlist entry must not allow more literals than its file holds (so that a
    list that goes away takes its allowance with it)."""
    names = _names()
    for rel, (count, _) in ALLOWED.items():
        assert len(literals_naming_activations(ROOT / rel, names)) == count, rel
