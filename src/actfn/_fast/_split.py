"""Run a serial compiled loop on slices of its arrays in several threads at once.

The loops of :mod:`actfn._fast` are compiled with ``nogil=True``, so Python threads run
them truly in parallel. Used by the PyTorch fast path instead of numba's ``parallel=True``
loop: numba's threading layer brings a second OpenMP runtime (or its workqueue) next to
torch's, and on a machine with few cores their idle threads spin against each other (a
2-thread step of 2¹⁶–2²⁰ elements took milliseconds instead of tens of microseconds).
Here the calling thread takes one slice and ``threads − 1`` pooled workers the others;
the workers sleep on a queue between calls (no spinning) and are dropped in a child
created by ``fork()`` (which then runs serially).

For an elementwise loop ``loop(src, o0, …)`` over ``n`` elements, slice ``k`` is
``[k·n/t, (k+1)·n/t)`` rounded to 64 elements of every array, so the results are the
same bit for bit as one serial call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["MIN_SLICE", "run_split", "threads_for"]

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
    """``loop(*args)`` on ``threads`` slices of the flat arrays ``args`` (all of length
    ``n``) at once: the calling thread runs the first slice, pooled threads the others;
    returns when all are done and re-raises the first error."""
    step = -(-n // threads)
    step += -step % 64
    bounds = [(lo, min(lo + step, n)) for lo in range(0, n, step)]
    if len(bounds) == 1:
        loop(*args)
        return
    pool = _pool(len(bounds) - 1)
    futures: list[Future[Any]] = [pool.submit(loop, *[a[lo:hi] for a in args])
                                  for lo, hi in bounds[1:]]
    try:
        lo, hi = bounds[0]
        loop(*[a[lo:hi] for a in args])
    finally:
        for f in futures:
            f.result()
