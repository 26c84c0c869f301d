"""The Dask distributed client behind ``--scheduler`` (claims runs and ``actfn audit``).

``local`` starts a :class:`distributed.LocalCluster` of ``workers`` single-threaded
processes (no dashboard, quiet logs); anything else is the address of the user's own
scheduler (``tcp://host:8786``), reached with a 20 s timeout. Callers check first that
``distributed`` imports, and say which extra installs it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["client"]


@contextlib.contextmanager
def client(scheduler: str, workers: int) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler`` (``"local"`` or an address), closed (and
    the local cluster shut down) on exit."""
    from distributed import Client, LocalCluster

    if scheduler == "local":
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=40) as cluster, \
                Client(cluster) as c:
            yield c
    else:
        with Client(scheduler, timeout="20s") as c:
            yield c
