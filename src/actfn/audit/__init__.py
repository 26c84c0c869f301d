"""``actfn audit``: grade a library's activations and their autodiff derivatives against
the correctly rounded truth (:func:`actfn.reference`).

>>> from actfn import audit
>>> recs = audit.run("actfn", ["relu"], dtypes=["bfloat16"], orders=[0])  # doctest: +SKIP
>>> recs[0]["max_ulp"]  # doctest: +SKIP
0

Libraries: ``torch``, ``torch-compile`` (inductor), ``jax``, ``jax-x64``,
``keras-jax`` / ``keras-torch`` / ``keras-tensorflow`` (``keras`` = the current
``KERAS_BACKEND``), ``tensorflow``, ``numpy-naive`` (the reference formulas evaluated
naively in the audited dtype), ``actfn``, and plugins ``module:function``: a callable
``evaluate(name, x, **params)`` given a NumPy array ``x`` (float16, bfloat16 from
ml_dtypes, float32 or float64) that returns ``(f, f′, f″)`` as arrays (any array
library; a shorter tuple or ``None`` entries for the orders it does not give), or
``None`` when it has no such activation. Each library runs in its own process.

Each record (:func:`run`) has ``library``, ``version``, ``name``, ``params``, ``dtype``,
``order``, ``points``, ``max_ulp``, ``max_ulp_finite``, ``p999_ulp``, ``max_mixed``,
``nonfinite``, ``nan_lost``, ``flushed``, ``worst_x``, ``worst`` (x, got, exact, ulp of
the worst *finite* results), ``nonfinite_worst`` (x, got, exact of the first results
that are nan/±inf where the exact value is finite), ``specials``
(got and exact at ±0, ±inf, nan), ``out_dtype``, ``exhaustive`` and ``error`` (why
there are no numbers: ``"not provided: …"`` or the library's error).

A result that is nan/±inf where the exact value is finite is an infinite error:
``max_ulp`` and ``max_mixed`` are then ``math.inf`` (``"inf"`` in JSON), as is
``p999_ulp`` when such results exceed 0.1 % of the inputs, so no "≤ k ulp" reading
passes; ``max_ulp_finite`` keeps the largest distance over the finite results.
"""

from __future__ import annotations

from ._core import (
                    CHUNK,
                    LIBRARIES,
                    TIMEOUT,
                    cache_dir,
                    check_library,
                    check_plugin,
                    param_sets,
                    run,
)
from ._report import SCHEMA_FIELDS, format_table, snapshot, summary, to_json, to_markdown

__all__ = ["run", "LIBRARIES", "CHUNK", "TIMEOUT", "cache_dir", "check_library",
           "check_plugin", "param_sets",
           "format_table", "to_json", "to_markdown", "SCHEMA_FIELDS", "snapshot", "summary"]
