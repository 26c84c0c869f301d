"""Figures of activations: f, f′ (and f″) on centred axes, comparisons, thumbnails.

Everything is drawn with matplotlib's Agg backend (no display needed) from the
registry, so a figure always shows what the implementation computes. Curves are
sampled on both sides of every kink; where a curve jumps, it is broken instead of
joined by a vertical segment, and the value actfn returns at the kink is marked with
a dot.

>>> from actfn import plot
>>> fig = plot.figure("celu", params={"alpha": 0.5}, x_range=(-3.0, 3.0))
>>> [line.get_label() for line in fig.axes[0].get_lines()]
['$f(x)$', "$f'(x)$"]
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg", force=False)

import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from . import _safe_io  # noqa: E402
from ._activation import Activation, get  # noqa: E402
from ._format import format_param  # noqa: E402
from ._safe_io import ForeignFileError  # noqa: E402

__all__ = [
    "FORMATS",
    "ForeignFileError",
    "default_range",
    "sample",
    "figure",
    "compare_figure",
    "thumbnail",
    "draw",
    "save",
    "render",
    "check_output",
    "plot",
    "compare",
    "GatedSection",
    "gated_figure",
    "GATED_UPS",
]

#: File extensions :func:`save` understands.
FORMATS = (".png", ".svg", ".pdf")

_LABELS = {"f": "$f(x)$", "df": "$f'(x)$", "d2f": "$f''(x)$"}
_COLORS = {"f": "C0", "df": "C1", "d2f": "C2"}


#: The values of ``up`` at which a gated unit's curves along the gate are drawn.
GATED_UPS = (-1.0, 0.5, 1.0, 2.0)


class GatedSection:
    """A gated unit along its gate at a fixed ``up``: a one-input view that
    :func:`sample` and :func:`draw` accept like an :class:`~actfn.Activation`.

    ``part="f"``: x ↦ f(x, up), its derivative ∂f/∂gate and second ∂²f/∂gate²;
    ``part="du"``: x ↦ ∂f/∂up(x, up), derivative ∂²f/∂gate∂up (second: 0).
    """

    def __init__(self, act: Any, up: float, part: str = "f") -> None:
        if part not in ("f", "du"):
            raise ValueError(f"part={part!r} is invalid; valid: 'f', 'du'")
        self._act, self.up, self.part = act, float(up), part
        self.name = act.name
        self.params = act.params

    def kinks(self) -> tuple[float, ...]:
        return tuple(self._act.kinks()["gate"])

    def __call__(self, x: Any) -> Any:
        f, _, du = self._act.value_and_partials(x, self.up)
        return f if self.part == "f" else du

    def derivative(self, x: Any) -> Any:
        dg, _ = self._act.partials(x, self.up)
        return dg if self.part == "f" else self._act.partials2(x, self.up)[1]

    def second_derivative(self, x: Any) -> Any:
        dgg, _, duu = self._act.partials2(x, self.up)
        return dgg if self.part == "f" else duu


def _act(act: Any, params: Mapping[str, Any] | None = None) -> Any:
    if isinstance(act, GatedSection):
        return act
    return get(act, **dict(params or {}))


def _is_gated(a: Any) -> bool:
    return getattr(getattr(a, "spec", None), "kind", "") == "gated"


def default_range(act: str | Activation) -> tuple[float, float]:
    """A symmetric x-range that shows every kink: [-5, 5] widened where needed (for a
    gated unit: the kinks along the gate, e.g. the clamp)."""
    a = _act(act)
    ks = a.kinks()["gate"] if _is_gated(a) else a.kinks()
    kinks = [abs(float(k)) for k in ks]
    half = max([5.0] + [k + 1.0 for k in kinks])
    return (-half, half)


def sample(
    act: str | Activation,
    x_range: tuple[float, float] | None = None,
    *,
    which: Sequence[str] = ("f", "df"),
    n: int = 801,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[tuple[float, dict[str, float]]]]:
    """Sample the curves of ``act`` for plotting.

    Returns ``(curves, marks)``. ``curves[k]`` is ``(x, y)`` for f (``"f"``), f′
    (``"df"``) or f″ (``"d2f"``), sampled on both sides of each kink (never at it) with
    a NaN pair inserted where the curve jumps, so the line is broken there. ``marks``
    lists ``(kink, {k: value actfn returns at the kink})`` for the curves that jump.
    """
    a = _act(act)
    lo, hi = x_range if x_range is not None else default_range(a)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"invalid x range ({lo}, {hi}): need finite LO < HI")
    kinks = sorted(float(k) for k in a.kinks() if lo < k < hi)
    eps = (hi - lo) * 1e-7
    x = np.linspace(lo, hi, n)
    x = x[~np.isin(x, kinks)]
    x = np.unique(np.concatenate([x, [k - eps for k in kinks], [k + eps for k in kinks]]))
    fns = {"f": a, "df": a.derivative, "d2f": a.second_derivative}
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    marks: dict[float, dict[str, float]] = {}
    for key in which:
        y = np.asarray(fns[key](x), dtype=float)
        finite = y[np.isfinite(y)]
        scale = max(1.0, float(np.abs(finite).max())) if finite.size else 1.0
        breaks = []
        for k in kinks:
            i = int(np.searchsorted(x, k))  # x[i - 1] = k - eps, x[i] = k + eps
            if abs(y[i] - y[i - 1]) > 1e-4 * scale:
                breaks.append(i)
                marks.setdefault(k, {})[key] = float(fns[key](np.float64(k)))
        curves[key] = (np.insert(x, breaks, np.nan), np.insert(y, breaks, np.nan))
    return curves, sorted(marks.items())


def _centre(ax: Axes) -> None:
    """Seed-style axes: spines through the origin, top and right hidden."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax.spines["left"].set_position(("data", 0.0) if x0 < 0.0 < x1 else ("axes", 0.0))
    ax.spines["bottom"].set_position(("data", 0.0) if y0 < 0.0 < y1 else ("axes", 0.0))
    ax.xaxis.set_ticks_position("bottom")
    ax.yaxis.set_ticks_position("left")


