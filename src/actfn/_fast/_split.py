"""Run a serial compiled loop on slices of its arrays in several threads at once.

The loops of :mod:`actfn._fast` are compiled with ``nogil=True``, so Python threads run
them truly in parallel. Used by the PyTorch fast path instead of numba's ``parallel=True``
loop: numba's threading layer brings a second OpenMP runtime (or its workqueue) next to
torch's, and on a machine with few cores their idle threads spin against each other (a
2-thread step of 2¹⁶–2²⁰ elements took milliseconds instead of tens of microseconds).
Slices are handed out to whichever thread asks first, the calling thread included, so a
pooled thread that a loaded machine does not schedule in time simply takes none; the
workers sleep on a queue between calls (no spinning) and are dropped in a child created
by ``fork()`` (which then runs serially).

The loop is elementwise, so each slice (a multiple of 64 elements of every array) gives
the same bits as one serial call over everything.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["MIN_SLICE", "run_ranges", "run_split", "threads_for"]

#: Fewest elements per thread worth a hand-off to a pooled thread (~10–20 µs).
MIN_SLICE = 1 << 15

_LOCK = threading.Lock()
_state: dict[str, Any] = {"pool": None, "size": 0, "forked": False}


def _after_fork_in_child() -> None:
    _state["pool"], _state["size"], _state["forked"] = None, 0, True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def threads_for(n: int, threads: int) -> int:
    """How many threads to use for ``n`` elements with ``threads`` allowed: at most one
    per :data:`MIN_SLICE` elements, one in a forked child."""
    if _state["forked"] or threads <= 1:
        return 1
    return max(1, min(threads, n // MIN_SLICE))


def _pool(workers: int) -> ThreadPoolExecutor:
    pool = _state["pool"]
    if pool is None or _state["size"] < workers:
        with _LOCK:
            pool = _state["pool"]
            if pool is None or _state["size"] < workers:
                old = pool
                pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="actfn")
                _state["pool"], _state["size"] = pool, workers
                if old is not None:
                    old.shutdown(wait=False)
    return pool  # type: ignore[no-any-return]


def run_split(loop: Callable[..., Any], n: int, args: Sequence[Any], threads: int) -> None:
    """``loop(*args)`` on slices of the flat arrays ``args`` (all of length ``n``) in up
    to ``threads`` threads at once (:func:`run_ranges`)."""
    run_ranges(lambda lo, hi: loop(*[a[lo:hi] for a in args]), n, threads)


def run_ranges(part: Callable[[int, int], Any], n: int, threads: int) -> None:
    """``part(lo, hi)`` for consecutive ranges covering ``[0, n)``, in up to ``threads``
    threads at once, returning when every range is done (re-raising the first error).

    The ranges (:data:`MIN_SLICE` elements or more, four per thread, multiples of 64) are
    handed out one at a time to whichever thread asks first, the calling thread included:
    a pooled thread that the OS does not schedule soon (a loaded machine) takes none, and
    the calling thread does its share, so more threads are never much slower than one."""
    per = max(MIN_SLICE, -(-n // (4 * threads)))
    per += -per % 64
    bounds = [(lo, min(lo + per, n)) for lo in range(0, n, per)]
    if len(bounds) <= 1 or threads <= 1:
        part(0, n)
        return
    job = _Job(part, bounds)
    pool = _pool(threads - 1)
    for _ in range(min(threads, len(bounds)) - 1):
        pool.submit(job.work)
    job.work()
    job.done.wait()
    if job.error is not None:
        raise job.error


class _Job:
    """The slices of one :func:`run_split` call: a shared ticket counter (``next`` on an
    ``itertools.count`` is atomic under the GIL), a count of finished slices and an event
    set when the last one finishes."""

    __slots__ = ("part", "bounds", "tickets", "left", "lock", "done", "error")

    def __init__(self, part: Callable[[int, int], Any], bounds: list[tuple[int, int]]) -> None:
        self.part = part
        self.bounds = bounds
        self.tickets = itertools.count()
        self.left = len(bounds)
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.error: BaseException | None = None

    def work(self) -> None:
        """Run slices until none is left."""
        while True:
            i = next(self.tickets)
            if i >= len(self.bounds):
                return
            lo, hi = self.bounds[i]
            try:
                self.part(lo, hi)
            except BaseException as err:  # handed to the caller
                self.error = self.error or err
            with self.lock:
                self.left -= 1
                if self.left == 0:
                    self.done.set()
