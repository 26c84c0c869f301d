"""Figures: decoded and checked (size, curves drawn where the function is, centred axes)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.colors as mcolors
import matplotlib.image as mpimg
import numpy as np
import pytest

import actfn
from actfn import plot

NAMES = actfn.names()


def _rgb(name: str) -> np.ndarray:
    return np.array(mcolors.to_rgb(name))


def _pixel_hits(img: np.ndarray, ax, xs, ys, color: str, covers, tol: float = 0.12) -> float:
    """Fraction of data points (xs, ys) with a pixel of ``color`` within 2 px.

    Points that something drawn on top may hide (``covers``: pixel positions of later
    curves at the same x, the spines, the legend box) are left out.
    """
    h = img.shape[0]
    target = _rgb(color)
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    origin = ax.transData.transform((0.0, 0.0))
    legend = ax.get_legend().get_window_extent() if ax.get_legend() else None
    hits = total = 0
    for i, (px, py) in enumerate(pts):
        if any(abs(py - c[i]) < 4 for c in covers) or abs(py - origin[1]) < 3 \
                or abs(px - origin[0]) < 3:
            continue
        if legend is not None and legend.x0 - 3 <= px <= legend.x1 + 3 \
                and legend.y0 - 3 <= py <= legend.y1 + 3:
            continue
        total += 1
        col, row = int(round(px)), int(round(h - py))
        win = img[max(row - 2, 0): row + 3, max(col - 2, 0): col + 3, :3]
        if win.size and (np.abs(win - target).max(axis=-1) < tol).any():
            hits += 1
    return hits / total if total else 1.0


@pytest.mark.parametrize("name", NAMES)
def test_figure_draws_f_and_derivative_where_they_are(name: str, tmp_path: Path) -> None:
    act = actfn.get(name)
    fig = plot.figure(act, second=True)
    out = plot.save(fig, tmp_path / f"{name}.png")
    img = mpimg.imread(out)
    assert img.shape[:2] == (440, 640)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels[:3] == ["$f(x)$", "$f'(x)$", "$f''(x)$"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == labels[:3]
    assert ax.get_title().startswith(name)
    # sample points away from kinks, inside the visible y-range
    lo, hi = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    xs = np.linspace(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), 40)
    kinks = np.asarray(act.kinks(), dtype=float)
    if kinks.size:
        xs = xs[np.min(np.abs(xs[:, None] - kinks[None, :]), axis=1) > 0.1]
    fns = [(act, "C0"), (act.derivative, "C1"), (act.second_derivative, "C2")]
    keep = np.ones(xs.shape, dtype=bool)
    for fn, _ in fns:
        ys = fn(xs)
        keep &= (ys > y0) & (ys < y1)
    xs = xs[keep]
    pix = [ax.transData.transform(np.column_stack([xs, fn(xs)]))[:, 1] for fn, _ in fns]
    for i, (fn, color) in enumerate(fns):
        frac = _pixel_hits(img, ax, xs, fn(xs), color, covers=pix[i + 1:])
        assert frac > 0.9, (color, frac)
    # seed style: top/right spines hidden, left/bottom through the origin
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    if lo < 0 < hi:
        assert ax.spines["left"].get_position() == ("data", 0.0)
        col = int(round(ax.transData.transform((0.0, 0.0))[0]))
        dark = (img[:, max(col - 1, 0): col + 2, :3].max(axis=-1) < 0.35).any(axis=1)
        assert dark.sum() > 0.5 * img.shape[0] * (ax.get_position().height)
    if y0 < 0 < y1:
        assert ax.spines["bottom"].get_position() == ("data", 0.0)


def test_title_shows_parameters() -> None:
    fig = plot.figure("celu", params={"alpha": 0.5})
    assert fig.axes[0].get_title().startswith("celu(alpha=0.5)")


def test_jumps_are_broken_not_joined() -> None:
    curves, marks = plot.sample("hardshrink", (-2.0, 2.0))
    x, y = curves["f"]
    assert np.isnan(y).sum() == 2 and np.isnan(x).sum() == 2
    assert [k for k, _ in marks] == [-0.5, 0.5]
    curves, marks = plot.sample("relu", (-2.0, 2.0))
    assert not np.isnan(curves["f"][1]).any()  # continuous: one piece
    assert np.isnan(curves["df"][1]).sum() == 1  # the step in f' is broken
    assert marks == [(0.0, {"df": 0.0})]  # and f'(0) = 0 is marked


def test_range_and_axes_off_origin(tmp_path: Path) -> None:
    fig = plot.figure("sigmoid", x_range=(1.0, 5.0))
    ax = fig.axes[0]
    assert ax.get_xlim() == (1.0, 5.0)
    assert ax.spines["left"].get_position() == ("axes", 0.0)
    with pytest.raises(ValueError, match="range"):
        plot.figure("sigmoid", x_range=(2.0, 1.0))


@pytest.mark.parametrize("ext", [".png", ".svg", ".pdf"])
def test_formats_by_extension(ext: str, tmp_path: Path) -> None:
    out = plot.plot("gelu", tmp_path / f"g{ext}", second=True)
    data = out.read_bytes()
    if ext == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert mpimg.imread(out).shape[:2] == (440, 640)
    elif ext == ".svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
    else:
        assert data[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temp files left


def test_svg_output_is_deterministic(tmp_path: Path) -> None:
    a = plot.plot("mish", tmp_path / "a.svg").read_bytes()
    b = plot.plot("mish", tmp_path / "b.svg").read_bytes()
    assert a == b


def test_bad_output_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown image format"):
        plot.plot("relu", tmp_path / "x.gif")
    with pytest.raises(OSError, match="does not exist"):
        plot.plot("relu", tmp_path / "missing" / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_compare_overlay_and_grid(tmp_path: Path) -> None:
    names = ["relu", "gelu", "silu", "mish", "elu"]
    fig = plot.compare_figure(names)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert [lab.split("(")[0] for lab in labels] == names
    fig = plot.compare_figure(names, layout="grid")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(names)
    assert [ax.get_title().split("(")[0] for ax in visible] == names
    out = plot.compare(names, tmp_path / "grid.png", layout="grid")
    assert mpimg.imread(out).ndim == 3
    with pytest.raises(ValueError, match="layout"):
        plot.compare_figure(names, layout="spiral")


def test_thumbnail_is_small(tmp_path: Path) -> None:
    out = plot.save(plot.thumbnail("tanh"), tmp_path / "t.png")
    assert mpimg.imread(out).shape[:2] == (128, 192)
