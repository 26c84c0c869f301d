"""Issue 9, "Tracebacks": every CLI command turns every exception into one line on stderr
(exit 2 for bad input, 1 for an internal error with a hint), ``--debug`` prints the
traceback, sizes are validated before allocating, and signals give 130/143/129."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from actfn import bench as engine
from actfn.cli import app
from actfn.cli import atlas as cli_atlas
from actfn.cli import bench as cli_bench
from actfn.cli import catalog as cli_catalog
from actfn.cli import plot as cli_plot

runner = CliRunner()
SRC = Path(__file__).resolve().parents[2] / "src"


def run(*args: str):
    return runner.invoke(app, list(args))


def one_line(r) -> str:
    assert "Traceback" not in r.output, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


class Raising:
    """Stands in for an Activation whose kernels raise ``exc``."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
        self.params: dict[str, Any] = {}

    def __repr__(self) -> str:
        return "celu(alpha=…)"

    def __call__(self, x: Any) -> Any:
        raise self.exc

    derivative = second_derivative = __call__


def fake_get(exc: BaseException):
    return lambda name, **params: Raising(exc)


# -- the examples ---------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["eval", "celu", "--param", "alpha=1e-200", "-1"],
    ["eval", "selu", "--param", "alpha=1e300", "--param", "scale=1e10", "-1"],
])
def test_extreme_parameters_never_traceback(args: list[str]) -> None:
    """Whatever the catalog does with these (computes them, or refuses them), the CLI
    prints values or one line, never a traceback; never an internal error."""
    r = subprocess.run([sys.executable, "-m", "actfn.cli", *args], capture_output=True,
                       text=True, env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=300)
    assert "Traceback" not in r.stderr
    assert r.returncode in (0, 2), r.stderr
    if r.returncode:
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("actfn: error: ")


@pytest.mark.parametrize("exc", [ZeroDivisionError("float division by zero"),
                                 OverflowError("cannot convert Infinity to integer ratio"),
                                 FloatingPointError("overflow")])
def test_arithmetic_error_from_user_parameters_is_bad_input(
        exc: BaseException, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_catalog, "get", fake_get(exc))
    r = run("eval", "celu", "--param", "alpha=1e-200", "-1")
    assert r.exit_code == 2
    line = one_line(r)
    assert line.startswith("actfn: error: celu cannot be evaluated with alpha=1e-200")
    assert type(exc).__name__ in line


@pytest.mark.parametrize(("exc", "code", "words"), [
    (ZeroDivisionError("division by zero"), 1, "internal error: ZeroDivisionError"),
    (OverflowError("math range error"), 1, "internal error: OverflowError"),
    (RuntimeError("kernel exploded"), 1, "internal error: RuntimeError: kernel exploded"),
    (MemoryError("Unable to allocate 8 TiB"), 1, "out of memory: MemoryError"),
    (KeyError("x"), 1, "internal error: KeyError"),
    (ValueError("bad x\nsecond line"), 2, "error: bad x"),
])
def test_every_exception_is_one_line_with_its_exit_code(
        exc: BaseException, code: int, words: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_catalog, "get", fake_get(exc))
    r = run("eval", "celu", "-1")  # no user parameters: arithmetic errors are internal
    assert r.exit_code == code
    line = one_line(r)
    assert words in line
    assert ("rerun with --debug" in line) == (code == 1)


@pytest.mark.parametrize("command", [["show", "celu"], ["plot", "celu", "-o", "x.png"],
                                     ["compare", "celu", "relu", "-o", "x.png"]])
def test_internal_errors_in_other_commands_are_one_line(
        command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from actfn import plot

    monkeypatch.chdir(tmp_path)
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_catalog, "get", boom)
    monkeypatch.setattr(cli_plot, "get", boom)
    monkeypatch.setattr(plot, "compare_figure", boom)
    r = run(*command)
    assert r.exit_code == 1
    assert "internal error: RuntimeError: boom" in one_line(r)
    assert list(tmp_path.iterdir()) == []


def test_debug_prints_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_catalog, "get", fake_get(RuntimeError("kernel exploded")))
    r = run("--debug", "eval", "celu", "-1")
    assert r.exit_code == 1
    assert "Traceback (most recent call last)" in r.stderr
    assert "RuntimeError: kernel exploded" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("actfn: internal error: RuntimeError")
    r = run("eval", "celu", "-1")  # the flag does not stick to later invocations
    assert "Traceback" not in r.stderr


def test_debug_as_subprocess_bad_input_keeps_exit_2() -> None:
    r = subprocess.run([sys.executable, "-m", "actfn.cli", "--debug", "eval", "celu2", "0"],
                       capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(SRC)})
    assert r.returncode == 2
    assert "Traceback" in r.stderr and "did you mean 'celu'" in r.stderr.splitlines()[-1]


