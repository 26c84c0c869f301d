"""The atlas's figures, drawn so that no curve hides another.

* :func:`activation_figure`: f (solid) and f′ (dashed, open circles) share the top
  panel; f″ (dotted, triangles) has a panel of its own. The zero line is a thin grey
  line *under* the curves and every curve carries markers, so a derivative lying on the
  axis (ReLU's f′ = 0 for x < 0) or on top of f (the exponential's f = f′) stays visible.
  Dots mark the value actfn returns where a curve jumps. The x-range is the seeds'
  [−3, 3], widened where a kink would fall outside.
* :func:`overview_figure`: the common activations side by side, on boxed axes whose
  tick labels sit outside the plotting area (nothing is drawn over them).

Images are drawn at :data:`SCALE` times their CSS size (2× for sharp high-DPI screens).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from .. import get, plot

__all__ = ["activation_figure", "thumbnail_figure", "overview_figure", "x_range", "SCALE",
           "FIGURE_PX", "THUMB_PX", "OVERVIEW_PX", "STYLES", "png"]

#: Device pixels per CSS pixel of every image.
SCALE = 2
#: CSS sizes (width, height) of the images.
FIGURE_PX = (640, 560)
THUMB_PX = (150, 100)
OVERVIEW_PX = (1000, 420)
_DPI = 100 * SCALE

#: Line style, marker and colour of f, f′, f″ (colour-blind-safe Okabe–Ito colours).
STYLES = {
    "f": {"color": "#0072B2", "ls": "-", "lw": 2.4, "marker": None, "label": "f(x)"},
    "df": {"color": "#D55E00", "ls": (0, (5, 3)), "lw": 2.0, "marker": "o", "label": "f′(x)"},
    "d2f": {"color": "#009E73", "ls": (0, (1.5, 2)), "lw": 2.2, "marker": "^", "label": "f″(x)"},
}


def _gated(name: str) -> bool:
    return getattr(get(name).spec, "kind", "") == "gated"


def x_range(name: str, half: float = 3.0) -> tuple[float, float]:
    """The seeds' [−3, 3], widened to show every kink of ``name`` with a margin (a gated
    unit: its kinks along the gate)."""
    ks = get(name).kinks()
    kinks = [abs(float(k)) for k in (ks["gate"] if isinstance(ks, dict) else ks)]
    h = max([half] + [k + 1.0 for k in kinks])
    return (-h, h)


def _zero_lines(ax) -> None:  # type: ignore[no-untyped-def]
    ax.axhline(0.0, color="#9aa3ad", lw=0.8, zorder=0)
    ax.axvline(0.0, color="#9aa3ad", lw=0.8, zorder=0)
    ax.grid(True, color="#e6e9ed", lw=0.6, zorder=-1)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(direction="out", labelsize=9)


def _draw(ax, name: str, which: Sequence[str], lim: tuple[float, float],  # type: ignore[no-untyped-def]
          markers: bool = True) -> None:
    curves, marks = plot.sample(name, lim, which=which, n=601)
    for i, key in enumerate(which):
        st = STYLES[key]
        x, y = curves[key]
        ax.plot(x, y, color=st["color"], ls=st["ls"], lw=st["lw"], label=st["label"],
                marker=st["marker"] if markers else None, markevery=(12 + 9 * i, 40),
                ms=5, mfc="white", mew=1.4, zorder=2 + i)
    for k, values in marks:
        for key, v in values.items():
            if key in which:
                ax.plot([k], [v], "o", color=STYLES[key]["color"], ms=6, zorder=6)
    ax.set_xlim(*lim)


def _gated_figure(name: str) -> Figure:
    """A gated unit: f along the gate for several values of up on top; ∂f/∂gate and
    ∂f/∂up at up = 1 below (:class:`actfn.plot.GatedSection`)."""
    act = get(name)
    lim = x_range(name)
    w, h = FIGURE_PX
    fig = Figure(figsize=(w / 100, h / 100), dpi=_DPI)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    ls = ["-", (0, (5, 3)), "-.", (0, (1.5, 2))]
    for i, up in enumerate(plot.GATED_UPS):
        curves, _ = plot.sample(plot.GatedSection(act, up), lim, which=("f",), n=601)
        top.plot(*curves["f"], color=f"C{i}", ls=ls[i % 4], lw=2.2, label=f"f(g, u = {up:g})")
    parts = ((plot.GatedSection(act, 1.0), "df", "∂f/∂g (u = 1)", STYLES["df"]),
             (plot.GatedSection(act, 1.0, "du"), "f", "∂f/∂u (u = 1)", STYLES["d2f"]))
    for sec, key, label, st in parts:
        curves, marks = plot.sample(sec, lim, which=(key,), n=601)
        bottom.plot(*curves[key], color=st["color"], ls=st["ls"], lw=st["lw"], label=label)
        for k, values in marks:
            for v in values.values():
                bottom.plot([k], [v], "o", color=st["color"], ms=6, zorder=6)
    for ax in (top, bottom):
        ax.set_xlim(*lim)
        _zero_lines(ax)
        lo, hi = ax.get_ylim()
        pad = max(0.08 * (hi - lo), 0.15)
        ax.set_ylim(lo - pad, hi + pad)
        ax.legend(loc="upper left", frameon=True, framealpha=0.9, fontsize=9,
                  edgecolor="#d8dde4", handlelength=3.2)
    bottom.set_xlabel("gate g", fontsize=10)
    fig.tight_layout(h_pad=0.6)
    return fig


def activation_figure(name: str) -> Figure:
    """f and f′ on top, f″ below, at the default parameters (see the module docstring);
    a gated unit: f along the gate for several up, and the partials."""
    if _gated(name):
        return _gated_figure(name)
    lim = x_range(name)
    w, h = FIGURE_PX
    fig = Figure(figsize=(w / 100, h / 100), dpi=_DPI)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    _draw(top, name, ("f", "df"), lim)
    _draw(bottom, name, ("d2f",), lim)
    for ax in (top, bottom):
        _zero_lines(ax)
        lo, hi = ax.get_ylim()
        pad = max(0.08 * (hi - lo), 0.15)  # a flat curve never sits on the frame
        ax.set_ylim(lo - pad, hi + pad)
        ax.legend(loc="upper left", frameon=True, framealpha=0.9, fontsize=9,
                  edgecolor="#d8dde4", handlelength=3.2)
    bottom.set_xlabel("x", fontsize=10)
    fig.align_ylabels()
    fig.tight_layout(h_pad=0.6)
    return fig


def thumbnail_figure(name: str) -> Figure:
    """A small f and f′ figure for the index (no legend, no ticks)."""
    w, h = THUMB_PX
    fig = Figure(figsize=(w / 100, h / 100), dpi=_DPI)
    ax = fig.add_axes((0.03, 0.05, 0.94, 0.9))
    # a gated unit: f and ∂f/∂gate along the gate at up = 1
    what = plot.GatedSection(get(name), 1.0) if _gated(name) else name
    _draw(ax, what, ("f", "df"), x_range(name), markers=False)
    ax.axhline(0.0, color="#9aa3ad", lw=0.6, zorder=0)
    ax.axvline(0.0, color="#9aa3ad", lw=0.6, zorder=0)
    for line in ax.get_lines():
        line.set_linewidth(line.get_linewidth() * 0.7)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    return fig


def overview_figure(names: Sequence[str], lim: tuple[float, float] = (-3.0, 3.0)) -> Figure:
    """f (left) and f′ (right) of ``names`` on boxed axes, legend below the panels."""
    w, h = OVERVIEW_PX
    fig = Figure(figsize=(w / 100, h / 100), dpi=_DPI)
    axes = fig.subplots(1, 2)
    styles = ["-", "--", "-.", ":", (0, (5, 1.5, 1, 1.5)), (0, (3, 1))]
    for key, ax, title in (("f", axes[0], "f(x)"), ("df", axes[1], "f′(x)")):
        for i, name in enumerate(names):
            curves, _ = plot.sample(name, lim, which=(key,), n=401)
            ax.plot(*curves[key], color=f"C{i % 10}", lw=1.9, ls=styles[i % len(styles)],
                    label=name)
        ax.set_xlim(*lim)
        _zero_lines(ax)
        ax.set_title(title, fontsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(names), frameon=False,
               fontsize=10, handlelength=3.0)
    fig.tight_layout(rect=(0, 0.1, 1, 1), w_pad=2.5)
    return fig


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes (deterministic)."""
    data = plot.render(fig, "png")
    fig.clear()
    return data


