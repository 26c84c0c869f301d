"""The audit report as a terminal table (≤ 100 columns), JSON records and Markdown."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SCHEMA_FIELDS", "format_table", "to_json", "to_markdown", "label", "WIDTH",
           "snapshot", "summary", "SNAPSHOT", "MD_LEGEND", "compact"]

#: Fields every JSON record has.
SCHEMA_FIELDS = ("library", "version", "name", "params", "dtype", "order", "points",
                 "max_ulp", "max_ulp_finite", "p999_ulp", "max_mixed", "nonfinite", "nan_lost",
                 "flushed", "undecided", "worst_x", "worst", "nonfinite_worst", "specials",
                 "out_dtype", "exhaustive", "error")
#: Width of the terminal table.
WIDTH = 100
# every number fits its column (compact(): at most 7 characters), nothing is cut
_COLS = (("activation", 19, "<"), ("dtype", 13, "<"), ("d", 1, ">"), ("points", 7, ">"),
         ("max ulp", 7, ">"), ("finite", 7, ">"), ("p99.9", 7, ">"), ("mixed", 7, ">"),
         ("nonfin", 7, ">"), ("flush", 5, ">"), ("worst x", 9, ">"))
_SHORT = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64"}
#: The legend paragraph under the Markdown title (also how ``--md`` recognises a report
#: it wrote).
MD_LEGEND = ("ULP distances against the correctly rounded value (`actfn.reference`). "
             "`*` = every value of the dtype; d = derivative order (library autodiff); "
             "max ulp = inf when some result is nan/±inf where the exact value is finite "
             "(finite = the largest distance over the finite results); p99.9 above 1024 "
             "ulp is the lower bound of a power-of-two bin; mixed = max |got − exact| / "
             "ulp(max(|exact|, 1)); nonfinite = nan/inf where the exact value is finite; "
             "flushed = subnormals treated as zero; out dtype = the library's output "
             "dtype where it differs from the input's.")


def label(rec: Mapping[str, Any]) -> str:
    """``gelu`` or ``gelu(approximate=tanh)``."""
    p = rec["params"]
    if not p:
        return rec["name"]
    return rec["name"] + "(" + ",".join(f"{k}={v}" for k, v in p.items()) + ")"


def compact(v: Any) -> str:
    """A number in at most 7 characters: integers below 10⁶ in full, else ``5.4e8``
    (two significant digits); floats ``0.5``, ``3.2e5``, ``inf``; ``None`` → ``-``.

    >>> [compact(v) for v in (0, 999_999, 869_551_121, 0.25, 1.5e-3, float("inf"))]
    ['0', '999999', '8.7e8', '0.25', '1.5e-3', 'inf']
    """
    if v is None:
        return "-"
    if isinstance(v, str):
        v = float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, int) and abs(v) < 10**6:
        return str(v)
    if v == 0:
        return "0"
    if 1e-2 <= abs(v) < 1e5:
        return f"{v:.3g}"
    mant, exp = f"{v:.1e}".split("e")
    return f"{mant}e{int(exp)}"


def _x(v: Any) -> str:
    """An input in at most 9 characters (``-4.984``, ``1.8e38``)."""
    if isinstance(v, str):
        return v
    text = f"{v:.4g}"
    if len(text) <= 9:
        return text
    mant, exp = f"{v:.2e}".split("e")
    return f"{mant}e{int(exp)}"


def _g(v: Any, dtype: str = "float64") -> str:
    """``v`` as the shortest text that reads back to the same ``dtype`` value (so two
    neighbouring values of the dtype never print alike)."""
    if isinstance(v, str):
        return v
    import ml_dtypes

    dt = ml_dtypes.bfloat16 if dtype == "bfloat16" else np.dtype(dtype).type
    text = str(dt(v))
    return text if any(c in text for c in ".enai") else text + ".0"


def _dtype_cell(rec: Mapping[str, Any]) -> str:
    """``float32``, ``float32*`` (every value) or ``float64→f32`` (the library returned
    another dtype)."""
    cell = rec["dtype"] + ("*" if rec.get("exhaustive") else "")
    od = rec.get("out_dtype")
    if od and od != rec["dtype"]:
        cell += "→" + _SHORT.get(od, od)
    return cell


def _cells(rec: Mapping[str, Any]) -> list[str]:
    worst = rec["worst_x"][0] if rec.get("worst_x") else ""
    return [label(rec), _dtype_cell(rec),
            str(rec["order"]), compact(rec["points"]), compact(rec["max_ulp"]),
            compact(rec.get("max_ulp_finite", rec["max_ulp"])),
            compact(rec["p999_ulp"]), compact(rec["max_mixed"]), compact(rec["nonfinite"]),
            compact(rec["flushed"]), _x(worst) if worst != "" else ""]


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
    by_error: dict[str, list[str]] = {}
    for r in recs:
        if r.get("error") and r["max_ulp"] is None:
            if r["error"].startswith("not provided"):
                absent.setdefault(label(r), []).append(f"{r['dtype']} d{r['order']}")
            else:
                by_error.setdefault(r["error"], []).append(
                    f"{label(r)} {r['dtype']} d{r['order']}")
    for text, where in by_error.items():  # one line per distinct error
        errors.append(text if len(where) == len(recs) else
                      f"{', '.join(where[:3])}{' …' if len(where) > 3 else ''}: {text}")
    out = [lab if len(where) == len(every) else f"{lab} ({', '.join(where)})"
           for lab, where in absent.items()]
    return out, errors


def format_table(records: Sequence[Mapping[str, Any]], *, only_errors: bool = False) -> str:
    """The terminal table, one block per library (``*`` = every input of the dtype;
    ``→f32`` = the library returned that dtype; d = derivative order; max ulp = inf when
    a result is nan/inf where the exact value is finite; finite = max ulp over the finite
    results; mixed = max |got − exact| / ulp(max(|exact|, 1)); nonfin = nan/inf where
    the exact value is finite; flush = subnormals treated as zero; worst x = the input
    of the worst finite result)."""
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
    lines.append("* every value of the dtype; →f32: output dtype; d: derivative; finite: max ulp "
                 "of finite results;")
    lines.append("mixed: |got-exact|/ulp(max(|exact|,1)); p99.9 above 1024 is a power-of-two "
                 "bin's lower bound")
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
    """The records as a JSON list (strict JSON: non-finite floats are strings; so
    ``max_ulp``, ``p999_ulp`` and ``max_mixed`` are ``"inf"`` when a result is nan/±inf
    where the exact value is finite, and ``null`` when the record has an error)."""
    return json.dumps([_clean(dict(r)) for r in records], indent=1, allow_nan=False) + "\n"


def to_markdown(records: Sequence[Mapping[str, Any]], *, title: str = "actfn audit") -> str:
    """The report as Markdown: a table per library, the worst inputs and the specials."""
    out = [f"# {title}", "", MD_LEGEND, ""]
    nonfin: list[str] = []
    for lib, recs in _by_library(records).items():
        version = next((r["version"] for r in recs if r.get("version")), "")
        out += [f"## {lib}" + (f" ({version})" if version else ""), "",
                "| activation | dtype | d | points | max ulp | finite | p99.9 | mixed | "
                "nonfinite | flushed | worst finite x (got / exact) | out dtype |",
                "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|"]
        for r in recs:
            if r["max_ulp"] is None:
                continue
            c = _cells(r)
            c[1] = r["dtype"] + ("*" if r.get("exhaustive") else "")
            w = r["worst"][0] if r["worst"] else None
            dt = r["dtype"]
            worst = (f"{_g(w['x'], dt)} ({_g(w['got'], dt)} / {_g(w['exact'], dt)})"
                     if w else "")
            od = r["out_dtype"] if r["out_dtype"] != r["dtype"] else ""
            out.append("| " + " | ".join([f"`{c[0]}`", *c[1:10], worst, od]) + " |")
            if r.get("nonfinite_worst"):
                nonfin.append(f"- {lib} `{label(r)}` {r['dtype']} d{r['order']}: "
                              + ", ".join(f"x = {_g(v['x'], r['dtype'])} gives {v['got']} "
                                          f"(exact {_g(v['exact'], r['dtype'])})"
                                          for v in r["nonfinite_worst"][:3]))
        absent, errors = _missing(recs)
        if absent:
            out += ["", "Not provided: " + ", ".join(absent) + "."]
        if errors:
            out += ["", "Errors:", ""] + [f"- {e}" for e in errors]
        out.append("")
    if nonfin:
        out += ["## Non-finite results where the exact value is finite", "",
                "(the first few inputs of each; they make max ulp inf)", "", *nonfin, ""]
    return "\n".join(out)


#: The committed snapshot shipped with the package (``tools/audit_snapshot.py``).
SNAPSHOT = Path(__file__).with_name("snapshot.json")


def snapshot() -> list[dict[str, Any]]:
    """The records of the committed snapshot (an empty list if it is missing), with the
    ``"inf"`` of ``max_ulp``/``p999_ulp``/``max_mixed`` read back as ``math.inf``."""
    try:
        data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    for r in data:
        for k in ("max_ulp", "p999_ulp", "max_mixed"):
            if isinstance(r, dict) and r.get(k) == "inf":
                r[k] = math.inf
    return data


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
