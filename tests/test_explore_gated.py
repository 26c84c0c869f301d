"""The explorer's JSON API for gated units (``actfn.names(kind="gated")``): listed, plotted
along the gate at a fixed ``up`` with the registry's partials, their properties and
Chinese knowledge in ``/api/info``, and clear 400 errors for bad input."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

import actfn
from actfn.explore import create_app
from actfn.explore._api import GATED_UP

GATED = actfn.names(kind="gated")


@pytest.fixture(scope="module")
def client() -> Any:
    return create_app().test_client()


def get(client: Any, path: str, **query: Any) -> tuple[int, Any]:
    r = client.get(path, query_string=query)
    assert r.mimetype == "application/json"
    return r.status_code, json.loads(r.get_data(as_text=True))


def error(client: Any, path: str, **query: Any) -> str:
    status, body = get(client, path, **query)
    assert status == 400 and set(body) == {"error"}, body
    return body["error"]


def _dec(vs: list[Any]) -> np.ndarray:
    return np.array([{"inf": math.inf, "-inf": -math.inf, "nan": math.nan}[v]
                     if isinstance(v, str) else v for v in vs])


def test_names_lists_gated_units_apart_from_the_elementwise_ones(client) -> None:
    status, body = get(client, "/api/names", lang="zh")
    assert status == 200
    assert [a["name"] for a in body["activations"]] == actfn.names()  # unchanged
    assert all(a["kind"] == "elementwise" for a in body["activations"])
    assert [a["name"] for a in body["gated"]] == GATED
    assert body["gated_up"] == GATED_UP
    g = {a["name"]: a for a in body["gated"]}
    assert all(a["kind"] == "gated" and a["summary"] for a in body["gated"])
    # the sliders: geglu's approximate is a choice, swiglu_clamped's alpha and limit slide
    assert g["geglu"]["params"][0]["choices"] == ["none", "tanh"]
    sc = {p["name"]: p for p in g["swiglu_clamped"]["params"]}
    assert set(sc) == {"alpha", "limit"}
    assert all(p["slider"] and p["slider"]["min"] < p["default"] < p["slider"]["max"]
               for p in sc.values())
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in p["doc"]) for p in sc.values())


@pytest.mark.parametrize("name", GATED)
def test_curve_is_the_registry_along_the_gate(client, name: str) -> None:
    up = -2.5 if name != "swiglu_clamped" else 9.0  # beyond the clamp: ∂f/∂up = 0
    status, body = get(client, "/api/curve", name=name, lo=-9, hi=9, n=37, dtype="float64",
                       up=up)
    assert status == 200, body
    assert body["kind"] == "gated" and body["up"] == up
    act = actfn.get(name)
    x = _dec(body["x"])
    u = np.full_like(x, up)
    np.testing.assert_array_equal(_dec(body["f"]), act(x, u))
    dg, du = act.partials(x, u)
    np.testing.assert_array_equal(_dec(body["df"]), dg)
    np.testing.assert_array_equal(_dec(body["du"]), du)
    np.testing.assert_array_equal(_dec(body["d2f"]), act.partials2(x, u)[0])
    assert body["kinks"] == list(act.kinks()["gate"])
    assert body["up_kinks"] == list(act.kinks()["up"])


def test_curve_parameters_and_default_up(client) -> None:
    _, body = get(client, "/api/curve", name="swiglu_clamped", alpha=1.0, limit=2.0, n=5,
                  lo=-4, hi=4)
    assert body["up"] == GATED_UP and body["params"] == {"alpha": 1.0, "limit": 2.0}
    assert body["kinks"] == [2.0] and body["up_kinks"] == [-2.0, 2.0]
    assert _dec(body["f"])[-1] == np.float32(actfn.get("swiglu_clamped", alpha=1.0,
                                                       limit=2.0)(2.0, 1.0))
    _, tanh = get(client, "/api/curve", name="geglu", approximate="tanh", n=5, dtype="float64")
    _, none = get(client, "/api/curve", name="geglu", n=5, dtype="float64")
    assert tanh["f"] != none["f"]


@pytest.mark.parametrize(("query", "needle"), [
    ({"name": "swiglu", "up": "x"}, "up='x' is not a number"),
    ({"name": "swiglu", "up": "inf"}, "must be a finite number"),
    ({"name": "swiglu", "up": "1e300", "dtype": "float16"}, "float16's finite range"),
    ({"name": "glu", "alpha": "1"}, "unknown query key(s) 'alpha' for glu"),
    ({"name": "relu", "up": "1"}, "unknown query key(s) 'up' for relu"),
    ({"name": "swiglu_clamped", "limit": "-1"}, "limit"),
    ({"name": "geglu", "approximate": "fast"}, "approximate"),
])
def test_curve_rejects_bad_input_naming_it(client, query, needle: str) -> None:
    assert needle in error(client, "/api/curve", **query)


def test_network_rejects_gated_units_with_a_reason(client) -> None:
    msg = error(client, "/api/network", name="swiglu", depth=2, width=4, batch=4)
    assert "gated unit" in msg and "two inputs" in msg


@pytest.mark.parametrize("name", GATED)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_info_has_gated_properties_and_knowledge(client, name: str, lang: str) -> None:
    status, d = get(client, "/api/info", name=name, lang=lang)
    assert status == 200, d
    assert d["kind"] == "gated" and d["properties"] is None and d["documented"]
    g = d["gated_properties"]
    known = actfn.lookup(name, kind="gated").knowledge.gated
    assert g["monotone_in_gate"] is known.monotone_in_gate
    assert g["linear_in_up"] is known.linear_in_up
    assert g["gate_nonnegative"] is (known.gate_range[0] >= 0)
    assert g["gate_range"] == known.gate_range_label()
    assert g["split"] == {"first": "up", "second": "gate", "flag": "gate_first=True"}
    assert set(d["latex"]) >= {"f", "dg", "du"}
    assert d["strengths"] and d["use"] and d["frameworks"]
    if lang == "zh":
        assert any("\u4e00" <= ch <= "\u9fff" for ch in d["summary"] + d["use"])


def test_elementwise_info_is_unchanged(client) -> None:
    _, d = get(client, "/api/info", name="relu")
    assert d["kind"] == "elementwise" and d["gated_properties"] is None
    assert d["properties"]["monotone"] is True
