"""The audit report as a terminal table (≤ 100 columns), JSON records and Markdown."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["SCHEMA_FIELDS", "format_table", "to_json", "to_markdown", "label", "WIDTH"]

#: Fields every JSON record has.
SCHEMA_FIELDS = ("library", "version", "name", "params", "dtype", "order", "points",
                 "max_ulp", "p999_ulp", "max_mixed", "nonfinite", "nan_lost", "flushed",
                 "worst_x", "worst", "specials", "out_dtype", "exhaustive", "error")
#: Width of the terminal table.
WIDTH = 100
_COLS = (("activation", 21, "<"), ("dtype", 9, "<"), ("d", 1, ">"), ("points", 10, ">"),
         ("max ulp", 10, ">"), ("p99.9", 6, ">"), ("mixed", 8, ">"), ("nonfin", 6, ">"),
         ("flush", 6, ">"), ("worst x", 11, ">"))


def label(rec: Mapping[str, Any]) -> str:
    """``gelu`` or ``gelu(approximate=tanh)``."""
    p = rec["params"]
    if not p:
        return rec["name"]
    return rec["name"] + "(" + ",".join(f"{k}={v}" for k, v in p.items()) + ")"


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if not math.isfinite(v) or v >= 1e5 or v < 1e-2:
            return f"{v:.1e}"
        return f"{v:.3g}"
    if isinstance(v, int) and v >= 10**10:
        return f"{v:.2e}"
    return str(v)


def _x(v: Any) -> str:
    if isinstance(v, str):
        return v
    return f"{v:.4g}"


def _cells(rec: Mapping[str, Any]) -> list[str]:
    worst = rec["worst_x"][0] if rec.get("worst_x") else ""
    return [label(rec), rec["dtype"] + ("*" if rec.get("exhaustive") else ""),
            str(rec["order"]), _num(rec["points"]), _num(rec["max_ulp"]),
            _num(rec["p999_ulp"]), _num(rec["max_mixed"]), _num(rec["nonfinite"]),
            _num(rec["flushed"]), _x(worst) if worst != "" else ""]


def _row(cells: Sequence[str]) -> str:
    out = []
    for (_, w, a), c in zip(_COLS, cells, strict=True):
        c = c if len(c) <= w else c[: w - 1] + "…"
        out.append(f"{c:{a}{w}}")
    return " ".join(out).rstrip()


def _by_library(records: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        out.setdefault(r["library"], []).append(r)
    return out


def _missing(recs: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """(labels not provided, one-line other errors)."""
    absent, errors = [], []
    for r in recs:
        if r.get("error"):
            if r["error"].startswith("not provided"):
                if r["max_ulp"] is None:
                    lab = f"{label(r)} {r['dtype']} d{r['order']}"
                    absent.append(lab)
            elif r["max_ulp"] is None:
                errors.append(f"{label(r)} {r['dtype']} d{r['order']}: {r['error']}")
    return absent, errors


def format_table(records: Sequence[Mapping[str, Any]], *, only_errors: bool = False) -> str:
    """The terminal table, one block per library (``*`` = every input of the dtype;
    d = derivative order; mixed = max |got − exact| / ulp(max(|exact|, 1)); nonfin =
    nan/inf where the exact value is finite; flush = subnormals treated as zero)."""
    lines: list[str] = []
    for lib, recs in _by_library(records).items():
        version = next((r["version"] for r in recs if r.get("version")), "")
        lines.append(f"{lib}  ({version})" if version else lib)
        lines.append(_row([c[0] for c in _COLS]))
        for r in recs:
            if r["max_ulp"] is None:
                continue
            if only_errors and not (r["max_ulp"] or r["nonfinite"] or r["flushed"]):
                continue
            lines.append(_row(_cells(r)))
        absent, errors = _missing(recs)
        if absent:
            lines.append(_wrap("not provided: " + ", ".join(absent)))
        for e in errors:
            lines.append(_wrap("error: " + e))
        lines.append("")
    lines.append("* every value of the dtype; d: derivative; mixed: |got-exact|/ulp(max(|exact|,1))"
                 [:WIDTH])
    return "\n".join(lines)


def _wrap(text: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, WIDTH, subsequent_indent="  ")) if text else text


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def to_json(records: Sequence[Mapping[str, Any]]) -> str:
    """The records as a JSON list (strict JSON: non-finite floats are strings)."""
    return json.dumps([_clean(dict(r)) for r in records], indent=1, allow_nan=False) + "\n"


def to_markdown(records: Sequence[Mapping[str, Any]], *, title: str = "actfn audit") -> str:
    """The report as Markdown: a table per library, the worst inputs and the specials."""
    out = [f"# {title}", "",
           "ULP distances against the correctly rounded value (`actfn.reference`). "
           "`*` = every value of the dtype; d = derivative order (library autodiff); "
           "mixed = max |got − exact| / ulp(max(|exact|, 1)); nonfinite = nan/inf where the "
           "exact value is finite; flushed = subnormals treated as zero.", ""]
    for lib, recs in _by_library(records).items():
        version = next((r["version"] for r in recs if r.get("version")), "")
        out += [f"## {lib}" + (f" ({version})" if version else ""), "",
                "| activation | dtype | d | points | max ulp | p99.9 | mixed | nonfinite | "
                "flushed | worst x (got / exact) | out dtype |",
                "|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|"]
        for r in recs:
            if r["max_ulp"] is None:
                continue
            c = _cells(r)
            w = r["worst"][0] if r["worst"] else None
            worst = f"{_x(w['x'])} ({_x(w['got'])} / {_x(w['exact'])})" if w else ""
            od = r["out_dtype"] if r["out_dtype"] != r["dtype"] else ""
            out.append("| " + " | ".join([f"`{c[0]}`", *c[1:9], worst, od]) + " |")
        absent, errors = _missing(recs)
        if absent:
            out += ["", "Not provided: " + ", ".join(absent) + "."]
        if errors:
            out += ["", "Errors:", ""] + [f"- {e}" for e in errors]
        out.append("")
    return "\n".join(out)
