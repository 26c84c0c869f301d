"""The typed contract between actfn's modules (issue 16, item 5).

1. Every module under ``src/actfn`` that defines public functions or classes declares
   ``__all__``, and every name listed there exists once the module is imported.
2. No module uses another actfn module's ``_private`` name, neither by ``from M import
   _name`` nor as ``M._name``. Private *modules* (``actfn._safe_io``, ``actfn._fast``,
   ``atlas._build`` …) are internal packages and may be imported anywhere inside actfn;
   what crosses a module boundary are their public names (a private module with public
   names, as :mod:`actfn._format` or :mod:`actfn.cli._common`).

Both checks read the source with :mod:`ast`, so a new module is checked the moment it
exists. Offenders in files that other work in progress is changing sit in the
allowlists below, each with the reason; the lists only shrink.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "actfn"

#: Modules with public functions/classes but no ``__all__`` yet (none left: keep it so).
MISSING_ALL_ALLOWED: frozenset[str] = frozenset()

#: ``(importing module, used module, private name)`` still allowed, with the reason.
PRIVATE_USE_ALLOWED = frozenset({
})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))
            if "__pycache__" not in p.parts}


MODULES = _modules()


def _is_module(name: str) -> bool:
    """Whether ``name`` (dotted) is a module or package of actfn's source tree."""
    return name in MODULES


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module named by ``from … import`` in ``module``."""
    if not node.level:
        return node.module or ""
    base = _package(module, path).split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@dataclass(frozen=True)
class Use:
    """``module`` uses ``name`` of ``source`` (line ``line``)."""

    module: str
    source: str
    name: str
    line: int


def private_uses(module: str, path: Path) -> list[Use]:
    """Every ``_private`` name of another actfn module that ``module`` uses: imported by
    ``from M import _x`` (unless ``M._x`` is a module) or read as ``alias._x`` where
    ``alias`` is bound to an actfn module by an import anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases: dict[str, str] = {}
    uses: list[Use] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(module, path, node)
            if source != "actfn" and not source.startswith("actfn."):
                continue
            for a in node.names:
                target = f"{source}.{a.name}"
                if _is_module(target):
                    aliases[a.asname or a.name] = target
                elif _is_private(a.name) and source != module:
                    uses.append(Use(module, source, a.name, node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "actfn" or a.name.startswith("actfn."):
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        aliases[a.name.split(".")[0]] = a.name.split(".")[0]
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
            continue
        chain = node.value
        dotted: list[str] = []
        while isinstance(chain, ast.Attribute):
            dotted.insert(0, chain.attr)
            chain = chain.value
        if not isinstance(chain, ast.Name) or chain.id not in aliases:
            continue
        source = ".".join([aliases[chain.id], *dotted])
        if _is_module(source) and not _is_module(f"{source}.{node.attr}") and source != module:
            uses.append(Use(module, source, node.attr, node.lineno))
    return uses


def _public_definitions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and not n.name.startswith("_")]


def _declares_all(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for n in tree.body:
        targets = (n.targets if isinstance(n, ast.Assign)
                   else [n.target] if isinstance(n, ast.AnnAssign) else [])
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return True
    return False


# -- the checks ---------------------------------------------------------------------------
@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_with_public_definitions_declare_all(module: str) -> None:
    path = MODULES[module]
    public = _public_definitions(path)
    if module in MISSING_ALL_ALLOWED:
        assert public and not _declares_all(path), (
            f"{module} is allowlisted but no longer needs it: remove it from "
            "MISSING_ALL_ALLOWED")
        return
    if public:
        assert _declares_all(path), f"{module} defines {public[:5]} but has no __all__"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _declares_all(MODULES[m])))
def test_every_name_in_all_exists(module: str) -> None:
    mod = importlib.import_module(module)
    names = list(mod.__all__)
    assert all(isinstance(n, str) for n in names), names
    assert len(names) == len(set(names)), f"{module}.__all__ lists a name twice"
    missing = [n for n in names if not hasattr(mod, n)]
    assert not missing, f"{module}.__all__ lists names it does not have: {missing}"


def test_no_module_uses_another_modules_private_names() -> None:
    found = {u for m, p in MODULES.items() for u in private_uses(m, p)}
    bad = sorted((u for u in found if (u.module, u.source, u.name) not in PRIVATE_USE_ALLOWED),
                 key=lambda u: (u.module, u.line))
    assert not bad, "private names used across modules (make them public names of a " \
        "private module):\n" + "\n".join(f"  {u.module}:{u.line} uses {u.source}.{u.name}"
                                         for u in bad)
    stale = PRIVATE_USE_ALLOWED - {(u.module, u.source, u.name) for u in found}
    assert not stale, f"allowlisted uses that are gone (remove them): {sorted(stale)}"


def test_cli_is_one_module_per_command_group() -> None:
    """Each area of ``actfn.cli.AREAS`` registers its own commands; together they are
    exactly the commands of ``actfn``, none registered by two areas."""
    import typer

    from actfn import cli

    def registered(app: typer.Typer) -> list[str]:
        return ([c.name or "" for c in app.registered_commands]
                + [g.name or g.typer_instance.info.name or "" for g in app.registered_groups])

    seen: list[str] = []
    for area in cli.AREAS:
        mod = importlib.import_module(area)
        assert "register" in mod.__all__, area
        app = typer.Typer()
        mod.register(app)
        assert registered(app), f"{area} registers no command"
        seen += registered(app)
    assert len(seen) == len(set(seen)), seen
    assert set(seen) == set(typer.main.get_command(cli.app).list_commands(None))  # type: ignore[attr-defined,arg-type]


# -- the checker itself, on small sources ---------------------------------------------------
def _uses_in(source: str, tmp_path: Path, module: str = "actfn.cli.demo") -> set[tuple[str, str]]:
    path = tmp_path / "demo.py"
    path.write_text(source, encoding="utf-8")
    return {(u.source, u.name) for u in private_uses(module, path)}


def test_checker_finds_private_names_imported_or_read(tmp_path: Path) -> None:
    src = ("from .. import plot\n"
           "from .._math import _SIG_SCALE_BELOW\n"
           "from ._common import _first_line\n"
           "import actfn.bench as b\n"
           "import actfn\n"
           "def f():\n"
           "    return plot._title, b._median_spread, actfn._BUILTIN\n")
    assert _uses_in(src, tmp_path) == {
        ("actfn.plot", "_title"), ("actfn._math", "_SIG_SCALE_BELOW"),
        ("actfn.cli._common", "_first_line"), ("actfn.bench", "_median_spread"),
        ("actfn", "_BUILTIN")}


def test_checker_allows_private_modules_and_public_names(tmp_path: Path) -> None:
    src = ("from .. import _safe_io, _fast\n"
           "from .._format import format_param\n"
           "from ..atlas import _build\n"
           "import actfn._fast\n"
           "def f(self):\n"
           "    return _safe_io.umask, actfn._fast.available, self._x, _build.build, "
           "format_param\n")
    assert _uses_in(src, tmp_path) == set()