def accuracy_figure(records: Sequence[dict], dtype: str = "float32") -> Figure:
    """The error along x of the worst cases of the audit snapshot: each library's worst
    inputs (ulp error, log scale) against x (sign(x)·log10(1 + |x|)), f and f′."""
    import math

    fig = Figure(figsize=(8.0, 3.6), dpi=110)
    axes = fig.subplots(1, 2, sharey=True)
    libs = sorted({r["library"] for r in records})
    marks = "os^Dvx<>"
    for order, ax in enumerate(axes):
        for i, lib in enumerate(libs):
            xs, ys = [], []
            for r in records:
                if (r["library"], r["dtype"], r["order"]) != (lib, dtype, order):
                    continue
                # finite results, then nan/inf ones (kept apart in the report)
                for w in [*r.get("worst", []), *r.get("nonfinite_worst", [])]:
                    if isinstance(w["x"], float) and math.isfinite(w["x"]):
                        # signed log scale: x ↦ sign(x)·log10(1 + |x|)
                        xs.append(math.copysign(math.log10(1 + abs(w["x"])), w["x"]))
                        ulp = w.get("ulp")
                        finite = ulp is not None and math.isfinite(float(ulp))
                        ys.append(float(ulp) if finite else 2.0**40)
            if xs:
                ax.scatter(xs, ys, s=12, marker=marks[i % len(marks)], label=lib, alpha=0.7)
        ticks = [-30, -20, -10, 0, 10, 20, 30]
        ax.set_xticks(ticks, [f"-1e{-t}" if t < 0 else ("0" if t == 0 else f"1e{t}")
                              for t in ticks])
        ax.set_xlim(-40, 40)
        ax.set_yscale("log")
        ax.set_title(("f" if order == 0 else "f′") + f" ({dtype})")
        ax.set_xlabel("x (signed log scale)")
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("ulp error (worst inputs; 2^40 = nan/inf)")
    if libs:
        axes[1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig
