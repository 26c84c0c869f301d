"""Small inline SVG figures of f, f′, f″ (no matplotlib): Jupyter reprs and the widget."""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np

__all__ = ["curve_svg", "repr_html", "repr_latex"]

#: (key, label, colour, dash) of the three curves; distinct dashes so none hides another.
CURVES = (("f", "f", "#1f5fbf", ""), ("df", "f′", "#d9480f", "6 3"),
          ("d2f", "f″", "#2b8a3e", "2 3"))


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    span = hi - lo
    if not span > 0 or not math.isfinite(span):
        return [lo]
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    return [round(start + i * step, 12) for i in range(int((hi - start) / step + 1e-9) + 1)]


def curve_svg(act: Any, lo: float = -3.0, hi: float = 3.0, n: int = 241,
              width: int = 360, height: int = 220, show: tuple[str, ...] = ("f", "df", "d2f"),
              title: str = "") -> str:
    """An SVG line plot of ``act``'s f, f′, f″ on [lo, hi] (float64) with axes and a legend."""
    x = np.linspace(lo, hi, n)
    with np.errstate(all="ignore"):
        ys = {"f": act(x), "df": act.derivative(x), "d2f": act.second_derivative(x)}
    finite = np.concatenate([np.asarray(ys[k], float)[np.isfinite(ys[k])] for k in show]
                            or [np.zeros(1)])
    ylo, yhi = (float(np.min(finite)), float(np.max(finite))) if finite.size else (-1.0, 1.0)
    ylo, yhi = max(ylo, -10 * max(1.0, abs(hi))), min(yhi, 10 * max(1.0, abs(hi)))
    if yhi - ylo < 1e-9:
        ylo, yhi = ylo - 1, yhi + 1
    pad = 0.06 * (yhi - ylo)
    ylo, yhi = ylo - pad, yhi + pad
    ml, mr, mt, mb = 34, 8, 16 if title else 6, 20
    pw, ph = width - ml - mr, height - mt - mb

    def sx(v: float) -> float:
        return ml + (v - lo) / (hi - lo) * pw

    def sy(v: float) -> float:
        return mt + (yhi - v) / (yhi - ylo) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
           f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="#fff" stroke="#bbb"/>']
    if title:
        out.append(f'<text x="{ml}" y="11">{html.escape(title)}</text>')
    for t in _ticks(lo, hi):
        out.append(f'<line x1="{sx(t):.1f}" y1="{mt}" x2="{sx(t):.1f}" y2="{mt + ph}" '
                   f'stroke="#eee"/><text x="{sx(t):.1f}" y="{height - 6}" '
                   f'text-anchor="middle">{t:g}</text>')
    for t in _ticks(ylo, yhi, 4):
        out.append(f'<line x1="{ml}" y1="{sy(t):.1f}" x2="{ml + pw}" y2="{sy(t):.1f}" '
                   f'stroke="#eee"/><text x="{ml - 3}" y="{sy(t) + 3:.1f}" '
                   f'text-anchor="end">{t:g}</text>')
    if ylo < 0 < yhi:
        out.append(f'<line x1="{ml}" y1="{sy(0):.1f}" x2="{ml + pw}" y2="{sy(0):.1f}" '
                   'stroke="#999"/>')
    for k, _label, colour, dash in CURVES:
        if k not in show:
            continue
        y = np.clip(np.asarray(ys[k], float), ylo - 1e3, yhi + 1e3)
        parts, pen = [], "M"
        for xv, yv in zip(x.tolist(), y.tolist(), strict=True):
            if not math.isfinite(yv):
                pen = "M"
                continue
            parts.append(f"{pen}{sx(xv):.1f},{sy(yv):.1f}")
            pen = "L"
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{" ".join(parts)}" fill="none" stroke="{colour}" '
                   f'stroke-width="1.6"{dash_attr} data-curve="{k}"/>')
    lx = ml + 6
    for k, label, colour, dash in CURVES:
        if k not in show:
            continue
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx}" y1="{mt + 9}" x2="{lx + 16}" y2="{mt + 9}" '
                   f'stroke="{colour}" stroke-width="1.6"{dash_attr}/>'
                   f'<text x="{lx + 19}" y="{mt + 12}">{label}</text>')
        lx += 40
    out.append("</svg>")
    return "".join(out)


def repr_latex(act: Any) -> str:
    """``$$ f(x) = … $$`` from the registry's LaTeX (with the bound parameters)."""
    tex = act.spec.latex.get("f")
    if not tex:
        return f"$\\mathrm{{{act.name}}}$"
    return f"$$\\mathrm{{{act.name.replace('_', chr(92) + '_')}}}(x) = {tex}$$"


def repr_html(act: Any) -> str:
    """The name and parameters, the formula (LaTeX source for MathJax/KaTeX in Jupyter)
    and an inline SVG of f, f′, f″ on [−3, 3]."""
    params = ", ".join(f"{k}={v!r}" for k, v in act.params.items())
    tex = act.spec.latex.get("f", "")
    summary = html.escape(act.spec.summary)
    formula = (f'<div class="actfn-formula">$$f(x) = {html.escape(tex)}$$</div>' if tex else "")
    shown, note = _first_channel(act)
    return (f'<div class="actfn-activation"><b>{html.escape(act.name)}</b>'
            f'<code>({html.escape(params)})</code><div>{summary}</div>{formula}'
            f'{note}{curve_svg(shown, title="")}</div>')


def _first_channel(act: Any) -> tuple[Any, str]:
    """``act`` itself, or (per-channel parameters such as PReLU's ``weight=[…]``) the
    activation of channel 0 and an HTML note saying that only it is plotted."""
    vec = {k: v for k, v in act.params.items() if isinstance(v, tuple) and len(v) > 1}
    if not vec:
        return act, ""
    from .. import get

    first = {k: (v[0] if k in vec else v) for k, v in act.params.items()}
    chans = max(len(v) for v in vec.values())
    which = ", ".join(f"{k}={first[k]!r}" for k in vec)
    note = (f'<div class="actfn-note"><i>{chans} channels: the plot shows channel 0 '
            f'({html.escape(which)})</i></div>')
    return get(act.name, **first), note
