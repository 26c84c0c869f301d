"""actfn.testing.assert_ulp_close, actfn.reference.points and ulp_distance."""

from __future__ import annotations

import math
import re

import ml_dtypes
import numpy as np
import pytest

import actfn
import actfn.testing
from actfn.reference import points, round_dyadic, ulp_distance
from actfn.reference._formats import FORMATS
from actfn.reference._points import from_ordinal, ordinal


def _two_ulp_wrong(x: np.ndarray) -> np.ndarray:
    """Correct sigmoid, except 2 ulp too high on (4, 5)."""
    out = actfn.reference("sigmoid", x)
    sel = (x > 4) & (x < 5)
    up = np.nextafter(np.nextafter(out[sel], np.float32(np.inf)), np.float32(np.inf))
    out[sel] = up
    return out


def test_assert_ulp_close_catches_a_2_ulp_error_and_lists_the_worst_inputs() -> None:
    with pytest.raises(AssertionError) as err:
        actfn.testing.assert_ulp_close(_two_ulp_wrong, "sigmoid", dtype=np.float32)
    msg = str(err.value)
    x = points("sigmoid", np.float32)
    n_bad = int(((x > 4) & (x < 5)).sum())
    assert f"sigmoid f in float32: {n_bad} of {x.size} inputs beyond 1 ulp (max 2 ulp)" in msg
    listed = [float(m.split()[0]) for m in msg.splitlines()[2:]]
    assert len(listed) == 10 and all(4 < v < 5 for v in listed)
    actfn.testing.assert_ulp_close(_two_ulp_wrong, "sigmoid", dtype=np.float32, max_ulp=2)


def test_assert_ulp_close_passes_correct_implementations_of_any_library() -> None:
    import torch

    actfn.testing.assert_ulp_close(lambda x: np.maximum(x, 0), "relu", dtype="float32")
    actfn.testing.assert_ulp_close(lambda x: torch.relu(torch.from_numpy(x)), "relu",
                                   dtype=np.float32, derivative=0)
    actfn.testing.assert_ulp_close(lambda x: np.maximum(x, 0), "relu", dtype="float16",
                                   points="exhaustive")

    def torch_bf16_relu(x: np.ndarray):  # a bfloat16 torch tensor back, converted by to_numpy
        t = torch.from_numpy(x.view(np.int16)).view(torch.bfloat16)
        return torch.relu(t)

    actfn.testing.assert_ulp_close(torch_bf16_relu, "relu", dtype="bfloat16", points="exhaustive")
    # actfn grades itself: f32 sigmoid within 1 ulp, params forwarded
    actfn.testing.assert_ulp_close(actfn.get("celu", alpha=0.5), "celu", dtype=np.float32,
                                   alpha=0.5)


def test_assert_ulp_close_names_nan_shape_and_bad_arguments() -> None:
    with pytest.raises(AssertionError, match=r"inf"):
        actfn.testing.assert_ulp_close(lambda x: np.where(np.nan_to_num(x) > 50, np.nan, x).astype(x.dtype),
                                       "identity", dtype=np.float16)
    with pytest.raises(AssertionError, match="shape"):
        actfn.testing.assert_ulp_close(lambda x: x[:-1], "relu", dtype=np.float16)
    with pytest.raises(ValueError, match=re.escape("actfn audit --exhaustive")):
        actfn.testing.assert_ulp_close(np.abs, "relu", dtype=np.float32, points="exhaustive")
    with pytest.raises(ValueError, match="kind must be"):
        actfn.testing.assert_ulp_close(np.abs, "relu", dtype=np.float32, points="dense")
    with pytest.raises(ValueError, match="max_ulp"):
        actfn.testing.assert_ulp_close(np.abs, "relu", dtype=np.float32, max_ulp=-1)
    with pytest.raises(TypeError, match="callable"):
        actfn.testing.assert_ulp_close(None, "relu", dtype=np.float32)
    seen = []
    actfn.testing.assert_ulp_close(lambda x: (seen.append(x), np.maximum(x, 0))[1], "relu",
                                   dtype=np.float16)
    seen[0][:] = 7  # fn got its own copy: mutating it changes nothing of actfn's
    assert points("relu", np.float16)[0] != 7


def test_points_standard_cover_kinks_thresholds_and_specials() -> None:
    for dtn, fmt in FORMATS.items():
        x = points("hardtanh", fmt.dtype, min_val=-2.0, max_val=3.0)
        assert x.dtype == fmt.dtype and 5000 < x.size < 20000
        fin = x[:-5].astype(np.float64)
        assert np.all(np.diff(fin) > 0)
        with np.errstate(invalid="ignore"):
            tail = x[-5:].astype(np.float64)
        assert tail[0] == 0 and math.copysign(1, tail[1]) < 0 and np.isnan(tail[4])
        for k in (-2.0, 3.0, 0.0):
            near = ordinal(x[:-5]) - ordinal(np.array([k], dtype=fmt.dtype))[0]
            assert set(range(-8, 9)) - {0} <= set(near.tolist()), (dtn, k)
        for v in (fmt.tiny, fmt.smallest_normal, fmt.max):
            assert v in fin and -v in fin
    # the float32 underflow of sigmoid' (x ≈ -103.97) and the overflow of exp (x ≈ 88.72)
    s = points("sigmoid", np.float32)[:-5].astype(np.float64)
    d = actfn.sigmoid.derivative(s.astype(np.float32))
    assert ((s > -105) & (s < -103) & (d == 0)).any() and ((s > -105) & (d > 0) & (s < -103)).any()
    e = points("exponential", np.float32)[:-5].astype(np.float64)
    assert ((e > 88.7) & (e < 88.75)).sum() >= 16


