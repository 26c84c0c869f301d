"""``actfn.explore.widget``: the explorer's sliders inline in Jupyter (ipywidgets)."""

from __future__ import annotations

import math
from typing import Any

from .. import get, lookup
from ._api import slider
from ._svg import curve_svg

__all__ = ["build"]


def build(name: str, **params: Any) -> Any:
    """See :func:`actfn.explore.widget`."""
    try:
        import ipywidgets as w
    except ImportError:
        raise ImportError("actfn.explore.widget needs ipywidgets: "
                          "pip install 'actfn[notebook]'") from None
    act = get(name, **params)  # validates name and parameters first
    spec = lookup(name)
    controls: dict[str, Any] = {}
    for p in spec.params:
        value = act.params[p.name]
        if p.choices is not None:
            controls[p.name] = w.Dropdown(options=list(p.choices), value=value,
                                          description=p.name)
            continue
        if isinstance(value, tuple):
            value = value[0]
        s = slider(p) or {"min": -5.0, "max": 5.0, "scale": "linear"}
        if s["scale"] == "log":
            controls[p.name] = w.FloatLogSlider(
                value=value, base=10, min=math.log10(s["min"]), max=math.log10(s["max"]),
                step=0.01, description=p.name, readout_format=".4g")
        else:
            lo, hi = float(s["min"]), float(s["max"])
            controls[p.name] = w.FloatSlider(
                value=min(max(float(value), lo), hi), min=lo, max=hi,
                step=(hi - lo) / 500, description=p.name, readout_format=".4g")
    controls["range"] = w.FloatRangeSlider(value=(-3.0, 3.0), min=-20.0, max=20.0, step=0.1,
                                           description="x range")
    figure = w.HTML()
    error = w.HTML()

    def redraw(_: Any = None) -> None:
        values = {k: c.value for k, c in controls.items() if k != "range"}
        lo, hi = controls["range"].value
        try:
            a = get(spec.name, **values)
        except (ValueError, TypeError) as exc:
            error.value = f'<span style="color:#c00">{exc}</span>'
            return
        error.value = ""
        figure.value = curve_svg(a, lo, hi if hi > lo else lo + 1, width=480, height=280,
                                 title=repr(a))

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    box = w.VBox([*controls.values(), error, figure])
    box.figure = figure
    box.controls = controls
    return box
