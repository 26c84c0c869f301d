"""The explorer's JSON API (``actfn explore``) through Flask's test client.

Every error case answers HTTP 400 with ``{"error": ...}`` naming the problem; every
number parses back to exactly the value the registry computed in the requested dtype;
every registered activation answers in every dtype. The deep-network endpoint shows
what the seeds claim (SELU holds (0, 1) under LeCun init but not under He; sigmoid
gradients vanish; ReLU units die).
"""

from __future__ import annotations

import json
import math
from typing import Any

import ml_dtypes
import numpy as np
import pytest

import actfn
from actfn.explore import create_app
from actfn.explore._api import DTYPES, MAX_POINTS, api_info, readme_verdicts, slider


@pytest.fixture(scope="module")
def client() -> Any:
    return create_app().test_client()


def get(client: Any, path: str, **query: Any) -> tuple[int, Any]:
    r = client.get(path, query_string=query)
    assert r.mimetype == "application/json"
    # no NaN/Infinity tokens: strict JSON parses every answer
    body = json.loads(r.get_data(as_text=True), parse_constant=_reject)
    return r.status_code, body


def _reject(token: str) -> None:
    raise AssertionError(f"non-standard JSON constant {token}")


def error(client: Any, path: str, **query: Any) -> str:
    status, body = get(client, path, **query)
    assert status == 400, body
    assert set(body) == {"error"}
    return body["error"]


def _np_dtype(name: str) -> np.dtype:
    return np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)


def _decode(v: Any) -> float:
    return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}[v] if isinstance(v, str) else v


# -- /api/names ----------------------------------------------------------------------------------
def test_names_lists_every_registered_activation_with_aliases_and_param_ranges(client) -> None:
    status, body = get(client, "/api/names")
    assert status == 200
    got = {a["name"]: a for a in body["activations"]}
    assert sorted(got) == actfn.names()
    assert "swish" in got["silu"]["aliases"]
    (alpha,) = got["celu"]["params"]
    assert alpha["lower"] == 0.0 and alpha["lower_inclusive"] is False and alpha["upper"] is None
    assert alpha["slider"] == {"min": 0.01, "max": 100.0, "scale": "log"}
    gelu = got["gelu"]["params"][0]
    assert gelu["choices"] == ["none", "tanh"] and gelu["slider"] is None
    assert body["dtypes"] == list(DTYPES) and body["limits"]["n"] == MAX_POINTS


def test_new_activations_appear_without_edits(client) -> None:
    spec = actfn.Spec(name="test_explore_cube", f=lambda x, xp: x**3, df=lambda x, xp: 3 * x**2,
                      d2f=lambda x, xp: 6 * x)
    actfn.register(spec)
    try:
        _, body = get(client, "/api/names")
        assert "test_explore_cube" in [a["name"] for a in body["activations"]]
        status, c = get(client, "/api/curve", name="test_explore_cube", lo=-1, hi=1, n=3,
                        dtype="float64")
        assert status == 200 and c["f"] == [-1.0, 0.0, 1.0] and c["df"] == [3.0, 0.0, 3.0]
    finally:
        actfn.unregister("test_explore_cube")


def test_every_slider_range_lies_inside_the_valid_range() -> None:
    for n in actfn.names():
        for p in actfn.lookup(n).params:
            s = slider(p)
            if s is None:
                continue
            assert s["min"] < s["max"]
            for v in (s["min"], s["max"]):
                if p.lower is not None:
                    assert v >= p.lower
                if p.upper is not None:
                    assert v <= p.upper
            if s["scale"] == "log":
                assert s["min"] > 0 and s["min"] <= float(p.default) <= s["max"]


# -- /api/curve ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_curve_numbers_round_trip_exactly_in_every_dtype(client, dtype: str) -> None:
    status, body = get(client, "/api/curve", name="celu", alpha="0.5", lo="-3", hi="3", n="201",
                       dtype=dtype)
    assert status == 200 and body["dtype"] == dtype and body["params"] == {"alpha": 0.5}
    dt = _np_dtype(dtype)
    x = np.linspace(-3.0, 3.0, 201).astype(dt)
    act = actfn.get("celu", alpha=0.5)
    for key, want in (("x", x), ("f", act(x)), ("df", act.derivative(x)),
                      ("d2f", act.second_derivative(x))):
        assert want.dtype == dt
        got = np.array(body[key], dtype=np.float64)
        assert len(got) == 201
        # exact: the float64 of each element, and it converts back to the dtype unchanged
        assert np.array_equal(got, want.astype(np.float64)), key
        assert np.array_equal(got.astype(dt), want), key


