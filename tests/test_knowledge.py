"""Knowledge as data (issue 16): the schema of the knowledge files, every shipped file,
specs without knowledge, and knowledge files of plugins outside the package."""

from __future__ import annotations

import dataclasses
import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import actfn
from actfn import Equivalent, Knowledge, Properties, Prose, _knowledge
from actfn._knowledge import KnowledgeError, load, parse
from actfn.atlas import _build
from actfn.cli import app
from actfn.explore._api import ApiError, api_info

CATALOG = Path(_knowledge.__file__).parent / "catalog"


# -- every shipped file --------------------------------------------------------------------------
@pytest.mark.parametrize("name", actfn.names())
def test_shipped_file_validates_and_is_complete(name: str) -> None:
    spec = actfn.lookup(name)
    path = CATALOG / f"{name}.toml"
    know = load(path)  # raises KnowledgeError on any schema violation
    assert repr(spec.knowledge) == repr(know)  # repr: nan (no double backward) != nan
    assert spec.knowledge.source == path and know.documented
    assert isinstance(know.properties, Properties)
    assert all(isinstance(e, Equivalent) for e in know.frameworks)
    assert set(know.prose) == {"en", "zh"} and all(isinstance(p, Prose)
                                                   for p in know.prose.values())


@pytest.mark.parametrize("name", actfn.names())
def test_en_and_zh_cover_the_same_fields(name: str) -> None:
    know = actfn.lookup(name).knowledge
    en, zh = know.prose["en"], know.prose["zh"]
    for f in dataclasses.fields(Prose):
        a, b = getattr(en, f.name), getattr(zh, f.name)
        assert bool(a) == bool(b), f.name
        if isinstance(a, tuple):
            assert len(a) == len(b), f.name
    # every English text of the file (notes, parameter maps, range in symbols) has Chinese
    english = {f"framework:{e.framework}:{a}": getattr(e, a)
               for e in know.frameworks for a in ("notes", "params")}
    english["range_text"] = know.properties.range_text
    for field, text in english.items():
        assert bool(text) == bool(know.translation(field, "zh")), field


def test_equivalent_at_and_evaluate() -> None:
    eq = actfn.lookup("rrelu").knowledge.equivalent("JAX")
    assert eq is not None and eq.names() == {"jax", "x", "lower", "upper"}
    assert eq.at({"lower": 0.25, "upper": 0.75}) == "jax.nn.leaky_relu(x, negative_slope=0.5)"
    gelu = actfn.lookup("gelu").knowledge.equivalent("Keras")
    assert gelu.at({"approximate": "tanh"}).endswith("approximate=True)")
    thr = actfn.lookup("threshold").knowledge.equivalent("JAX")
    np = pytest.importorskip("numpy")
    got = thr.evaluate(np.array([-1.0, 0.5, 2.0]), {"jax": type("J", (), {"numpy": np})},
                       {"threshold": 1.0, "value": -3.0})
    assert got.tolist() == [-3.0, -3.0, 2.0]
    with pytest.raises(ValueError, match="no equivalent call"):
        Equivalent("JAX").evaluate(1.0, {}, {})


# -- the schema's errors name the file and the key path ------------------------------------------
_GOOD = {
    "properties": {"range": [0.0, float("inf")], "monotone": True},
    "frameworks": [{"framework": "PyTorch", "call": "torch.relu(x)",
                    "notes": {"en": "n", "zh": "说明"}}],
    "prose": {"en": {"strengths": ["s"], "weaknesses": ["w"], "use": "u"},
              "zh": {"strengths": ["优"], "weaknesses": ["缺"], "use": "用"}},
}


def _with(path: tuple, value: object) -> dict:
    import copy

    data = copy.deepcopy(_GOOD)
    node = data
    for k in path[:-1]:
        node = node[k]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


_DELETE = object()


def test_good_data_parses() -> None:
    k = parse(_GOOD, "good.toml")
    assert k.properties.range == (0.0, float("inf")) and k.documented
    assert k.translation("framework:PyTorch:notes", "zh") == "说明"
    assert k.frameworks[0].notes == "n"