def test_points_exhaustive_are_every_16_bit_value() -> None:
    for dt in (np.float16, ml_dtypes.bfloat16):
        x = points("relu", dt, kind="exhaustive")
        assert x.dtype == np.dtype(dt) and x.size == 65536
        assert np.unique(x.view(np.uint16)).size == 65536
    with pytest.raises(ValueError, match="2\\^64 values"):
        points("relu", np.float64, kind="exhaustive")


def test_ulp_distance_rules() -> None:
    f32 = np.float32
    tiny = np.float32(1e-45)
    one_up = np.nextafter(f32(1), f32(2))
    got = np.array([1, one_up, 0.0, -0.0, tiny, np.inf, np.nan, np.nan, 1,
                    np.float32(1.1754944e-38)], f32)
    ref = np.array([one_up, 1, -0.0, tiny, -tiny, np.finfo(f32).max, np.nan, 1, np.nan,
                    np.float32(1.1754942e-38)], f32)
    np.testing.assert_array_equal(ulp_distance(got, ref, np.float32),
                                  [1, 1, 0, 1, 2, 1, 0, np.inf, np.inf, 1])
    # converted to the dtype first; broadcasting
    assert ulp_distance(np.float64(1.0), np.array([1.0, 2.0], np.float16), "float16").tolist() == [
        0, 1024]
    assert ulp_distance(np.array([2.0]), np.array([1.0]), ml_dtypes.bfloat16).tolist() == [128]


def test_ordinal_roundtrip_and_round_dyadic_matches_numpy_casts() -> None:
    rng = np.random.default_rng(7)
    for fmt in FORMATS.values():
        size = fmt.dtype.itemsize * 8
        k = rng.integers(-(1 << (size - 2)), 1 << (size - 2), 2000)
        x = from_ordinal(k, fmt.dtype)
        assert np.array_equal(ordinal(x), k)
    # random dyadics man·2^exp exactly representable in float64: round_dyadic must agree
    # with NumPy's correctly rounded float64 → float32 / float16 casts (ties included)
    man = rng.integers(1, 1 << 53, 4000, dtype=np.int64)
    man[:1000] = (man[:1000] >> 28 << 28) | (1 << 27)  # float32 ties (many)
    exp = rng.integers(-200, 120, 4000)
    exp[:200] = rng.integers(-1100, -1000, 200)  # float64 subnormal range: deep underflow
    for name in ("float32", "float16"):
        fmt = FORMATS[name]
        for m_, e_ in zip(man.tolist(), exp.tolist(), strict=True):
            if name == "float16":
                e_ = e_ // 8 - 40
            v = math.ldexp(m_, e_)
            if v == 0 or math.isinf(v) or v != math.ldexp(m_, e_):
                continue
            if math.ldexp(v, -e_) != m_:  # not exact in float64 (subnormal): skip
                continue
            with np.errstate(over="ignore"):
                want = float(np.array([v, -v]).astype(fmt.dtype)[0])
            assert round_dyadic(False, m_, e_, fmt) == want, (name, m_, e_)
            assert round_dyadic(True, m_, e_, fmt) == -want


def test_assert_ulp_close_fails_an_output_dtype_change() -> None:
    """float64 results for float32 inputs are an output dtype change: a failure, even though
    these values are the exact ones (the review's defect 13)."""
    with pytest.raises(AssertionError, match="returned dtype float64 for float32 inputs"):
        actfn.testing.assert_ulp_close(
            lambda x: actfn.reference("sigmoid", x, dtype="float64"), "sigmoid",
            dtype=np.float32)
    with pytest.raises(AssertionError, match="returned dtype float32 for float16 inputs"):
        actfn.testing.assert_ulp_close(lambda x: np.maximum(x, 0).astype(np.float32), "relu",
                                       dtype=np.float16)


def test_assert_ulp_close_grades_per_channel_weights_on_every_channel() -> None:
    """prelu with weight=[w0, w1]: inputs (n, 2), channels on dim 1, both weights' kinks
    and thresholds in the points."""
    import torch

    w = [0.1, 0.2]

    def torch_prelu(order: int, weights: list[float]):
        def fn(x: np.ndarray):
            t = torch.from_numpy(x).requires_grad_(order == 1)
            y = torch.nn.functional.prelu(t, torch.tensor(weights, dtype=t.dtype))
            if order == 0:
                return y
            (g,) = torch.autograd.grad(y.sum(), t)
            return g
        return fn

    seen = []
    actfn.testing.assert_ulp_close(lambda x: (seen.append(x.shape), torch_prelu(0, w)(x))[1],
                                   "prelu", dtype=np.float32, weight=w)
    assert seen[0][1] == 2
    actfn.testing.assert_ulp_close(actfn.get("prelu", weight=w).derivative, "prelu",
                                   dtype="float16", weight=w, derivative=1, points="exhaustive")
    with pytest.raises(AssertionError, match=r"x +got.*\n +nan +0\.09997"):
        # torch's prelu gradient at nan is the weight, not nan: caught per channel
        actfn.testing.assert_ulp_close(torch_prelu(1, w), "prelu", dtype="float16",
                                       weight=w, derivative=1, points="exhaustive")
    with pytest.raises(AssertionError, match=r"prelu f in float32 \(weight=\[0\.1, 0\.2\]\)"):
        actfn.testing.assert_ulp_close(torch_prelu(0, w[::-1]), "prelu", dtype=np.float32,
                                       weight=w)
    x = points("prelu", np.float32, weight=w)
    for wi in w:  # the neighbours of each channel's crossings are in the shared points
        xi = points("prelu", np.float32, weight=wi)
        assert set(xi[~np.isnan(xi)].tolist()) <= set(x[~np.isnan(x)].tolist())