def _title(a: Activation) -> str:
    if not a.params:
        return a.name
    inner = ", ".join(f"{k}={format_param(v)}" for k, v in a.params.items())
    return f"{a.name}({inner})"


def draw(
    ax: Axes,
    act: str | Activation,
    *,
    x_range: tuple[float, float] | None = None,
    which: Sequence[str] = ("f", "df"),
    legend: bool = True,
    lw: float = 2.0,
) -> None:
    """Draw the curves of ``act`` on ``ax`` (centred axes, marked kink values)."""
    a = _act(act)
    lo, hi = x_range if x_range is not None else default_range(a)
    curves, marks = sample(a, (lo, hi), which=which)
    for key in which:
        ax.plot(*curves[key], color=_COLORS[key], lw=lw, label=_LABELS[key])
    for k, values in marks:
        for key, v in values.items():
            ax.plot([k], [v], "o", color=_COLORS[key], ms=4 * lw / 2, zorder=3)
    ax.set_xlim(lo, hi)
    _centre(ax)
    if legend:
        ax.legend(loc="upper left", frameon=False)


def figure(
    act: str | Activation,
    *,
    params: Mapping[str, Any] | None = None,
    x_range: tuple[float, float] | None = None,
    second: bool = False,
    size: tuple[float, float] = (6.4, 4.4),
    dpi: float = 100,
) -> Figure:
    """The seed-style figure: f and f′ (and f″ with ``second``) with legend and title
    (a gated unit: :func:`gated_figure`)."""
    a = _act(act, params)
    if _is_gated(a):
        return gated_figure(a, x_range=x_range, second=second, size=size, dpi=dpi)
    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.add_subplot()
    which = ("f", "df", "d2f") if second else ("f", "df")
    draw(ax, a, x_range=x_range, which=which)
    ax.set_title(_title(a) + (": f, f′ and f″" if second else ": f and f′"), pad=12)
    fig.tight_layout()
    return fig


