"""A signal whose ``Interrupted`` a library swallows still stops the run before anything
is kept (the atlas SIGTERM race: the handler ran inside a matplotlib weakref callback,
Python printed "Exception ignored in ..." and dropped the exception, and the atlas
finished as if nothing had happened)."""

from __future__ import annotations

import gc
import os
import signal
import weakref
from pathlib import Path

import pytest

from actfn import _safe_io


class _Node:
    pass


def _signal_inside_a_weakref_callback(signum: int) -> None:
    """Deliver ``signum`` while Python runs a weakref callback (where an exception is
    printed through sys.unraisablehook and dropped)."""
    node = _Node()
    ref = weakref.ref(node, lambda _: os.kill(os.getpid(), signum))
    del node
    gc.collect()
    assert ref() is None


def test_swallowed_interrupt_undoes_the_owned_folder(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "site"
    with pytest.raises(_safe_io.Interrupted) as info, _safe_io.signal_guard(), \
            _safe_io.OwnedDir(root, tool="actfn test") as owned:
        owned.write_text("a.txt", "first")
        _signal_inside_a_weakref_callback(signal.SIGTERM)  # swallowed by Python
        # the run goes on as if nothing happened, then tries to keep its files
    assert info.value.exit_code == 143
    assert not (root / "a.txt").exists()  # nothing kept
    assert "Exception ignored" not in capsys.readouterr().err  # not printed either


def test_swallowed_interrupt_stops_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with pytest.raises(_safe_io.Interrupted), _safe_io.signal_guard():
        _signal_inside_a_weakref_callback(signal.SIGINT)
        _safe_io.atomic_write_text(target, '{"generator": "actfn"}')
    assert not target.exists()


def test_outside_a_guard_nothing_changes(tmp_path: Path) -> None:
    _safe_io.raise_if_interrupted()  # no guard: a no-op
    hook = __import__("sys").unraisablehook
    with _safe_io.signal_guard():
        pass
    assert __import__("sys").unraisablehook is hook
