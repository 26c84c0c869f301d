"""CONTRIBUTING.md's recipe works: one module (plus its knowledge file) adds an activation.

The toy activation ``squared_relu`` (tests/toy_activation/) is copied into a temporary
copy of the package, ``catalog/squared_relu.py`` and ``catalog/squared_relu.toml``,
with no other edit; the registry-parametrized suites then run in a subprocess on that
copy, selected with ``-k squared_relu``, and must collect tests for it in every file and
pass. A second test installs the same module as a plug-in distribution (entry-point
group ``actfn.activations``) instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import actfn

ROOT = Path(__file__).resolve().parents[1]
TOY = Path(__file__).resolve().parent / "toy_activation"
NAME = "squared_relu"

#: The registry-parametrized test files a new activation is tested by, and what each
#: covers: accuracy against its exact formula on both NumPy paths, array-library
#: sweeps, the compiled path, properties and framework parity from its knowledge,
#: torch/jax/keras layers, atlas page, Chinese text, hypothesis and ±inf limits.
SUITES = (
    "tests/test_accuracy.py", "tests/test_sweep.py", "tests/test_fast.py",
    "tests/test_properties.py", "tests/test_parity.py", "tests/test_torch_layers.py",
    "tests/test_jax_layers.py", "tests/test_atlas.py", "tests/test_i18n.py",
    "tests/hostile/test_hypothesis.py",
)
#: Keras' layer tests run per backend in a subprocess of their own (see that file); here
#: the inner run on one backend.
KERAS_SUITE = "tests/test_keras_layers.py"


def _env(pythonpath: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(pythonpath)
    env["CI"] = "true"  # a skip fails, as in CI
    return env


def _copy_package(tmp: Path) -> Path:
    src = tmp / "src"
    shutil.copytree(ROOT / "src" / "actfn", src / "actfn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(TOY / f"{NAME}.py", src / "actfn" / "catalog" / f"{NAME}.py")
    shutil.copy(TOY / f"{NAME}.toml", src / "actfn" / "catalog" / f"{NAME}.toml")
    return src


def test_toy_activation_needs_one_file_and_passes_the_suites(tmp_path: Path) -> None:
    assert NAME not in actfn.names()
    src = _copy_package(tmp_path)
    env = _env(src)
    probe = subprocess.run(
        [sys.executable, "-c",
         f"import actfn; print(actfn.__file__); print({NAME!r} in actfn.names())"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    where, found = probe.stdout.split()
    assert Path(where).is_relative_to(src) and found == "True"
    counts = _run_suites(SUITES, env, tmp_path / "junit.xml")
    keras_env = {**env, "KERAS_BACKEND": "jax", "ACTFN_KERAS_INNER": "1"}
    counts |= _run_suites((KERAS_SUITE,), keras_env, tmp_path / "junit-keras.xml")
    assert all(n > 0 for n in counts.values()), counts
    print(f"{sum(counts.values())} tests of {NAME} passed: {counts}")


def _run_suites(suites: tuple[str, ...], env: dict[str, str], report: Path) -> dict[str, int]:
    """Run ``suites`` selected with ``-k NAME``; assert they pass; tests per file."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-W", "ignore::DeprecationWarning", "-k", NAME, f"--junitxml={report}", *suites],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800,
    )
    tail = run.stdout[-4000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    cases = list(ET.parse(report).getroot().iter("testcase"))
    assert all(NAME in c.get("name", "") for c in cases)
    per_file = {}
    for suite in suites:
        module = suite.removesuffix(".py").replace("/", ".")
        per_file[suite] = sum(1 for c in cases if (c.get("classname", "") + ".").startswith(
            module + "."))
    return per_file


def test_plugin_distribution_registers_through_the_entry_point(tmp_path: Path) -> None:
    """A distribution that declares ``[actfn.activations] squared_relu = squared_relu``
    is registered when actfn is imported, evaluated, and reached as actfn.squared_relu."""
    shutil.copy(TOY / f"{NAME}.py", tmp_path / f"{NAME}.py")
    info = tmp_path / "actfn_squared_relu-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: actfn-squared-relu\n"
                                   "Version: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[actfn.activations]\n{NAME} = {NAME}\n",
                                           encoding="utf-8")
    code = textwrap.dedent(f"""
        import warnings
        warnings.simplefilter("error")
        import actfn
        a = actfn.get({NAME!r})
        print({NAME!r} in actfn.names(), a([-2.0, 3.0]).tolist(), a.derivative(3.0),
              actfn.{NAME}(2.0), {NAME!r} in actfn.__all__)
    """)
    env = _env(Path(os.pathsep.join([str(tmp_path), str(ROOT / "src")])))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "[0.0,", "9.0]", "6.0", "4.0", "False"]


def test_broken_plugin_warns_and_actfn_still_imports(tmp_path: Path) -> None:
    info = tmp_path / "broken-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[actfn.activations]\nbroken = no_such_module\n",
                                           encoding="utf-8")
    env = _env(Path(os.pathsep.join([str(tmp_path), str(ROOT / "src")])))
    run = subprocess.run([sys.executable, "-c", "import actfn; print(len(actfn.names()))"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(len(actfn.names()))
    assert "skipped plugin entry point broken = no_such_module" in run.stderr


def test_broken_catalog_module_names_itself(tmp_path: Path) -> None:
    """A built-in catalog module that raises on import makes ``import actfn`` fail (a
    broken built-in must not pass silently) with an error naming the module."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "actfn", src / "actfn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (src / "actfn" / "catalog" / "zz_boom.py").write_text(
        "raise RuntimeError('kaboom')\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", "import actfn"], capture_output=True,
                         text=True, env=_env(src), cwd=tmp_path, timeout=300)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last == ("ImportError: actfn: catalog module actfn.catalog.zz_boom failed to "
                    "import: RuntimeError: kaboom"), run.stderr
