"""actfn.jax vs jax.nn: forward + grad under jit, float32, as a markdown table.

For every activation with a JAX equivalent in the registry (its knowledge file), times
``jit(x ↦ vjp(f, x) with a ones cotangent)`` (the activation's share of a training step)
of ``actfn.jax.<name>`` and of the equivalent, interleaved (one call of each per round,
so load on the machine hits both alike), and prints the medians and the speed ratio
(jax.nn time / actfn time: ≥ 1 means actfn is at least as fast; issue 12's target is
≥ 0.8 at 2^16–2^24 elements)::

    python tools/jax_speed.py                     # 2^16, 2^20, 2^24; x64 off
    python tools/jax_speed.py --x64 --sizes 20 --names gelu,silu --rounds 15
    python tools/jax_speed.py --cost     # XLA's flops and bytes per element (no timing)

``--cost`` prints what XLA's cost analysis counts per element for each step (flops,
transcendentals, bytes accessed): independent of the load on the machine, it shows
where a kernel does more work or, through intermediates the CPU backend materialises
between its loop fusions, moves more memory than jax.nn's formula.

With ``--x64`` (``jax_enable_x64``) float32 inputs are computed in float64 and rounded
once; without it actfn.jax works in float32.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

__all__ = ["cost", "equivalent", "main", "measure"]


def equivalent(name: str) -> Callable[[Any], Any] | None:
    """The registry's JAX equivalent of ``name`` at its default parameters (or None)."""
    import jax

    import actfn

    spec = actfn.lookup(name)
    eq = spec.knowledge.equivalent("JAX")
    if eq is None:
        return None
    code = compile(eq.at(spec.defaults()), f"<{name} JAX equivalent>", "eval")
    return lambda x: eval(code, {"jax": jax, "x": x})  # registry data, not user input


def _step(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    import jax
    import jax.numpy as jnp

    def fwd_bwd(x: Any) -> Any:
        y, pull = jax.vjp(fn, x)
        return y, pull(jnp.ones_like(y))[0]

    return jax.jit(fwd_bwd)


def measure(name: str, n: int, rounds: int) -> tuple[float, float] | None:
    """Median seconds of (actfn, jax.nn) forward + grad at ``n`` float32 elements."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    import actfn.jax as aj

    other = equivalent(name)
    if other is None:
        return None
    x = jnp.asarray(np.random.default_rng(0).normal(size=n) * 3, jnp.float32)
    steps = (_step(aj.function(name)), _step(other))
    for s in steps:
        jax.block_until_ready(s(x))
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for s, t in zip(steps, times, strict=True):
            t0 = time.perf_counter()
            jax.block_until_ready(s(x))
            t.append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def cost(fn: Callable[[Any], Any], n: int = 2**16) -> tuple[float, float, float]:
    """(flops, transcendentals, bytes accessed) per element of the jitted step of ``fn``
    at ``n`` float32 elements, from XLA's cost analysis of the compiled step."""
    import jax.numpy as jnp

    c = _step(fn).lower(jnp.zeros(n, jnp.float32)).compile().cost_analysis()
    c = c[0] if isinstance(c, list) else c
    return (c.get("flops", 0.0) / n, c.get("transcendentals", 0.0) / n,
            c.get("bytes accessed", 0.0) / n)


def _cost_table(names: list[str]) -> None:
    import actfn.jax as aj

    print("| activation | actfn flops / transc. / bytes | jax.nn flops / transc. / bytes |")
    print("|---|---|---|")
    for name in names:
        other = equivalent(name)
        if other is None:
            continue
        a, b = cost(aj.function(name)), cost(other)
        print(f"| {name} | " + " | ".join(f"{c[0]:.0f} / {c[1]:.0f} / {c[2]:.0f}" for c in (a, b))
              + " |", flush=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="16,20,24", help="log2 of the element counts")
    ap.add_argument("--names", default="", help="comma-separated activations (default: all)")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--x64", action="store_true", help="turn jax_enable_x64 on")
    ap.add_argument("--cost", action="store_true", help="XLA cost analysis instead of timing")
    args = ap.parse_args(argv)
    import jax

    import actfn

    if args.x64:
        jax.config.update("jax_enable_x64", True)
    names = args.names.split(",") if args.names else actfn.names()
    if args.cost:
        _cost_table(names)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"x64 {'on' if args.x64 else 'off'}; float32; forward + grad under jit; "
          f"median of {args.rounds} interleaved rounds; ratio = jax.nn time / actfn time")
    print("| activation | " + " | ".join(f"2^{s} actfn / jax ms (ratio)" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name in names:
        cells = []
        for s in sizes:
            r = measure(name, 2**s, args.rounds)
            if r is None:
                break
            cells.append(f"{r[0] * 1e3:.3f} / {r[1] * 1e3:.3f} ({r[1] / r[0]:.2f})")
        if cells:
            print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
