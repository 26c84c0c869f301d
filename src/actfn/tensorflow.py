"""TensorFlow versions of every activation in the catalog, as ``tf.custom_gradient`` ops.

``actfn.tensorflow.<name>(x, *, **params)`` (``actfn.tensorflow.celu(x, alpha=0.5)``)
evaluates the registry kernel on TensorFlow tensors, in eager mode, under
``tf.function`` and under XLA (``tf.function(jit_compile=True)``). Gradients are actfn's
analytic derivatives, never autodiff through the kernels (whose ``where`` branches could
leak NaN into a gradient):

* the gradient of f is ``dy · f′(x)``, where f′ is itself a ``tf.custom_gradient`` op
  whose gradient is ``dh · f″(x)`` (nested custom gradients), so a nested or persistent
  ``tf.GradientTape`` gives the analytic second derivative; a third derivative raises
  ``NotImplementedError`` (actfn has no f‴);
* a learnable parameter (prelu's ``weight``, the ``alpha``/``scale``/``beta`` marked
  learnable in the registry) may be passed as a tensor or ``tf.Variable``; its gradient
  is the analytic ∂f/∂p summed to the parameter's shape, and the mixed derivative
  ∂²f/∂x∂p (``Spec.dparams_df``) serves gradient penalties. ∂²f/∂p² is not provided: it
  comes out as NaN (visible, never a silently wrong number). A per-channel parameter
  (``weight`` with ``c`` values broadcast along dim 1) works everywhere; a scalar
  learnable parameter must have a value TensorFlow can read when the op is built (eager
  mode, or a constant under ``tf.function``), because the kernels derive exact constants
  from it: a ``tf.Variable`` scalar inside ``tf.function`` raises ``TypeError`` saying so.

Precision: the work is done in float64 (TensorFlow has it everywhere on CPU and GPU) and
rounded once to the input dtype, so float16, bfloat16 and float32 results are within one
ulp of the exact value (gradients: the float64 product ``dy·f′`` rounded once); for those
narrower dtypes the kernels get the narrow-output context (float64-only refinements
skipped, which a float32 result cannot see). Integer and
bool inputs give float32 (TensorFlow's and Keras' default float); complex inputs raise
``TypeError``. TensorFlow has no ``erfcx``; :func:`_erfcx` supplies it in float64.

Every function is generated from the registry; ``actfn.tensorflow.function(name)``
looks one up by name or alias. Keras 3 on the TensorFlow backend uses these functions
(:mod:`actfn.keras`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import tensorflow as tf

from ._evaluate import (
    Generated,
    Glue,
    PerSpec,
    channel_shape,
    check_static,
    docstring,
    dress,
    learnable_params,
    register_glue,
    signature,
)
from ._registry import Spec
from .kernels.dd import two_prod

__all__ = ["function"]

_F64 = tf.float64
_FLOATS = (tf.float16, tf.bfloat16, tf.float32, tf.float64)
#: Beyond this argument exp(t²) overflows float64 (t² > 709.78) while erfc(t) is still a
#: normal number up to t ≈ 26.5; the asymptotic series takes over.
_ERFCX_SWITCH = 26.0
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)


# -- the kernels' namespace on TensorFlow tensors ---------------------------------------------
def _erfcx(t: tf.Tensor) -> tf.Tensor:
    r"""The scaled complementary error function erfcx(t) = e^{t²}·erfc(t) in float64.

    .. math:: \mathrm{erfcx}(t) = e^{t^2}\,\mathrm{erfc}(t)
              \sim \frac{1}{t\sqrt\pi}\sum_{n\ge0} (-1)^n \frac{(2n-1)!!}{(2t^2)^n}

    For t < 26: e^{t²} with t² split exactly (``two_prod``: t² = p + pe, e^{t²} =
    e^p·(1 + pe)) times TensorFlow's erfc. For t ≥ 26 the asymptotic series, whose
    12th term is below 1e-40 there. Negative t overflows to +inf where the true value does.
    """
    p, pe = two_prod(t, t, _NS)
    near = tf.exp(p) * (1.0 + pe) * tf.math.erfc(t)
    tt = tf.maximum(t, _ERFCX_SWITCH)
    inv = 1.0 / (2.0 * tt * tt)
    term = tf.ones_like(tt)
    total = tf.ones_like(tt)
    for n in range(1, 12):
        term = -term * (2 * n - 1) * inv
        total = total + term
    far = total * _INV_SQRT_PI / tt
    return tf.where(t < _ERFCX_SWITCH, near, far)


def _full_like(x: tf.Tensor, value: Any) -> tf.Tensor:
    return tf.fill(tf.shape(x), tf.constant(value, dtype=x.dtype))


class _Namespace:
    """What the registry kernels call as ``xp`` on float64 TensorFlow tensors: the few
    array-API functions they use, with Python scalars converted to float64."""

    float64 = _F64
    float32 = tf.float32
    narrow_output = False

    @staticmethod
    def _t(v: Any) -> tf.Tensor:
        return v if isinstance(v, tf.Tensor) else tf.constant(v, dtype=_F64)

    def where(self, cond: Any, a: Any, b: Any) -> tf.Tensor:
        a, b = self._t(a), self._t(b)
        if a.dtype != b.dtype:  # a float64 scalar against a narrower tensor: not in kernels
            b = tf.cast(b, a.dtype)
        return tf.where(cond, a, b)

    abs = staticmethod(tf.abs)
    exp = staticmethod(tf.exp)
    expm1 = staticmethod(tf.math.expm1)
    log1p = staticmethod(tf.math.log1p)
    tanh = staticmethod(tf.tanh)
    sign = staticmethod(tf.sign)

    @classmethod
    def copysign(cls, a: Any, b: Any) -> tf.Tensor:
        """|a| with the sign bit of b (−0 included: from b's bits, as NumPy's copysign)."""
        a, b = cls._t(a), cls._t(b)
        ints = {8: tf.int64, 4: tf.int32, 2: tf.int16}[b.dtype.size]
        mag = tf.abs(a)
        return tf.where(tf.bitcast(b, ints) < 0, -mag, mag)
    isinf = staticmethod(tf.math.is_inf)
    isfinite = staticmethod(tf.math.is_finite)
    isnan = staticmethod(tf.math.is_nan)
    zeros_like = staticmethod(tf.zeros_like)
    ones_like = staticmethod(tf.ones_like)
    full_like = staticmethod(_full_like)
    erf = staticmethod(tf.math.erf)
    erfc = staticmethod(tf.math.erfc)
    erfcx = staticmethod(_erfcx)
    reshape = staticmethod(tf.reshape)

    @staticmethod
    def hypot(a: Any, b: Any) -> tf.Tensor:
        # hi·sqrt(1 + (lo/hi)²) with the larger magnitude outside (no overflow of a² + b²);
        # IEEE 754: +inf when either is infinite, even if the other is NaN.
        a, b = tf.abs(a), tf.abs(b)
        hi, lo = tf.maximum(a, b), tf.minimum(a, b)
        safe = tf.where(hi > 0, hi, tf.ones_like(hi))
        r = lo / safe
        h = tf.where(hi > 0, hi * tf.sqrt(1.0 + r * r), hi)
        inf = tf.math.is_inf(a) | tf.math.is_inf(b)
        return tf.where(inf, tf.constant(math.inf, h.dtype), h)

    @staticmethod
    def asarray(v: Any, dtype: Any = None, device: Any = None) -> tf.Tensor:
        return tf.convert_to_tensor(v, dtype=dtype)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"actfn.tensorflow: the kernels' namespace has no {name!r} (add it to "
            "actfn.tensorflow._Namespace)"
        )


class _NarrowNamespace(_Namespace):
    """:class:`_Namespace` for float64 work whose result is rounded to float32 or narrower:
    kernels may skip float64-only refinements (:func:`actfn.kernels.narrow_output`)."""

    narrow_output = True


#: Complete evaluation contexts (:class:`actfn.kernels.EvalNamespace`): float64 results,
#: and float64 work rounded to a narrower input dtype.
_NS = _Namespace()
_NS_NARROW = _NarrowNamespace()


# -- inputs and parameters ----------------------------------------------------------------------
def _as_float_tensor(x: Any) -> tf.Tensor:
    x = tf.convert_to_tensor(x)
    if x.dtype.is_complex:
        raise TypeError("complex input is not supported: activations are real functions")
    if x.dtype in _FLOATS:
        return x
    if x.dtype.is_integer or x.dtype == tf.bool:
        return tf.cast(x, tf.float32)
    raise TypeError(f"unsupported dtype {x.dtype.name}: actfn works on float16, bfloat16, "
                    "float32 and float64 tensors")


def _is_tensor(v: Any) -> bool:
    return isinstance(v, (tf.Tensor, tf.Variable))


def _static_value(owner: str, name: str, t: Any) -> Any:
    """The value of tensor parameter ``t`` as a Python number or list (for validation and
    for the kernels' exact constants); ``None`` inside a graph when it cannot be read."""
    if isinstance(t, tf.Variable):
        if tf.executing_eagerly():
            v = t.numpy()
            return v.tolist()
        return None
    v = tf.get_static_value(t)
    return None if v is None else v.tolist()


def _split(spec: Spec, params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate ``params`` with the registry; return ``(fixed, tensors)``: every parameter's
    bound value, and the tensor ones (learnable only) to differentiate."""
    owner = f"{__name__}.{spec.name}"
    check_static(owner, params)
    learnable = learnable_params(spec)
    tensors = {k: v for k, v in params.items() if _is_tensor(v)}
    values = {}
    for name, t in tensors.items():
        if name not in spec.param_names:
            continue  # spec.bind below names the unknown parameter
        if name not in learnable:
            raise TypeError(
                f"{spec.name}: parameter {name} is not learnable, so it must be a number, not "
                f"a tensor; learnable parameters: {', '.join(learnable) or 'none'}"
            )
        if not t.dtype.is_floating:
            raise TypeError(f"{spec.name}: parameter {name} is a differentiable tensor, so it "
                            f"must be a floating tensor, got {t.dtype.name}")
        rank = t.shape.rank
        vector = learnable[name].vector
        if rank is None or rank > 1 or (rank == 1 and not vector):
            raise ValueError(
                f"{spec.name}: parameter {name} must be a "
                + ("0-d or 1-d" if vector else "0-d (scalar)")
                + f" tensor, got shape {t.shape}"
            )
        v = _static_value(owner, name, t)
        if v is None and not vector:
            raise TypeError(
                f"{owner}: parameter {name} is a scalar tensor whose value cannot be read "
                "while TensorFlow builds the graph (a tf.Variable inside tf.function); the "
                "kernels derive exact constants from it, so pass it in eager mode, or as a "
                "Python number (a fixed hyperparameter)"
            )
        values[name] = v
    plain = {k: v for k, v in params.items() if k not in tensors or k not in spec.param_names}
    bind_values = {k: v for k, v in values.items() if v is not None}
    bound = spec.bind(**plain, **bind_values)
    live = {k: tensors[k] for k in values}
    return bound, live


# -- the ops -------------------------------------------------------------------------------------
class _Op:
    """An activation with its fixed parameter values and the names of the tensor ones."""

    def __init__(self, spec: Spec, bound: Mapping[str, Any], learned: tuple[str, ...],
                 vector: frozenset[str], narrow: bool = False) -> None:
        self.spec = spec
        self.ctx = _NS_NARROW if narrow else _NS
        self.bound = dict(bound)
        self.learned = learned
        self.vector = vector

    def kernel_params(self, xw: tf.Tensor, tensors: Sequence[tf.Tensor]) -> dict[str, Any]:
        kw = dict(self.bound)
        for p in self.spec.params:
            v = kw.get(p.name)
            if p.vector and isinstance(v, tuple):
                kw[p.name] = v[0] if len(v) == 1 else self._channels(
                    p.name, tf.constant(v, dtype=_F64), xw)
        for name, t in zip(self.learned, tensors, strict=True):
            if name in self.vector:
                kw[name] = self._channels(name, t, xw)
            # scalar learnable parameters: their (static) value is already in bound
        return kw

    def _channels(self, name: str, w: tf.Tensor, xw: tf.Tensor) -> tf.Tensor:
        c = w.shape.num_elements()
        if c == 1:
            return tf.reshape(w, ())
        return tf.reshape(w, channel_shape(self.spec.name, name, c, xw.shape))

    def eval(self, kernel: Callable[..., Any], xw: tf.Tensor,
             tensors: Sequence[tf.Tensor]) -> tf.Tensor:
        """``kernel`` on the float64 ``xw``; NaN inputs give NaN."""
        y = kernel(xw, self.ctx, **self.kernel_params(xw, tensors))
        y = tf.broadcast_to(tf.cast(y, _F64), tf.shape(xw))
        return tf.where(tf.math.is_nan(xw), xw, y)

    def reduce_to(self, t: tf.Tensor, p: tf.Tensor) -> tf.Tensor:
        """Sum an elementwise parameter gradient down to the shape of parameter ``p``."""
        if p.shape.num_elements() == 1 or t.shape.rank < 2:
            return tf.reshape(tf.reduce_sum(t), tf.shape(p))
        axes = [d for d in range(t.shape.rank) if d != 1]
        return tf.reshape(tf.reduce_sum(t, axis=axes), tf.shape(p))


def _unavailable(op: _Op, what: str) -> NotImplementedError:
    return NotImplementedError(
        f"actfn: cannot differentiate {op.spec.name}'s {what}: that needs a derivative actfn "
        "does not have (it has analytic f, f', f'' and ∂f/∂p, ∂f'/∂p only, and never "
        "differentiates through a kernel, which would give wrong values)"
    )


def _leaf(op: _Op, kernel: Callable[..., Any], what: str, xw: tf.Tensor,
          params: Sequence[tf.Tensor]) -> tf.Tensor:
    """A value with no derivative in actfn (f″, ∂f′/∂p): differentiating it raises."""

    @tf.custom_gradient
    def leaf(x: tf.Tensor, *ps: tf.Tensor) -> Any:
        def grad(_h: tf.Tensor) -> Any:
            raise _unavailable(op, what)

        return op.eval(kernel, x, ps), grad

    return leaf(xw, *params)


def _param_derivative(op: _Op, i: int, xw: tf.Tensor, params: Sequence[tf.Tensor]) -> tf.Tensor:
    """∂f/∂p_i elementwise; its x-gradient is ∂²f/∂x∂p_i, its p-gradients NaN."""
    name = op.learned[i]

    @tf.custom_gradient
    def dparam(x: tf.Tensor, *ps: tf.Tensor) -> Any:
        def grad(h: tf.Tensor) -> Any:
            mixed = op.spec.dparams_df.get(name)
            if mixed is None:
                raise _unavailable(op, f"∂f/∂{name} with respect to x")
            gx = h * _leaf(op, mixed, f"∂²f/∂x∂{name}", x, ps)
            return [gx] + [tf.fill(tf.shape(p), tf.constant(math.nan, p.dtype)) for p in ps]

        return op.eval(op.spec.dparams[name], x, ps), grad

    return dparam(xw, *params)


def _derivative(op: _Op, xw: tf.Tensor, params: Sequence[tf.Tensor]) -> tf.Tensor:
    """f′ elementwise; its gradients are f″ (x) and ∂f′/∂p (parameters)."""

    @tf.custom_gradient
    def d1(x: tf.Tensor, *ps: tf.Tensor) -> Any:
        def grad(h: tf.Tensor) -> Any:
            gx = h * _leaf(op, op.spec.d2f, "f''", x, ps)
            out = [gx]
            for name, p in zip(op.learned, ps, strict=True):
                mixed = op.spec.dparams_df.get(name)
                if mixed is None:
                    raise _unavailable(op, f"f' with respect to {name}")
                out.append(op.reduce_to(h * _leaf(op, mixed, f"∂²f/∂x∂{name}", x, ps), p))
            return out

        return op.eval(op.spec.df, x, ps), grad

    return d1(xw, *params)


def _forward(op: _Op, xw: tf.Tensor, params: Sequence[tf.Tensor]) -> tf.Tensor:
    """f elementwise; its gradients are f′ (x) and ∂f/∂p (parameters)."""

    @tf.custom_gradient
    def f(x: tf.Tensor, *ps: tf.Tensor) -> Any:
        def grad(dy: tf.Tensor) -> Any:
            out = [dy * _derivative(op, x, ps)]
            for i, p in enumerate(ps):
                out.append(op.reduce_to(dy * _param_derivative(op, i, x, ps), p))
            return out

        return op.eval(op.spec.f, x, ps), grad

    return f(xw, *params)


def _apply(spec: Spec, x: Any, params: Mapping[str, Any]) -> tf.Tensor:
    xt = _as_float_tensor(x)
    bound, live = _split(spec, params)
    names = tuple(live)
    vector = frozenset(p.name for p in spec.params if p.vector)
    op = _Op(spec, bound, names, vector, narrow=xt.dtype != _F64)
    # Learnable tensors enter in float64 through tf.cast (whose gradient casts back), so
    # a tf.Variable is read where the tape sees it.
    pw = [tf.cast(tf.convert_to_tensor(live[n]), _F64) for n in names]
    xw = tf.cast(xt, _F64)
    return tf.cast(_forward(op, xw, pw), xt.dtype)


def _core(spec: Spec, params: Mapping[str, Any], x: Any, which: tuple[str, ...],
          live: Mapping[str, Any] | None = None) -> tuple[tf.Tensor, ...]:
    """The core API (``actfn.get(name)(x)``, ``.derivative``, ``.second_derivative``,
    ``.value_and_derivative``, ``actfn.<name>(x)``) on a TensorFlow tensor or variable (a
    ``tf.RaggedTensor``: on its flat values, same row partitions).

    ``which`` names the results (``"f"``, ``"df"``, ``"d2f"``), each a ``tf.Tensor`` of the
    input's floating dtype (integer and bool inputs give float32, as the functions here)
    with actfn's analytic derivatives under ``tf.GradientTape``: d f = f′ dx, d f′ = f″ dx;
    differentiating f″ raises ``NotImplementedError`` (actfn has no f‴). ``params`` are
    already validated numbers (``live`` is torch's and unused here)."""
    if isinstance(x, tf.RaggedTensor):
        flat = _core(spec, params, x.flat_values, which, live)
        return tuple(x.with_flat_values(v) for v in flat)
    xt = _as_float_tensor(x)
    bound, _ = _split(spec, params)
    vector = frozenset(p.name for p in spec.params if p.vector)
    op = _Op(spec, bound, (), vector, narrow=xt.dtype != _F64)
    xw = tf.cast(xt, _F64)
    parts = {"f": lambda: _forward(op, xw, ()), "df": lambda: _derivative(op, xw, ()),
             "d2f": lambda: _leaf(op, spec.d2f, "f''", xw, ())}
    return tuple(tf.cast(parts[w](), xt.dtype) for w in which)


def function(name: str) -> Callable[..., tf.Tensor]:
    """The TensorFlow function of activation ``name`` (canonical or alias).

    >>> import tensorflow as tf, actfn.tensorflow
    >>> x = tf.constant(0.0)
    >>> with tf.GradientTape() as tape:
    ...     tape.watch(x)
    ...     y = actfn.tensorflow.function("swish")(x)
    >>> float(tape.gradient(y, x))
    0.5
    """
    return _FUNCTIONS(name)


def _make_function(spec: Spec) -> Callable[..., tf.Tensor]:
    def fn(x: Any, /, **params: Any) -> tf.Tensor:
        if isinstance(x, tf.RaggedTensor):  # elementwise: on the flat values
            return x.with_flat_values(_apply(spec, x.flat_values, params))
        return _apply(spec, x, params)

    doc = docstring(
        spec,
        f"TensorFlow form of actfn's ``{spec.name}`` (``tf.custom_gradient``: f′, f″ and "
        "parameter derivatives analytic; float64 work rounded once to the input dtype).",
        ("import tensorflow as tf, actfn.tensorflow",
         "tuple(actfn.tensorflow.{name}(tf.zeros((2, 3)){kw}).shape)", "(2, 3)"),
        learnable=learnable_params(spec),
    )
    return dress(fn, spec, __name__, doc, signature(spec, array="tf.Tensor"))


#: Functions by canonical name with their spec (one function per spec, pickled by name).
_FUNCTIONS: PerSpec[Callable[..., tf.Tensor]] = PerSpec(_make_function)
_GENERATED = Generated(__name__, function)
_EXPORTED = _GENERATED.exported()
globals().update(_EXPORTED)
__all__ += sorted(_EXPORTED)
register_glue("tensorflow", Glue(traced=lambda x: True, evaluate=_core))

# the gated units (two inputs): actfn._gated_tf
from ._gated_tf import exported as _gated_exported  # noqa: E402

_GATED = _gated_exported()
globals().update(_GATED)
__all__ += sorted(_GATED)


def __getattr__(name: str) -> Any:
    # Activations registered after import get a function on first use.
    return _GENERATED.attribute(name)