def thumbnail(act: str | Activation, *, size: tuple[float, float] = (2.4, 1.6),
              dpi: float = 80) -> Figure:
    """A small figure of f and f′ with no legend or title, for index pages (a gated
    unit: f and ∂f/∂gate along the gate at up = 1)."""
    a = _act(act)
    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.add_axes((0.02, 0.04, 0.96, 0.92))
    if _is_gated(a):
        draw(ax, GatedSection(a, 1.0), x_range=default_range(a), which=("f", "df"),
             legend=False, lw=1.6)
    else:
        draw(ax, a, which=("f", "df"), legend=False, lw=1.6)
    ax.set_xticks([])
    ax.set_yticks([])
    return fig


def gated_figure(
    act: Any,
    *,
    params: Mapping[str, Any] | None = None,
    x_range: tuple[float, float] | None = None,
    ups: Sequence[float] = GATED_UPS,
    second: bool = False,
    size: tuple[float, float] = (6.4, 6.4),
    dpi: float = 100,
) -> Figure:
    """A gated unit f(gate, up) as curves along the gate: on top f for each ``up`` of
    ``ups``; below ∂f/∂gate and ∂f/∂up at up = 1 (and ∂²f/∂gate² with ``second``).
    Kinks of the gate (ReLU's 0, a clamp) are sampled on both sides as in :func:`sample`.
    """
    a = _act(act, params)
    if not _is_gated(a):
        raise ValueError(f"{a.name} is not a gated unit; use figure()")
    lo, hi = x_range if x_range is not None else default_range(a)
    fig = Figure(figsize=size, dpi=dpi)
    top, bottom = fig.subplots(2, 1, sharex=True)
    for i, up in enumerate(ups):
        curves, _ = sample(GatedSection(a, up), (lo, hi), which=("f",))
        top.plot(*curves["f"], color=f"C{i % 10}", lw=2.0, label=f"$f(g, u={up:g})$")
    parts = [(GatedSection(a, 1.0), "df", r"$\partial f/\partial g$", "C1"),
             (GatedSection(a, 1.0, "du"), "f", r"$\partial f/\partial u$", "C2")]
    if second:
        parts.append((GatedSection(a, 1.0), "d2f", r"$\partial^2 f/\partial g^2$", "C3"))
    for sec, key, label, color in parts:
        curves, marks = sample(sec, (lo, hi), which=(key,))
        bottom.plot(*curves[key], color=color, lw=2.0, label=label + " (u = 1)")
        for k, values in marks:
            for v in values.values():
                bottom.plot([k], [v], "o", color=color, ms=4, zorder=3)
    for ax in (top, bottom):
        ax.set_xlim(lo, hi)
        _centre(ax)
        ax.legend(loc="upper left", frameon=False, fontsize="small")
    bottom.set_xlabel("gate g")
    top.set_title(_title(a) + ": f(gate, up) along the gate", pad=12)
    fig.tight_layout()
    return fig


