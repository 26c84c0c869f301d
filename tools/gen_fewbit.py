"""Generate src/actfn/catalog/_fewbit/<name>.json: the few-bit backward's fitted tables.

For every built-in activation whose f′ is not piecewise constant (``actfn._fewbit.regions``
is ``None``: those get exact region codes and need no table), fit at its default
parameters, for each ``k`` in ``actfn._fewbit.BITS``, the piecewise-constant q with 2**k
levels minimising E[(f′(x) − q(x))²] under x ~ N(0, 1) (``actfn._fewbit.fit``: grid
optimum by dynamic programming, then L-BFGS with Gauss-Legendre quadrature), and write
thresholds, levels and the attained mean squared error beside the catalog module. The
activations are the registry's (no list here). About 25 s per activation, most of it
for k = 8.

    python tools/gen_fewbit.py            # write every table
    python tools/gen_fewbit.py --check    # compare with the shipped tables instead
    python tools/gen_fewbit.py --only gelu --bits 3 --check
    python tools/gen_fewbit.py --docs     # rewrite only the generated docs blocks

Activations whose f′ is unbounded (``actfn._fewbit.unbounded``: relu2, an exponential...)
get no table: ``saved_bits`` refuses them. Writing the tables also rewrites the blocks
between ``<!-- gen_fewbit:NAME begin -->`` and ``<!-- gen_fewbit:NAME end -->`` in
docs/fewbit.md (``mse`` and ``tail`` tables) and README.md (``tail``), computed from the
shipped tables (``--check`` compares them too).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import actfn
import actfn.catalog
from actfn import _fewbit
from actfn._registry import lookup, origin

__all__ = ["CATALOG", "DOCS", "targets", "tables", "render", "compare", "mse_table",
           "tail_table", "blocks", "with_blocks", "main"]

CATALOG = Path(actfn.catalog.__file__).resolve().parent
ROOT = Path(__file__).resolve().parent.parent
#: The files with generated blocks, and the blocks each holds.
DOCS = {ROOT / "docs" / "fewbit.md": ("mse", "tail"), ROOT / "README.md": ("tail",)}


def targets() -> list[str]:
    """The built-in activations that get a fitted table: registered from the catalog,
    with an f′ that is not piecewise constant at the default parameters."""
    out = []
    for name in actfn.names():
        spec = lookup(name)
        where = origin(spec)
        if where is None or where.parent != CATALOG:
            continue
        if _fewbit.regions(spec, spec.bind()) is None \
                and not _fewbit.unbounded(spec, spec.bind()):
            out.append(name)
    return out


def variants(name: str) -> list[dict[str, Any]]:
    """The non-default parameter sets of ``name`` that a registered model unit uses: the
    gate parameters of every gated unit whose gate is ``name``, at its defaults and its
    ``cases`` (geglu's approximate="tanh" → gelu's, Gemma; swiglu_clamped's alpha=1.702 →
    silu's beta, gpt-oss), bound; from the registry, no second list."""
    spec = lookup(name)
    out: list[dict[str, Any]] = []
    for g in actfn.names(kind="gated"):
        gs = lookup(g, kind="gated")
        if gs.gate is not spec:
            continue
        for case in (gs.bind(), *(gs.bind(**c) for c in gs.cases)):
            p = spec.bind(**gs.gate_params(case))
            if p != spec.bind() and p not in out and _fewbit.regions(spec, p) is None \
                    and not _fewbit.unbounded(spec, p):
                out.append(p)
    return out


def _fits(name: str, params: dict[str, Any], bits: tuple[int, ...]) -> dict[str, Any]:
    spec = lookup(name)
    fits = {b: _fewbit.fit(spec, params, b) for b in bits}
    errs = [fits[b].mse for b in sorted(fits)]
    if any(b > a for a, b in zip(errs, errs[1:], strict=False)):
        raise RuntimeError(f"{name}: the fitted error does not decrease with k: {errs}")
    return {str(b): fits[b].as_json() for b in sorted(fits)}


def tables(name: str, bits: tuple[int, ...] = _fewbit.BITS,
           with_variants: bool = True) -> dict[str, Any]:
    """The JSON document of ``name``'s tables for each of ``bits`` (and of its
    :func:`variants` under ``"variants"``)."""
    spec = lookup(name)
    params = spec.bind()
    doc: dict[str, Any] = {
        "activation": name,
        "params": params,
        "distribution": "N(0, 1)",
        "objective": "E[(f'(x) - q(x))^2]; q(x) = levels[i] for thresholds[i-1] < x <= "
                     "thresholds[i]",
        "generator": "tools/gen_fewbit.py (actfn._fewbit.fit)",
        "tables": _fits(name, params, bits),
    }
    extra = variants(name) if with_variants else []
    if extra:
        doc["variants"] = [{"params": p, "tables": _fits(name, p, bits)} for p in extra]
    return doc


def render(doc: dict[str, Any]) -> str:
    """The file text of a table document (floats as Python's shortest round-trip repr)."""
    return json.dumps(doc, indent=1, sort_keys=False) + "\n"


def compare(shipped: dict[str, Any], fresh: dict[str, Any], rtol: float = 1e-6) -> list[str]:
    """Differences between two table documents (the tables only), as messages."""
    bad = []
    if shipped.get("params") != fresh.get("params"):
        bad.append(f"params {shipped.get('params')} != {fresh.get('params')}")
    for b, t in fresh["tables"].items():
        s = shipped["tables"].get(b)
        if s is None:
            bad.append(f"k={b}: missing")
            continue
        for key in ("thresholds", "levels"):
            if len(s[key]) != len(t[key]) or any(
                    not math.isclose(u, v, rel_tol=rtol, abs_tol=rtol)
                    for u, v in zip(s[key], t[key], strict=True)):
                bad.append(f"k={b}: {key} differ")
        if not math.isclose(s["mse"], t["mse"], rel_tol=rtol):
            bad.append(f"k={b}: mse {s['mse']} != {t['mse']}")
    if "variants" in fresh:
        old = {json.dumps(v["params"], sort_keys=True): v for v in shipped.get("variants", [])}
        for v in fresh["variants"]:
            o = old.get(json.dumps(v["params"], sort_keys=True))
            if o is None:
                bad.append(f"variant {v['params']}: missing")
                continue
            bad += [f"variant {v['params']}: {m}" for m in compare(
                {"params": 0, "tables": o["tables"]}, {"params": 0, "tables": v["tables"]},
                rtol)]
    return bad


def _row(name: str, values: list[float]) -> str:
    return f"| {name} | " + " | ".join(f"{v:.3g}" for v in values) + " |"


def _header(first: str) -> list[str]:
    ks = " | ".join(f"k = {b}" for b in _fewbit.BITS)
    return [f"| {first} | {ks} |", "|---|" + "---|" * len(_fewbit.BITS)]


def mse_table() -> str:
    """Markdown: E[(f′ − q)²] under N(0, 1) per shipped table and k (the tables' mse)."""
    lines = _header("activation")
    for name in targets():
        spec = lookup(name)
        lines.append(_row(name, [_fewbit.table(spec, spec.bind(), b).mse
                                 for b in _fewbit.BITS]))
    return "\n".join(lines)


def tail_table() -> str:
    """Markdown: the tail bias max |f′ − q| beyond the outer thresholds
    (``actfn._fewbit.tail_bias``) per shipped table and k."""
    lines = _header("activation")
    for name in targets():
        spec = lookup(name)
        lines.append(_row(name, [_fewbit.tail_bias(spec, spec.bind(),
                                                   _fewbit.table(spec, spec.bind(), b))
                                 for b in _fewbit.BITS]))
    return "\n".join(lines)


def blocks() -> dict[str, str]:
    """The generated docs blocks by name, from the shipped tables."""
    return {"mse": mse_table(), "tail": tail_table()}


def with_blocks(text: str, names: tuple[str, ...], made: dict[str, str]) -> str:
    """``text`` with each named block's body replaced by ``made[name]``; ``ValueError``
    if a block's markers are missing."""
    for name in names:
        begin, end = f"<!-- gen_fewbit:{name} begin -->", f"<!-- gen_fewbit:{name} end -->"
        i, j = text.find(begin), text.find(end)
        if i < 0 or j < i:
            raise ValueError(f"block {name!r}: markers {begin} ... {end} not found")
        text = text[:i + len(begin)] + "\n" + made[name] + "\n" + text[j:]
    return text


def _docs(check: bool) -> int:
    made = blocks()
    failed = 0
    for path, names in DOCS.items():
        old = path.read_text(encoding="utf-8")
        new = with_blocks(old, names, made)
        if check:
            print(f"{path.name}: " + ("ok" if new == old else "generated blocks differ"))
            failed += new != old
        elif new != old:
            path.write_text(new, encoding="utf-8")
            print(f"{path.name}: rewrote the generated blocks")
    return failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    ap.add_argument("--only", action="append", help="activation(s) to do (default: all)")
    ap.add_argument("--bits", type=int, action="append", help="k values (with --check)")
    ap.add_argument("--docs", action="store_true", help="only the generated docs blocks")
    args = ap.parse_args(argv)
    if args.docs:
        return 1 if _docs(args.check) else 0
    names = targets() if not args.only else [lookup(n).name for n in args.only]
    bits = tuple(args.bits) if args.bits else _fewbit.BITS
    if args.bits and not args.check:
        ap.error("--bits only with --check (a written file holds every k)")
    failed = 0
    for name in names:
        path = _fewbit.table_path(lookup(name))
        assert path is not None
        fresh = tables(name, bits)
        if args.check:
            if not path.is_file():
                print(f"{name}: {path} missing")
                failed += 1
                continue
            bad = compare(json.loads(path.read_text(encoding="utf-8")), fresh)
            print(f"{name}: " + ("ok" if not bad else "; ".join(bad)))
            failed += bool(bad)
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(render(fresh), encoding="utf-8")
            print(f"{name}: wrote {path.name} (mse " + ", ".join(
                f"k={b}: {t['mse']:.3g}" for b, t in fresh["tables"].items()) + ")")
    if not args.only and not args.bits:
        failed += _docs(args.check)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