@pytest.mark.parametrize(("path", "value", "where", "problem"), [
    # unknown keys
    (("colour",), "red", "<top>.colour", "unknown key"),
    (("properties", "monotonic"), True, "properties.monotonic", "unknown key"),
    (("frameworks", 0, "cal"), "x", "frameworks[0].cal", "unknown key"),
    (("prose", "en", "strength"), ["s"], "prose.en.strength", "unknown key"),
    (("prose", "fr"), {}, "prose.fr", "unknown key"),
    # wrong types
    (("properties", "monotone"), "yes", "properties.monotone", "expected true or false"),
    (("properties", "range"), [0.0, "inf"], "properties.range[1]", "expected a number"),
    (("properties", "range"), [0.0], "properties.range", "expected 2 numbers"),
    (("properties", "smoothness"), 3, "properties.smoothness", "must be -1, 0, 1, 2 or inf"),
    (("properties", "saturates"), ["left"], "properties.saturates", "sides are"),
    (("frameworks", 0, "kink_grad"), 0.0, "frameworks[0].kink_grad", "expected an array"),
    (("frameworks", 0, "call"), "torch.relu(x", "frameworks[0].call", "not a Python expression"),
    (("frameworks",), {"framework": "PyTorch"}, "frameworks", "expected an array of tables"),
    (("prose", "zh", "use"), ["用"], "prose.zh.use", "expected a string"),
    # missing required fields
    (("properties", "range"), _DELETE, "properties.range", "required field is missing"),
    (("frameworks", 0, "framework"), _DELETE, "frameworks[0].framework",
     "required field is missing"),
    (("prose", "en", "use"), _DELETE, "prose.en.use", "required field is missing"),
    # an English text without its Chinese counterpart (and the reverse)
    (("frameworks", 0, "notes"), {"en": "only English"}, "frameworks[0].notes.zh",
     "no 'zh' counterpart"),
    (("frameworks", 0, "notes"), {"en": "", "zh": "只有中文"}, "frameworks[0].notes.en",
     "no 'en' counterpart"),
    (("prose", "zh"), _DELETE, "prose.zh", "no 'zh' counterpart"),
    (("prose", "zh", "strengths"), ["优", "多一条"], "prose.zh.strengths",
     "2 items but prose.en.strengths has 1"),
    (("properties", "range_text"), {"en": "(-α, ∞)"}, "properties.range_text.zh",
     "no 'zh' counterpart"),
])
def test_schema_error_names_file_and_key(path: tuple, value: object, where: str,
                                         problem: str) -> None:
    with pytest.raises(KnowledgeError) as err:
        parse(_with(path, value), "bad.toml")
    msg = str(err.value)
    assert msg.startswith(f"bad.toml: {where}: "), msg
    assert problem in msg, msg


def test_more_schema_errors() -> None:
    deviation = {"method": "f", "x": 0.0, "actfn": 0.0, "theirs": 1.0, "reason": "r"}
    fw = {"framework": "JAX", "deviations": [{**deviation, "method": "grad"}]}
    with pytest.raises(KnowledgeError, match=r"frameworks\[1\]\.deviations\[0\]\.method: must be"):
        parse({**_GOOD, "frameworks": [*_GOOD["frameworks"], fw]}, "d.toml")
    fw = {"framework": "JAX", "deviations": [{k: v for k, v in deviation.items()
                                              if k != "reason"}]}
    with pytest.raises(KnowledgeError, match=r"deviations\[0\]\.reason: required field"):
        parse({"frameworks": [fw]}, "d.toml")
    with pytest.raises(KnowledgeError, match="framework 'JAX' is listed twice"):
        parse({"frameworks": [{"framework": "JAX"}, {"framework": "JAX"}]}, "d.toml")
    with pytest.raises(KnowledgeError, match=r"references\.links\[0\]: not an https URL"):
        parse({"references": {"links": ["http://example.com"]}}, "d.toml")
    with pytest.raises(KnowledgeError, match=r"translations\.zh\.sumary: unknown key"):
        parse({"translations": {"zh": {"sumary": "x"}}}, "d.toml")
    with pytest.raises(KnowledgeError, match=r"translations\.zh\.params\.alpha: expected a string"):
        parse({"translations": {"zh": {"params": {"alpha": 1}}}}, "d.toml")