def test_curve_text_is_repr_of_each_value(client) -> None:
    r = client.get("/api/curve", query_string={"name": "sigmoid", "lo": "0.1", "hi": "0.7",
                                               "n": "7", "dtype": "float32"})
    text = r.get_data(as_text=True)
    want = actfn.get("sigmoid")(np.linspace(0.1, 0.7, 7).astype(np.float32))
    for v in want:
        assert repr(float(v)) in text


@pytest.mark.parametrize("name", actfn.names())
def test_every_activation_in_every_dtype(client, name: str) -> None:
    for dtype in DTYPES:
        status, body = get(client, "/api/curve", name=name, lo="-4", hi="4", n="33", dtype=dtype)
        assert status == 200, body
        dt = _np_dtype(dtype)
        x = np.linspace(-4.0, 4.0, 33).astype(dt)
        want = actfn.get(name)(x).astype(np.float64)
        got = np.array([_decode(v) for v in body["f"]])
        assert np.array_equal(got, want, equal_nan=True), (name, dtype)
        assert len(body["df"]) == len(body["d2f"]) == 33


def test_non_finite_values_are_strings(client) -> None:
    # exp(12) overflows float16: f = inf, written "inf" (JSON has no infinity)
    status, body = get(client, "/api/curve", name="exponential", lo="11", hi="12", n="2",
                       dtype="float16")
    assert status == 200
    assert body["f"][1] == "inf" and isinstance(body["f"][0], float)


def test_curve_defaults(client) -> None:
    status, body = get(client, "/api/curve", name="swish")
    assert status == 200 and body["name"] == "silu" and body["dtype"] == "float32"
    assert len(body["x"]) == 201 and body["x"][0] == -3.0 and body["x"][-1] == 3.0


ERRORS = [
    (dict(name="cellu"), ["unknown activation 'cellu'", "did you mean", "'celu'"]),
    (dict(), ["missing query key 'name'"]),
    (dict(name=["celu", "relu"]), ["'name' given 2 times"]),
    (dict(name="celu", alpha="-1"), ["alpha=-1.0 is out of range", "alpha > 0"]),
    (dict(name="celu", alpha="0"), ["out of range"]),
    (dict(name="celu", alpha="abc"), ["alpha='abc' is not a number"]),
    (dict(name="celu", alpha="inf"), ["out of range"]),
    (dict(name="gelu", approximate="erf"), ["approximate='erf' is invalid", "'none', 'tanh'"]),
    (dict(name="rrelu", lower="0.5", upper="0.1"), ["rrelu"]),
    (dict(name="celu", n=str(MAX_POINTS + 1)), [f"n={MAX_POINTS + 1} is out of range",
                                                f"n <= {MAX_POINTS}"]),
    (dict(name="celu", n="1"), ["2 <= n"]),
    (dict(name="celu", n="2.5"), ["n='2.5' must be an integer"]),
    (dict(name="celu", lo="3", hi="1"), ["lo=3.0 must be less than hi=1.0"]),
    (dict(name="celu", lo="1", hi="1"), ["must be less than"]),
    (dict(name="celu", lo="nan"), ["lo='nan' must be a finite number"]),
    (dict(name="celu", hi="inf"), ["hi='inf' must be a finite number"]),
    (dict(name="celu", lo="x"), ["lo='x' is not a number"]),
    (dict(name="celu", dtype="int8"), ["dtype='int8' is not valid", "float16, bfloat16"]),
    (dict(name="celu", foo="1"), ["unknown query key(s) 'foo' for celu",
                                  "valid: name, lo, hi, n, dtype, alpha"]),
    (dict(name="relu", alpha="1"), ["unknown query key(s) 'alpha' for relu"]),
]


