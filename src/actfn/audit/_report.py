"""The audit report as a terminal table (≤ 100 columns), JSON records and Markdown."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_FIELDS", "format_table", "to_json", "to_markdown", "label", "WIDTH",
           "snapshot", "summary", "SNAPSHOT"]

#: Fields every JSON record has.
SCHEMA_FIELDS = ("library", "version", "name", "params", "dtype", "order", "points",
                 "max_ulp", "p999_ulp", "max_mixed", "nonfinite", "nan_lost", "flushed", "undecided",
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


def _g(v: Any) -> str:
    """A value with enough digits to tell neighbouring float32 values apart."""
    return v if isinstance(v, str) else f"{v:.9g}"


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
    """(labels not provided, with the dtypes/orders where only some are; one-line other
    errors)."""
    absent: dict[str, list[str]] = {}
    errors = []
    every = {(r["dtype"], r["order"]) for r in recs}
    for r in recs:
        if r.get("error") and r["max_ulp"] is None:
            if r["error"].startswith("not provided"):
                absent.setdefault(label(r), []).append(f"{r['dtype']} d{r['order']}")
            else:
                errors.append(f"{label(r)} {r['dtype']} d{r['order']}: {r['error']}")
    out = [lab if len(where) == len(every) else f"{lab} ({', '.join(where)})"
           for lab, where in absent.items()]
    return out, errors


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
            worst = f"{_x(w['x'])} ({_g(w['got'])} / {_g(w['exact'])})" if w else ""
            od = r["out_dtype"] if r["out_dtype"] != r["dtype"] else ""
            out.append("| " + " | ".join([f"`{c[0]}`", *c[1:9], worst, od]) + " |")
        absent, errors = _missing(recs)
        if absent:
            out += ["", "Not provided: " + ", ".join(absent) + "."]
        if errors:
            out += ["", "Errors:", ""] + [f"- {e}" for e in errors]
        out.append("")
    return "\n".join(out)


#: The committed snapshot shipped with the package (``tools/audit_snapshot.py``).
SNAPSHOT = Path(__file__).with_name("snapshot.json")


def snapshot() -> list[dict[str, Any]]:
    """The records of the committed snapshot (an empty list if it is missing)."""
    try:
        data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def summary(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per library × dtype × order: how many functions are within 1 ulp, how many have
    nan/inf where the exact value is finite or flush subnormals, and the worst one."""
    groups: dict[tuple[str, str, int], list[Mapping[str, Any]]] = {}
    for r in records:
        if r.get("max_ulp") is not None:
            groups.setdefault((r["library"], r["dtype"], r["order"]), []).append(r)
    out = []
    for (lib, dt, order), recs in groups.items():
        worst = max(recs, key=lambda r: r["max_ulp"])
        out.append({"library": lib, "dtype": dt, "order": order, "functions": len(recs),
                    "within_1ulp": sum(r["max_ulp"] <= 1 for r in recs),
                    "nonfinite": sum(bool(r["nonfinite"]) for r in recs),
                    "flushed": sum(bool(r["flushed"]) for r in recs),
                    "worst": label(worst), "worst_ulp": worst["max_ulp"],
                    "worst_x": worst["worst_x"][0] if worst["worst_x"] else None})
    return out