def test_malformed_toml_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[properties\nrange = [0, 1]\n")
    with pytest.raises(KnowledgeError, match=r"broken\.toml: not valid TOML"):
        load(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[properties]\nrange = [0, 1]\nsparse = "no"\n')
    with pytest.raises(KnowledgeError, match=r"wrong\.toml: properties\.sparse: expected true"):
        load(wrong)


def test_partial_file_is_allowed() -> None:
    k = parse({"references": {"links": ["https://example.org"]}}, "partial.toml")
    assert k.properties is None and k.frameworks == () and not k.prose
    assert not k.documented and k.links == ("https://example.org",)
    assert not Knowledge().documented and _knowledge.EMPTY == Knowledge()


# -- a spec without knowledge renders "not documented yet" -------------------------------------
@pytest.fixture
def bare() -> Iterator[str]:
    """A temporary activation registered without a knowledge file."""
    spec = dataclasses.replace(actfn.lookup("relu"), name="zz_bare", aliases=())
    actfn.register(spec)
    try:
        yield spec.name
    finally:
        actfn.unregister(spec.name)


def test_spec_without_file_has_empty_knowledge(bare: str) -> None:
    assert actfn.lookup(bare).knowledge == Knowledge()


def test_atlas_page_of_undocumented_spec(bare: str, tmp_path: Path) -> None:
    site = _build.build(tmp_path / "site", only=[bare])
    en = (site / f"{bare}.html").read_text()
    zh = (site / f"{bare}.zh.html").read_text()
    assert en.count("not documented yet") == 3  # properties, frameworks, notes
    assert zh.count("尚无说明") == 3
    assert "not documented yet" in (site / "index.html").read_text()


def test_show_of_undocumented_spec(bare: str) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["show", bare])
    assert r.exit_code == 0, r.output
    assert "not documented yet" in r.stdout and "max(0, x)" in r.stdout
    r = runner.invoke(app, ["show", bare, "--lang", "zh"])
    assert r.exit_code == 0 and "尚无说明" in r.stdout
    r = runner.invoke(app, ["list"])
    assert r.exit_code == 0 and bare in r.stdout


def test_explorer_answer_for_undocumented_spec(bare: str) -> None:
    d = api_info({"name": [bare], "lang": ["zh"]})
    assert d["documented"] is False and d["undocumented"] == "尚无说明"
    assert d["properties"] is None and d["frameworks"] == [] and d["strengths"] == []
    assert api_info({"name": ["relu"], "lang": ["en"]})["documented"] is True


# -- a plugin outside the package carries its knowledge file beside its module -------------------
_PLUGIN = '''
    def f(x, xp):
        return x * x * x


    def df(x, xp):
        return 3 * x * x


    def d2f(x, xp):
        return 6 * x
'''

_PLUGIN_TOML = '''
    [properties]
    range = [-inf, inf]
    zero_centred = true

    [[frameworks]]
    framework = "PyTorch"
    call = "x ** 3"
    notes = {en = "a power", zh = "幂函数"}

    [prose.en]
    strengths = ["Odd and smooth."]
    weaknesses = ["Cubic growth."]
    use = "Tests."

    [prose.zh]
    strengths = ["奇函数且光滑。"]
    weaknesses = ["三次增长。"]
    use = "测试。"
'''


def test_plugin_knowledge_beside_its_module(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "zz_cube_plugin.py").write_text(textwrap.dedent(_PLUGIN))
    (tmp_path / "zz_cube.toml").write_text(textwrap.dedent(_PLUGIN_TOML))
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("zz_cube_plugin")
    try:
        actfn.register(actfn.Spec(name="zz_cube", f=mod.f, df=mod.df, d2f=mod.d2f,
                                  summary="x³"))
        know = actfn.lookup("zz_cube").knowledge
        assert know.source == tmp_path / "zz_cube.toml"
        assert know.properties.zero_centred and know.prose["zh"].use == "测试。"
        r = CliRunner().invoke(app, ["show", "zz_cube", "--lang", "zh"])
        assert r.exit_code == 0 and "奇函数且光滑" in r.stdout and "幂函数" in r.stdout
        assert "尚无说明" not in r.stdout
    finally:
        actfn.unregister("zz_cube")
        sys.modules.pop("zz_cube_plugin", None)


def test_nothing_reads_spec_info() -> None:
    """Knowledge is read through ``spec.knowledge`` only: no module of the package (the
    catalog's spec definitions aside) nor any test reads the old ``Spec.info`` mapping."""
    import re

    uses = re.compile(r"\.info\s*(\[|\.get\(|\.items\(|\.keys\()|\bspec\.info\b|\binfo\[\"")
    root = Path(_knowledge.__file__).parents[2]
    hits = []
    for path in sorted([*(root / "src" / "actfn").rglob("*.py"), *(root / "tests").rglob("*.py")]):
        if "catalog" in path.parts or path.name == "test_knowledge.py":
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if uses.search(line):
                hits.append(f"{path.relative_to(root)}:{i}: {line.strip()}")
    assert hits == []


# -- the review's defects (issue 16, second round) ------------------------------------------------
def _plugin_module(tmp_path: Path, monkeypatch, name: str, toml: str | bytes | None,
                   base: str = "relu", register: bool = True) -> str:
    """A module ``<name>_mod`` in ``tmp_path`` whose spec ``name`` reuses the built-in
    ``base`` kernels (``f`` is defined in actfn, not beside the module) and, with
    ``register``, registers itself at import; ``toml`` is written beside it as
    ``<name>.toml``. Returns the module name (imported when ``register``)."""
    modname = f"{name}_mod"
    call = "actfn.register(SPEC)" if register else ""
    (tmp_path / f"{modname}.py").write_text(textwrap.dedent(f"""
        import dataclasses

        import actfn
        import actfn.catalog.{base} as base

        SPEC = dataclasses.replace(base.SPEC, name={name!r}, aliases=())
        {call}
    """), encoding="utf-8")
    if isinstance(toml, str):
        (tmp_path / f"{name}.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    elif isinstance(toml, bytes):
        (tmp_path / f"{name}.toml").write_bytes(toml)
    monkeypatch.syspath_prepend(str(tmp_path))
    if register:
        importlib.import_module(modname)
    return modname


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch) -> Iterator:
    """``plugin(name, toml, base=...)``: a registered plug-in, removed afterwards."""
    made: list[tuple[str, str]] = []

    def make(name: str, toml: str | bytes | None, base: str = "relu") -> str:
        modname = _plugin_module(tmp_path, monkeypatch, name, toml, base)
        made.append((name, modname))
        return name

    yield make
    for name, modname in made:
        if name in actfn.names():
            actfn.unregister(name)
        sys.modules.pop(modname, None)
    _knowledge.clear_cache()


# 2: an undocumented spec whose LaTeX uses a symbol only a knowledge file defines
def test_undocumented_spec_with_knowledge_only_symbol_renders(plugin, tmp_path: Path) -> None:
    name = plugin("zz_bare_selu", None, base="selu")  # selu's λ = scale is in selu.toml only
    spec = actfn.lookup(name)
    assert not spec.knowledge.documented
    from actfn import _i18n

    for lang in ("en", "zh"):
        syms = dict(_i18n.symbols(spec, lang))
        assert syms["λ"] == "" and syms["α"]  # listed without a definition; α is a parameter
    site = _build.build(tmp_path / "site", only=[name])
    page = (site / f"{name}.html").read_text(encoding="utf-8")
    assert "not documented yet" in page and "<var>λ</var>" in page
    r = CliRunner().invoke(app, ["show", name])
    assert r.exit_code == 0, r.output
    assert "not documented yet" in r.stdout and "\n  λ\n" in r.stdout
    d = api_info({"name": [name], "lang": ["en"]})
    assert {"symbol": "λ", "meaning": ""} in d["symbols"] and d["documented"] is False


# 5: a plug-in that reuses a built-in kernel finds its own knowledge file
_MINI_TOML = '''
    [properties]
    range = [0, inf]
    attained = [true, false]
    smoothness = 0
    sparse = true

    [prose.en]
    strengths = ["Mine."]
    weaknesses = ["A copy."]
    use = "Tests."

    [prose.zh]
    strengths = ["我的。"]
    weaknesses = ["副本。"]
    use = "测试。"
'''


def test_plugin_reusing_builtin_kernel_finds_its_knowledge(plugin, tmp_path: Path) -> None:
    from actfn import _registry

    name = plugin("zz_myrelu", _MINI_TOML)
    spec = actfn.lookup(name)
    assert spec.f is actfn.lookup("relu").f  # the kernel lives in actfn, not beside it
    assert _registry.origin(spec) == (tmp_path / f"{name}_mod.py").resolve()
    assert spec.knowledge.source == (tmp_path / f"{name}.toml").resolve()
    assert spec.knowledge.prose["zh"].use == "测试。"
    r = CliRunner().invoke(app, ["show", name, "--lang", "zh"])
    assert r.exit_code == 0 and "我的" in r.stdout and "尚无说明" not in r.stdout
    # a copy that is not the registered spec has no origin
    assert _registry.origin(dataclasses.replace(spec)) is None
    assert _registry.origin(actfn.lookup("relu")) == (CATALOG / "relu.py").resolve()


def test_discover_and_entry_points_record_the_module(tmp_path: Path, monkeypatch) -> None:
    from actfn import _registry

    pkg = tmp_path / "zz_cat"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    _plugin_module(pkg, monkeypatch, "zz_disc", _MINI_TOML, register=False)
    (pkg / "zz_disc_mod.py").rename(pkg / "zz_disc.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    # an entry point naming a Spec object (module:attribute) of a module beside its toml
    _plugin_module(tmp_path, monkeypatch, "zz_ep", _MINI_TOML, register=False)
    info = tmp_path / "zz_ep-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: zz-ep\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[actfn.zz_test]\nzz_ep = zz_ep_mod:SPEC\n",
                                           encoding="utf-8")
    try:
        pkg_mod = importlib.import_module("zz_cat")
        assert _registry.discover("zz_cat", pkg_mod.__path__) == ["zz_disc"]
        assert _registry.load_plugins("actfn.zz_test", strict=True) == ["zz_ep"]
        for name, folder in (("zz_disc", pkg), ("zz_ep", tmp_path)):
            assert actfn.lookup(name).knowledge.source == (folder / f"{name}.toml").resolve()
    finally:
        for name in ("zz_disc", "zz_ep"):
            if name in actfn.names():
                actfn.unregister(name)
        for m in ("zz_cat", "zz_cat.zz_disc", "zz_ep_mod"):
            sys.modules.pop(m, None)
        _knowledge.clear_cache()


# 6: a knowledge file that is not UTF-8
def test_knowledge_file_not_utf8_is_named(plugin, tmp_path: Path) -> None:
    bad = b'[properties]\nrange = [0, 1]\nrange_text = {en = "caf\xe9", zh = "x"}\n'
    (tmp_path / "latin1.toml").write_bytes(bad)
    with pytest.raises(KnowledgeError, match=r"latin1\.toml: not UTF-8 text \(byte \d+"):
        load(tmp_path / "latin1.toml")
    name = plugin("zz_latin1", bad)
    r = CliRunner().invoke(app, ["show", name])
    assert r.exit_code != 0
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "zz_latin1.toml: not UTF-8 text" in lines[0], r.output
    with pytest.raises(ApiError, match=r"zz_latin1\.toml: not UTF-8 text"):
        api_info({"name": [name], "lang": ["en"]})


# 7: one malformed file: list names it in one line, atlas refuses before any work
def test_malformed_knowledge_file_fails_early_and_named(plugin, tmp_path: Path) -> None:
    name = plugin("zz_malformed", '[properties]\nrange = [0, 1]\nmonotone = "yes"\n')
    r = CliRunner().invoke(app, ["list"])
    assert r.exit_code != 0 and r.stdout == ""
    lines = r.output.strip().splitlines()
    assert len(lines) == 1, r.output
    assert "zz_malformed.toml: properties.monotone: expected true or false" in lines[0]
    site = tmp_path / "site"
    with pytest.raises(KnowledgeError, match=r"zz_malformed\.toml: properties\.monotone"):
        _build.check_target(site)  # every spec, before the progress bar
    r = CliRunner().invoke(app, ["atlas", "-o", str(site), "--quiet"])
    assert r.exit_code != 0 and "zz_malformed.toml: properties.monotone" in r.output
    assert not site.exists()  # nothing was written
    with pytest.raises(ApiError, match=r"knowledge file of zz_malformed is invalid: .*"
                                       r"zz_malformed\.toml: properties\.monotone"):
        api_info({"name": [name], "lang": ["en"]})


# 8: values the schema now refuses
@pytest.mark.parametrize(("rng", "problem"), [
    ([float("nan"), 1.0], "an end is nan"),
    ([0.0, float("nan")], "an end is nan"),
    ([1.0, 0.0], "reversed: the lower end 1.0 is above the upper end 0.0"),
])
def test_range_nan_or_reversed_is_refused(rng: list, problem: str) -> None:
    with pytest.raises(KnowledgeError, match=r"^r\.toml: properties\.range: ") as err:
        parse(_with(("properties", "range"), rng), "r.toml")
    assert problem in str(err.value)
    assert parse(_with(("properties", "range"), [0.5, 0.5]), "r.toml").properties.range == (
        0.5, 0.5)  # a constant's range is one point


def test_translation_or_symbol_of_unknown_parameter_is_refused(plugin) -> None:
    name = plugin("zz_trparam", '[translations.zh.params]\nbeta = "贝塔"\n', base="elu")
    with pytest.raises(KnowledgeError, match=r"zz_trparam\.toml: translations\.zh\.params\.beta: "
                                             r"zz_trparam has no parameter 'beta'; valid: alpha"):
        actfn.lookup(name).knowledge  # noqa: B018
    name = plugin("zz_symparam", '[symbols]\n"λ" = "scale"\n', base="elu")
    with pytest.raises(KnowledgeError, match=r"zz_symparam\.toml: symbols\.λ: .*'scale'"):
        actfn.lookup(name).knowledge  # noqa: B018
    ok = plugin("zz_okparam", '[translations.zh.params]\nalpha = "阿尔法"\n', base="elu")
    assert actfn.lookup(ok).knowledge.translation("param:alpha", "zh") == "阿尔法"


def test_every_catalog_file_has_its_module() -> None:
    tomls = {p.stem for p in CATALOG.glob("*.toml")}
    modules = {p.stem for p in CATALOG.glob("*.py") if not p.name.startswith("_")}
    assert tomls - modules == set(), "knowledge files without a catalog module"
    assert tomls == set(actfn.names(kind="all"))  # gated units too
    for n in actfn.names(kind="all"):
        assert actfn.lookup(n, kind="all").knowledge.source == CATALOG / f"{n}.toml"


# 11: the recipe uses public names only
def test_recipe_names_are_public() -> None:
    from actfn._exact import Exact
    from actfn.kernels import Kernel

    assert actfn.Exact is Exact and actfn.Kernel is Kernel
    assert {"Exact", "Kernel", "KnowledgeError"} <= set(actfn.__all__)
    toy = Path(__file__).parent / "toy_activation" / "squared_relu.py"
    source = toy.read_text(encoding="utf-8")
    assert "from actfn import Exact, Spec" in source and "actfn._" not in source
    assert "catalog/squared_relu.toml" in source and "catalog/knowledge" not in source


# 13: a catalog module that fails to import is named
def test_discover_names_a_module_that_fails_to_import(tmp_path: Path, monkeypatch) -> None:
    from actfn import _registry

    pkg = tmp_path / "zz_broken_cat"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "boom.py").write_text("raise RuntimeError('kaboom')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        mod = importlib.import_module("zz_broken_cat")
        with pytest.raises(ImportError, match=r"^actfn: catalog module zz_broken_cat\.boom "
                                              r"failed to import: RuntimeError: kaboom$") as err:
            _registry.discover("zz_broken_cat", mod.__path__)
        assert isinstance(err.value.__cause__, RuntimeError)  # the original is chained
    finally:
        for m in ("zz_broken_cat", "zz_broken_cat.boom"):
            sys.modules.pop(m, None)