@pytest.mark.parametrize("query,parts", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_curve_errors_are_400_naming_the_problem(client, query: dict, parts: list[str]) -> None:
    msg = error(client, "/api/curve", **query)
    for part in parts:
        assert part in msg, msg


def test_unknown_name_reuses_lookups_message(client) -> None:
    # the explorer serves elementwise and gated units: lookup's message over every kind
    with pytest.raises(ValueError) as exc:
        actfn.lookup("sigmiod", kind="all")
    assert error(client, "/api/curve", name="sigmiod") == str(exc.value)


def test_unknown_endpoint_and_method(client) -> None:
    r = client.get("/api/nope")
    assert r.status_code == 404 and "no API endpoint /api/nope" in r.get_json()["error"]
    r = client.post("/api/curve", data={"name": "relu"})
    assert r.status_code == 405 and "use GET" in r.get_json()["error"]


# -- /api/network --------------------------------------------------------------------------------
def _net(client: Any, **q: Any) -> dict[str, Any]:
    status, body = get(client, "/api/network", **q)
    assert status == 200, body
    return body


def test_selu_holds_its_fixed_point_under_lecun_but_not_he(client) -> None:
    lecun = _net(client, name="selu", depth=60, width=256, init="lecun")
    he = _net(client, name="selu", depth=60, width=256, init="he")
    assert len(lecun["var"]) == 60 and lecun["layer"] == list(range(1, 61))
    assert all(abs(m) < 0.1 for m in lecun["mean"][-10:])
    assert all(0.8 < v < 1.25 for v in lecun["var"][-10:])
    assert he["var"][-1] > 100  # explodes


def test_sigmoid_gradients_vanish_and_relu_units_die(client) -> None:
    sig = _net(client, name="sigmoid", depth=30, width=64, init="lecun")
    assert sig["grad_rms"][0] < 1e-10 * sig["grad_rms"][-1]
    relu = _net(client, name="relu", depth=60, width=32, init="he")
    assert relu["dead"][0] < 0.05 and max(relu["dead"][-10:]) > 0.2
    tanh = _net(client, name="tanh", depth=30, width=64, init="lecun")
    assert max(tanh["dead"]) == 0.0


def test_network_is_seeded_and_orthogonal_init_is_orthogonal(client) -> None:
    a = _net(client, name="tanh", depth=5, width=16, init="orthogonal", seed=3)
    b = _net(client, name="tanh", depth=5, width=16, init="orthogonal", seed=3)
    c = _net(client, name="tanh", depth=5, width=16, init="orthogonal", seed=4)
    assert a == b and a["var"] != c["var"]
    ident = _net(client, name="identity", depth=20, width=64, init="orthogonal",
                 input_scale=2)
    # an orthogonal map keeps every input's norm: the variance stays 4
    assert all(abs(v - 4) < 0.5 for v in ident["var"])


def test_network_uses_the_activation_parameters(client) -> None:
    a = _net(client, name="celu", alpha=0.1, depth=3, width=8)
    b = _net(client, name="celu", alpha=3, depth=3, width=8)
    assert a["params"] == {"alpha": 0.1} and a["mean"] != b["mean"]


NET_ERRORS = [
    (dict(name="celu", depth="0"), ["depth=0 is out of range", "1 <= depth <= 200"]),
    (dict(name="celu", depth="201"), ["depth <= 200"]),
    (dict(name="celu", width="100000"), ["width=100000 is out of range", "width <= 512"]),
    (dict(name="celu", batch="5000"), ["batch <= 1024"]),
    (dict(name="celu", depth="200", width="512", batch="1024"),
     ["network too large for lecun init", "> 1 s", "reduce depth, width or batch"]),
    (dict(name="celu", init="kaiming"), ["init='kaiming' is not valid",
                                         "lecun, he, xavier, orthogonal"]),
    (dict(name="celu", input_scale="0"), ["input_scale=0.0 is out of range",
                                          "0 < input_scale <= 10000"]),
    (dict(name="celu", input_scale="inf"), ["input_scale='inf' must be a finite number"]),
    (dict(name="celu", scale="2"), ["unknown query key(s) 'scale' for celu"]),
    (dict(name="celu", seed="-1"), ["seed=-1 is out of range"]),
    (dict(name="celu", alpha="-2"), ["out of range"]),
    (dict(name="celu", lr="0.1"), ["unknown query key(s) 'lr'"]),
    (dict(name="nope"), ["unknown activation 'nope'"]),
]


@pytest.mark.parametrize("query,parts", NET_ERRORS, ids=[str(i) for i in range(len(NET_ERRORS))])
def test_network_errors(client, query: dict, parts: list[str]) -> None:
    msg = error(client, "/api/network", **query)
    for part in parts:
        assert part in msg, msg


# -- /api/info -----------------------------------------------------------------------------------
def test_info_has_formulas_properties_frameworks_and_claims(client) -> None:
    status, d = get(client, "/api/info", name="selu")
    assert status == 200
    spec = actfn.lookup("selu")
    assert d["latex"] == dict(spec.latex) and d["summary"] == spec.summary
    assert d["properties"]["self_normalizing"] is True
    assert d["strengths"] == list(spec.knowledge.prose["en"].strengths)
    assert any(f["framework"] == "PyTorch" and "selu" in f["call"].lower()
               for f in d["frameworks"])
    ids = {c["id"]: c for c in d["claims"]}
    assert "selu-needs-lecun-init" in ids
    statement = next(c for c in actfn.experiments.claims() if c.id == "selu-needs-lecun-init")
    assert ids["selu-needs-lecun-init"]["statement"] == statement.en


@pytest.mark.parametrize("name", actfn.names())
def test_info_in_chinese_is_complete(client, name: str) -> None:
    from actfn import _i18n

    spec = actfn.lookup(name)
    _, d = get(client, "/api/info", name=name, lang="zh")
    assert d["lang"] == "zh" and d["strengths"] == list(_i18n.prose(spec, "zh").strengths)
    # Chinese wherever the English has text: summary, kinks, parameters, frameworks
    pieces = [d["summary"], d["kink_convention"], *(p["doc"] for p in d["params"]),
              *(f["notes"] for f in d["frameworks"])]
    en = api_info({"name": [name], "lang": ["en"]})
    for zh_text, en_text in zip(pieces, [en["summary"], en["kink_convention"],
                                        *(p["doc"] for p in en["params"]),
                                        *(f["notes"] for f in en["frameworks"])], strict=True):
        if en_text:
            assert zh_text != en_text or not any(c.isalpha() for c in en_text), (name, en_text)
    assert all(s["meaning"] for s in d["symbols"])


def test_names_in_chinese(client) -> None:
    from actfn import _i18n

    _, body = get(client, "/api/names", lang="zh")
    celu = next(a for a in body["activations"] if a["name"] == "celu")
    assert celu["params"][0]["doc"] == _i18n.text(actfn.lookup("celu"), "param:alpha", "zh")
    assert "lang='de' is not valid" in error(client, "/api/names", lang="de")
    assert "unknown query key(s) 'x'" in error(client, "/api/names", x="1")


def test_info_in_chinese(client) -> None:
    _, d = get(client, "/api/info", name="celu", lang="zh")
    spec = actfn.lookup("celu")
    assert d["lang"] == "zh" and d["symbols"][0]["symbol"]
    assert any(url.startswith("https://arxiv.org/abs/") for url in d["links"])
    assert d["summary"] != spec.summary
    claim = next(c for c in actfn.experiments.claims() if "celu" in c.activations)
    assert claim.zh in [c["statement"] for c in d["claims"]]
    assert "lang='fr' is not valid" in error(client, "/api/info", name="celu", lang="fr")
    assert "unknown query key(s) 'alpha'" in error(client, "/api/info", name="celu", alpha="1")


def test_verdicts_are_the_readmes_and_never_invented(client) -> None:
    verdicts = readme_verdicts()
    assert len(verdicts) == len(actfn.experiments.claims()) == 42
    assert verdicts["selu-self-normalizing"] == {
        "kind": "nuanced", "condition": "LeCun init only", "evidence": "", "source": "README"}
    assert verdicts["gelu-faster-than-relu"]["kind"] == "refuted"
    # no README (an installed wheel): statements without verdicts
    d = api_info({"name": ["relu"]}, verdicts={})
    assert d["claims"] and all(c["verdict"] is None for c in d["claims"])


def test_claims_report_gives_verdicts_evidence_and_figures(tmp_path) -> None:
    from actfn.explore import load_claims_report

    (tmp_path / "results.json").write_text(json.dumps({
        "results": {"depth": {}}, "verdicts": {"selu-needs-lecun-init": {
            "kind": "supported", "evidence": "var 1.01 vs 1e5", "condition": ""}}}))
    (tmp_path / "depth.png").write_bytes(b"\x89PNG fake")
    verdicts, figures = load_claims_report(tmp_path)
    assert figures == {"depth": "/claims/depth.png"}
    c = create_app(claims_report=tmp_path).test_client()
    _, d = get(c, "/api/info", name="selu")
    claim = next(x for x in d["claims"] if x["id"] == "selu-needs-lecun-init")
    assert claim["verdict"]["evidence"] == "var 1.01 vs 1e5"
    assert c.get("/claims/depth.png").data == b"\x89PNG fake"
    assert c.get("/claims/results.json").status_code == 404
    with pytest.raises(OSError, match="no claims report here"):
        load_claims_report(tmp_path / "missing")


def test_page_and_assets_are_served_locally(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "/static/app.js" in html and "http" not in html.replace('xmlns="http', "")
    assert client.get("/static/app.js").status_code == 200
    _, cfg = get(client, "/api/config")
    assert cfg["katex"] is True and cfg["cjk_font"]["family"] == "ActfnCJK"
    assert client.get("/assets/katex/katex.min.js").status_code == 200
    assert client.get(cfg["cjk_font"]["url"]).status_code == 200
    assert client.get("/static/../_api.py").status_code == 404
    for path in ("/static/app.js", "/static/app.css", "/static/index.html"):
        text = client.get(path).get_data(as_text=True)
        assert "cdn" not in text.lower() and "https://" not in text, path