def compare_figure(
    acts: Sequence[str | Activation],
    *,
    x_range: tuple[float, float] | None = None,
    layout: str = "overlay",
    size: tuple[float, float] | None = None,
    dpi: float = 100,
) -> Figure:
    """Compare several activations.

    ``layout="overlay"``: two panels, all functions on the left and all derivatives on
    the right. ``layout="grid"``: one small seed-style panel (f and f′) per activation.
    """
    items = [_act(a) for a in acts]
    if not items:
        raise ValueError("compare needs at least one activation")
    if x_range is None:
        half = max(default_range(a)[1] for a in items)
        x_range = (-half, half)
    if layout == "overlay":
        fig = Figure(figsize=size or (11.0, 4.4), dpi=dpi)
        axes = fig.subplots(1, 2)
        for key, ax, label in (("f", axes[0], "f(x)"), ("df", axes[1], "f′(x)")):
            for i, a in enumerate(items):
                curves, _ = sample(a, x_range, which=(key,))
                ax.plot(*curves[key], color=f"C{i % 10}", lw=1.8, label=_title(a))
            ax.set_xlim(*x_range)
            _centre(ax)
            ax.set_title(label, pad=12)
            ax.legend(loc="upper left", frameon=False, fontsize="small")
    elif layout == "grid":
        n = len(items)
        cols = min(n, 4)
        rows = -(-n // cols)
        fig = Figure(figsize=size or (3.2 * cols, 2.6 * rows), dpi=dpi)
        axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
        for ax, a in zip(axes, items, strict=False):
            draw(ax, a, x_range=x_range, legend=ax is axes[0], lw=1.6)
            ax.set_title(_title(a), fontsize="medium")
        for ax in axes[n:]:
            ax.set_visible(False)
    else:
        raise ValueError(f"layout={layout!r} is invalid; valid: 'overlay', 'grid'")
    fig.tight_layout()
    return fig


def _format(path: Path) -> str:
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise ValueError(
            f"cannot write {str(path)!r}: unknown image format {ext or '(none)'!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    return ext[1:]


def check_output(path: str | os.PathLike[str]) -> Path:
    """Raise unless a figure can be written to ``path`` (format by extension, nothing
    yet or a file actfn wrote — or a symlink to one — in a writable folder); nothing is
    created. An existing file actfn did not write raises :class:`ForeignFileError`
    (a ``FileExistsError``) naming it."""
    out = Path(path)
    _format(out)
    return _safe_io.check_output_file(out)


def render(fig: Figure, fmt: str) -> bytes:
    """The bytes of ``fig`` as ``fmt`` (png, svg, pdf): deterministic, no timestamps,
    marked as written by actfn (:func:`actfn._safe_io.image_metadata`), so :func:`save`
    may rewrite it later."""
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "actfn"}):
        fig.savefig(buf, format=fmt, metadata=_safe_io.image_metadata(fmt))
    return buf.getvalue()


def save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` to ``path`` (PNG, SVG or PDF by extension), atomically.

    The image goes to a temporary file in the same directory that is renamed into
    place, so a failure never leaves a partial file; an existing symlink is written
    through, a FIFO, device or directory is refused, an existing file keeps its mode
    (see :mod:`actfn._safe_io`). An existing file that actfn did not write (it lacks
    actfn's mark, e.g. the PNG ``Software`` text) is never replaced: that raises
    :class:`ForeignFileError` (a ``FileExistsError``) naming the file. The output is
    deterministic (no timestamps, fixed SVG ids).
    """
    out = Path(path)
    fmt = _format(out)
    _safe_io.check_output_file(out)
    _safe_io.atomic_write_bytes(out, render(fig, fmt))
    return out


def plot(
    act: str | Activation,
    path: str | os.PathLike[str],
    *,
    params: Mapping[str, Any] | None = None,
    x_range: tuple[float, float] | None = None,
    second: bool = False,
) -> Path:
    """Draw :func:`figure` and :func:`save` it to ``path``."""
    out = Path(path)
    check_output(out)  # fail before drawing
    return save(figure(act, params=params, x_range=x_range, second=second), out)


def compare(
    acts: Sequence[str | Activation],
    path: str | os.PathLike[str],
    *,
    x_range: tuple[float, float] | None = None,
    layout: str = "overlay",
) -> Path:
    """Draw :func:`compare_figure` and :func:`save` it to ``path``."""
    out = Path(path)
    check_output(out)
    return save(compare_figure(acts, x_range=x_range, layout=layout), out)
