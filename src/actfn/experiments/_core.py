"""Shared pieces of the claims audit: claims, verdicts, statistics, atomic files.

Nothing here imports matplotlib, torch or scipy at module level, so
``import actfn`` (which reaches :func:`actfn.selu_parameters` through this package)
stays fast.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

__all__ = [
    "Claim",
    "Experiment",
    "Verdict",
    "Estimate",
    "estimate",
    "KINDS",
    "atomic_write_text",
    "atomic_write_bytes",
    "save_figure",
]

VerdictKind = Literal["supported", "refuted", "nuanced", "inconclusive"]

#: The four verdicts, in report order.
KINDS: tuple[str, ...] = ("supported", "refuted", "nuanced", "inconclusive")


@dataclass(frozen=True)
class Verdict:
    """The outcome of testing one claim.

    ``kind`` is ``"supported"``, ``"refuted"`` (by equivalence within the declared margin
    or a significant opposite effect), ``"nuanced"`` (holds under ``condition``, which the
    data show) or ``"inconclusive"`` (the intervals straddle the margins; ``condition`` is
    ``"quick"`` when a ``--quick`` run declined to decide). ``evidence`` gives the deciding
    numbers; ``pvalues`` every p-value the rule looked at (for the false-discovery
    correction across claims; empty for exact computations).
    """

    kind: VerdictKind
    evidence: str
    condition: str = ""
    pvalues: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"verdict kind={self.kind!r} must be one of {', '.join(KINDS)}")
        if self.kind == "nuanced" and not self.condition:
            raise ValueError("a nuanced verdict needs the condition under which the claim holds")

    @property
    def label(self) -> str:
        """``kind``, with ``(quick)`` for a quick run's refusal to decide."""
        return f"{self.kind} (quick)" if self.condition == "quick" else self.kind


@dataclass(frozen=True)
class Claim:
    """One claim made by the seed tutorials, pre-registered in ``claims.toml``: the
    statement (``en``, ``zh``), the tutorials that make it (``seeds``: source files), the
    experiments that test it and the decision ``rule`` (its ``kind`` names the judge in
    :data:`actfn.experiments._judges.JUDGES`; the other keys are its margins)."""

    id: str
    activations: tuple[str, ...]
    en: str
    zh: str
    seeds: tuple[str, ...]
    experiments: tuple[str, ...]
    rule: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def statistical(self) -> bool:
        """Whether the verdict rests on seeds or timing (a quick run does not decide it)."""
        from ._judges import STATISTICAL

        return self.rule.get("kind") in STATISTICAL


@dataclass(frozen=True)
class Experiment:
    """A measurement: ``plot(data, path)`` draws its figure into ``path`` (a PNG);
    ``needs`` names the extra it requires beyond ``cli`` (``""`` for NumPy/SciPy only)."""

    id: str
    title: str
    method: str
    plot: Callable[[Mapping[str, Any], Path], None] = field(repr=False, compare=False)
    #: Optional Markdown table lines summarising the data (for the report).
    table: Callable[[Mapping[str, Any]], list[str]] | None = field(
        default=None, repr=False, compare=False)
    needs: str = ""


# -- statistics ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """Mean of repeated measurements with a two-sided confidence interval.

    With n samples of standard deviation s the half-width is
    :math:`t_{n-1,\\,0.975}\\, s/\\sqrt{n}` (Student t, 95 % by default).
    """

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def fmt(self, digits: int = 3) -> str:
        return f"{self.mean:.{digits}g} ± {self.half_width:.2g}"


def _t_quantile(df: float, level: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + level / 2.0, df))


def estimate(samples: Sequence[float], level: float = 0.95) -> Estimate:
    """Mean and t-interval of ``samples`` (NaNs dropped; one sample gives width inf)."""
    a = np.asarray([s for s in samples if not math.isnan(float(s))], dtype=float)
    n = int(a.size)
    if n == 0:
        return Estimate(math.nan, math.nan, 0)
    if n == 1:
        return Estimate(float(a[0]), math.inf, 1)
    s = float(a.std(ddof=1))
    return Estimate(float(a.mean()), _t_quantile(n - 1, level) * s / math.sqrt(n), n)


def plain_numpy() -> Any:
    """Context in which actfn evaluates NumPy inputs without its compiled (numba) path.

    The compiled path compiles one kernel per parameter value, which costs more than it
    saves when an experiment sweeps a parameter over a few small arrays.
    """
    import contextlib

    try:
        from .. import _fast
    except ImportError:  # pragma: no cover  (the compiled path is optional)
        return contextlib.nullcontext()
    return _fast.disabled() if hasattr(_fast, "disabled") else contextlib.nullcontext()


# -- files --------------------------------------------------------------------------------
def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename,
    so readers never see a half-written file (:func:`actfn._safe_io.atomic_write_bytes`:
    through symlinks, keeping the mode, umask for new files); creates missing folders.

    Its callers write into the claims report's :class:`actfn._safe_io.OwnedDir` (whose
    manifest proves which files are actfn's) or the private task cache, so no in-content
    mark is required (``require_mark=False``)."""
    from .._safe_io import atomic_write_bytes as _write

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _write(path, data, require_mark=False)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def save_figure(fig: Any, path: str | os.PathLike[str]) -> None:
    """Save a matplotlib figure as PNG atomically and close it."""
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 5.0, height: float = 3.6) -> Any:
    """A matplotlib (Agg) figure with a grid of axes."""
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    return fig, axes