# -- sizes validated before allocating ------------------------------------------------------
@pytest.fixture
def no_bench(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Replace the measurement: records its calls and stops with an internal error."""
    calls: list[object] = []

    def stub(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        raise RuntimeError("stub measurement")

    monkeypatch.setattr(cli_bench, "run_bench", stub)
    return calls


@pytest.mark.parametrize(("size", "words"), [
    ("1e400", "too large"),
    ("2^40", "needs about"),
    ("2**40", "needs about"),
    ("2^99999999999", "too large"),
    ("1e30", "too large"),
    ("1.5", "is not an integer"),
    ("nan", "is not an integer"),
    ("-1e3", "at least 1"),
])
def test_bench_size_refused_before_allocating(size: str, words: str,
                                              no_bench: list[object]) -> None:
    r = run("bench", "relu", "--size", size)
    assert r.exit_code == 2
    assert words in one_line(r)
    assert no_bench == []


def test_bench_size_names_the_memory_it_would_need(no_bench: list[object]) -> None:
    r = run("bench", "--size", "2^40")
    line = one_line(r)
    need = engine.memory_needed(2**40, list(engine.SEEDS), ["float32"])
    assert need > 2**40 * 4 * 10
    assert "TiB of memory" in line and "this machine has" in line
    assert f"{need / 2**40:.1f} TiB" in line


def test_bench_reasonable_size_is_accepted(no_bench: list[object]) -> None:
    r = run("bench", "relu", "--size", "2^10", "--repeats", "1")
    assert no_bench, r.output  # reached the work (stubbed) …
    assert r.exit_code == 1  # … whose stub fails: an internal error
    assert "RuntimeError: stub measurement (rerun with --debug" in one_line(r)


# -- signals ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("sig", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_signal_in_a_command_is_one_line_and_its_exit_code(
        sig: str, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    signum = getattr(signal, sig)
    before = signal.getsignal(signum)

    def interrupted(name: str, **params: Any) -> Any:
        os.kill(os.getpid(), signum)
        raise AssertionError("the signal did not interrupt")  # pragma: no cover

    monkeypatch.setattr(cli_catalog, "get", interrupted)
    r = run("eval", "celu", "-1")
    assert r.exit_code == code
    assert one_line(r) == f"actfn: interrupted by {sig}"
    assert signal.getsignal(signum) == before  # handlers restored after the command


@pytest.mark.parametrize(("sig", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_signal_a_library_turns_into_another_error_is_still_the_interruption(
        sig: str, code: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # matplotlib catches an exception raised inside its layout code and raises
    # "Invalid bounding box" instead: the atlas then reported that, not the signal.
    signum = getattr(signal, sig)

    def swallowed(name: str, **params: Any) -> Any:
        try:
            os.kill(os.getpid(), signum)
        except BaseException as exc:
            raise ValueError("Invalid bounding box") from exc
        raise AssertionError("the signal did not interrupt")  # pragma: no cover

    monkeypatch.setattr(cli_catalog, "get", swallowed)
    r = run("eval", "celu", "-1")
    assert r.exit_code == code
    assert one_line(r) == f"actfn: interrupted by {sig}"


def test_an_error_after_a_finished_guard_is_not_mistaken_for_a_signal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(name: str, **params: Any) -> Any:
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("the signal did not interrupt")  # pragma: no cover

    monkeypatch.setattr(cli_catalog, "get", interrupted)
    assert run("eval", "celu", "-1").exit_code == 143
    monkeypatch.undo()
    r = run("eval", "nosuch", "-1")
    assert r.exit_code == 2 and "interrupted" not in r.output


# -- review of the CLI error contract: regression tests named after the defect --------------
def test_defect08_fail_inside_a_guarded_command_is_one_line_exit_2() -> None:
    r = run("claims", "run", "--threads", "3")
    assert r.exit_code == 2
    assert one_line(r) == "actfn: error: --threads=3 must be 1 or 2"
    assert "internal error" not in r.output


def test_defect08_typer_exit_passes_through_guarded() -> None:
    import typer

    from actfn.cli._common import guarded

    def quits() -> None:
        raise typer.Exit(code=7)

    with pytest.raises(typer.Exit) as info:
        guarded(quits)()
    assert info.value.exit_code == 7


@pytest.mark.parametrize("command", [["plot", "relu", "-o", "r.png"],
                                     ["compare", "relu", "tanh", "-o", "r.png"]])
def test_defect13_absurd_range_refused_up_front_without_warnings(
        command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = run(*command, "--range", "-1e308", "1e308")
    assert r.exit_code == 2
    line = one_line(r)
    assert "--range" in line and "too wide" in line and "Warning" not in r.output
    assert list(tmp_path.iterdir()) == []


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "actfn.cli", *args]


def test_defect14_broken_pipe_on_stdout_exits_quietly() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(_cli("eval", "relu", *map(str, range(1, 20001))),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=300)
    assert first.startswith(b"# relu")
    assert proc.returncode == 141, err  # 128 + SIGPIPE, like a Unix tool
    assert err == b""  # nothing blames the input


@pytest.mark.parametrize("args", [["show", "relu"], ["eval", "relu", "1"]])
def test_defect14_closed_stdout_is_one_line(args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run(["sh", "-c", 'exec "$0" "$@" >&-', *_cli(*args)],  # `actfn … >&-`
                       stderr=subprocess.PIPE, env=env, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        "actfn: error: standard output is closed; nothing to write the result to"]


def test_defect17_compare_needs_two_names() -> None:
    r = run("compare", "relu")
    assert r.exit_code == 2 and "two or more" in one_line(r)


def test_defect17_debug_hint_says_the_flag_goes_before_the_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_catalog, "get", fake_get(RuntimeError("kernel exploded")))
    r = run("eval", "celu", "-1")
    line = one_line(r)
    assert r.exit_code == 1 and "actfn --debug eval" in line and "before the command" in line


def test_defect17_long_unknown_name_is_not_echoed_in_full() -> None:
    r = run("show", "x" * 5000)
    assert r.exit_code == 2 and len(one_line(r)) < 400


def test_defect17_help_has_no_line_breaks_inside_sentences() -> None:
    from actfn.cli._common import help_text

    for fn in (cli_atlas.cmd_atlas, cli_bench.cmd_bench):
        text = help_text(fn)
        assert text and all("\n" not in para for para in text.split("\n\n")), text
    r = run("atlas", "--help")
    assert r.exit_code == 0 and "Build the atlas: a static site that works offline." in r.output
