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
    "difference",
    "compare",
    "atomic_write_text",
    "atomic_write_bytes",
    "save_figure",
    "SEEDS",
]

VerdictKind = Literal["supported", "refuted", "nuanced"]

#: The seed tutorials the claims come from: file name → short description (ours).
SEEDS: dict[str, str] = {
    "000_5b9393d551984eb5.txt": "CELU tutorial (formula, plots, pros and cons)",
    "001_b9dc7a45c90d17ff.txt": "ReLU, LeakyReLU and ELU tutorial",
    "002_63649c74955d09e1.txt": "SELU tutorial (constants, self-normalization)",
    "003_5ddc89a5dc250c86.txt": "Survey of common activations (sigmoid to GELU)",
    "004_29a13a0f6c8f2fa7.txt": "Q&A comparing ReLU and GELU",
}


@dataclass(frozen=True)
class Verdict:
    """The outcome of testing one claim.

    ``kind`` is ``"supported"``, ``"refuted"`` or ``"nuanced"``; ``evidence`` is one or
    two sentences with the deciding numbers; ``condition`` (for nuanced verdicts)
    says when the claim holds.
    """

    kind: VerdictKind
    evidence: str
    condition: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("supported", "refuted", "nuanced"):
            raise ValueError(f"verdict kind={self.kind!r} must be supported, refuted or nuanced")
        if self.kind == "nuanced" and not self.condition:
            raise ValueError("a nuanced verdict needs the condition under which the claim holds")


@dataclass(frozen=True)
class Claim:
    """One claim made by the seed tutorials, with the experiment(s) that test it."""

    id: str
    activations: tuple[str, ...]
    en: str
    zh: str
    seeds: tuple[str, ...]
    experiments: tuple[str, ...]
    judge: Callable[[Mapping[str, Any]], Verdict] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Experiment:
    """A measurement: ``run(quick, progress)`` returns a JSON-able dict of results;
    ``plot(data, path)`` draws its figure into ``path`` (a PNG)."""

    id: str
    title: str
    method: str
    run: Callable[..., dict[str, Any]] = field(repr=False, compare=False)
    plot: Callable[[Mapping[str, Any], Path], None] = field(repr=False, compare=False)
    #: Optional Markdown table lines summarising the data (for the report).
    table: Callable[[Mapping[str, Any]], list[str]] | None = field(
        default=None, repr=False, compare=False)


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


def difference(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Estimate:
    """Welch interval for mean(a) - mean(b).

    .. math:: \\bar a - \\bar b \\pm t_{\\nu}\\sqrt{s_a^2/n_a + s_b^2/n_b}

    with the Welch–Satterthwaite degrees of freedom :math:`\\nu`.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    d = float(x.mean() - y.mean())
    if x.size < 2 or y.size < 2:
        return Estimate(d, math.inf, min(x.size, y.size))
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se2 = va + vb
    if se2 == 0.0:
        return Estimate(d, 0.0, min(x.size, y.size))
    nu = se2**2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    return Estimate(d, _t_quantile(nu, level) * math.sqrt(se2), min(x.size, y.size))


def compare(a: Sequence[float], b: Sequence[float], *, tolerance: float = 0.0) -> str:
    """``"less"``, ``"greater"`` or ``"tie"``: is mean(a) credibly below/above mean(b)?

    The difference counts only when its 95 % Welch interval excludes
    ``[-tolerance, tolerance]``, so differences smaller than ``tolerance`` are a tie
    however precise.
    """
    d = difference(a, b)
    if d.high < -tolerance:
        return "less"
    if d.low > tolerance:
        return "greater"
    return "tie"


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
    through symlinks, keeping the mode, umask for new files); creates missing folders."""
    from .._safe_io import atomic_write_bytes as _write

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _write(path, data)


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
