"""Text of the registry in English and Chinese.

The English text of a spec's own strings lives in the spec (``Spec.summary``,
``Spec.kink_convention``, ``Param.doc``); everything else an activation says (prose,
framework notes, output range in symbols) and every Chinese text is data in its
knowledge file, read through ``spec.knowledge`` (see :mod:`actfn._knowledge`). The
interface labels and the formula glossary are in ``actfn/locale/labels.toml`` and
``actfn/locale/symbols.toml``. ``tests/test_i18n.py`` checks that every registered
activation has a non-empty Chinese text wherever its English one is non-empty, and that
the Chinese uses full-width punctuation.

Fields of :func:`text`: ``"summary"``, ``"kink_convention"``, ``"range_text"`` (the
output range in symbols, from ``Properties.range_text``), ``"param:<name>"``,
``"framework:<Framework>:notes"``, ``"framework:<Framework>:params"``.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Any, Literal

from ._knowledge import Prose
from ._registry import Spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["LANGS", "Lang", "check_lang", "text", "label", "labels", "prose", "links",
           "family", "zh_punctuation", "symbols", "formula_symbols", "LOCALE",
           "undocumented", "valid_range"]

Lang = Literal["en", "zh"]
#: The languages of the registry's text.
LANGS: tuple[str, ...] = ("en", "zh")
#: Folder of the interface labels and the formula glossary.
LOCALE = Path(__file__).resolve().parent / "locale"

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is a known language, else raise ``ValueError`` naming them."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}")
    return lang  # type: ignore[return-value]


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK.match(ch))


def _is_han(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"


def zh_punctuation(s: str) -> str:
    """Full-width punctuation in Chinese text: ``,;:()!?`` next to Chinese become
    ``，；：（）！？``; code such as ``clip(x, 0, 1)`` or ``arXiv:1511.07289`` is kept."""
    out = list(s)
    n = len(s)
    pairs: list[int] = []
    for i, ch in enumerate(s):
        prev = s[i - 1] if i else ""
        nxt = s[i + 1] if i + 1 < n else ""
        if ch == "," and (_is_cjk(prev) or _is_cjk(nxt) or (nxt and not nxt.isspace()
                                                            and not nxt.isdigit())):
            out[i] = "\uff0c"
        elif ch == ";" and (nxt != " " or _is_cjk(prev)):
            out[i] = "\uff1b"
        elif ch == ":" and (_is_cjk(prev) or _is_cjk(nxt)
                            or (nxt and not nxt.isspace() and nxt != "/" and not nxt.isdigit())):
            out[i] = "\uff1a"
        elif ch in "!?" and _is_cjk(prev):
            out[i] = {"!": "\uff01", "?": "\uff1f"}[ch]
        elif ch == "(":
            depth, j = 0, i
            while j < n:
                depth += {"(": 1, ")": -1}.get(s[j], 0)
                if depth == 0:
                    break
                j += 1
            inner = s[i + 1:j]
            if j < n and (_is_han(prev) or any(map(_is_cjk, inner))
                          or (j + 1 < n and _is_han(s[j + 1]))
                          or re.fullmatch(r"[A-Z][A-Za-z/ ]+", inner)):
                pairs.append(i)
                pairs.append(j)
    for k in pairs:
        out[k] = "\uff08" if s[k] == "(" else "\uff09"
    # no space around full-width punctuation
    text = "".join(out)
    return re.sub(r" *([\uff0c\uff1b\uff1a\uff08\uff09\uff01\uff1f\u3001\u3002]) *", r"\1",
                  text)


@functools.cache
def labels() -> dict[str, dict[str, str]]:
    """Interface labels: ``{lang: {key: text}}``."""
    with (LOCALE / "labels.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {lang: dict(data[lang]) for lang in LANGS}


def label(key: str, lang: str = "en") -> str:
    """The interface label ``key`` in ``lang`` (``KeyError`` for an unknown key)."""
    return labels()[check_lang(lang)][key]


def undocumented(lang: str = "en") -> str:
    """What the atlas, ``actfn show``, the explorer and plots write for an activation
    without knowledge: "not documented yet" / "尚无说明"."""
    return label("undocumented", lang)


def _english(spec: Spec, field: str) -> str:
    if field in ("summary", "kink_convention"):
        return str(getattr(spec, field))
    if field == "range_text":
        props = spec.knowledge.properties
        return props.range_text if props is not None else ""
    kind, _, rest = field.partition(":")
    if kind == "param":
        for p in spec.params:
            if p.name == rest:
                return p.doc
        raise KeyError(f"{spec.name} has no parameter {rest!r}")
    if kind == "framework":
        fw, _, attr = rest.partition(":")
        if attr not in ("notes", "params"):
            raise KeyError(f"unknown framework field {attr!r} (notes or params)")
        e = spec.knowledge.equivalent(fw)
        if e is not None:
            return str(getattr(e, attr))
        raise KeyError(f"{spec.name} has no framework {fw!r}")
    raise KeyError(f"unknown text field {field!r}")


def text(spec: Spec, field: str, lang: str = "en", *, fallback: bool = True) -> str:
    """The text of ``field`` of ``spec`` in ``lang``.

    Chinese text missing from the knowledge file falls back to the English one when
    ``fallback`` (the default); ``fallback=False`` gives ``""`` instead (for the tests).
    ``KeyError`` for a field the spec does not have.
    """
    en = _english(spec, field)
    if check_lang(lang) == "en" or not en:
        return en
    zh = spec.knowledge.translation(field, lang)
    return zh if zh or not fallback else en


def prose(spec: Spec, lang: str = "en") -> Prose | None:
    """The spec's :class:`Prose` in ``lang`` (``None`` where it has none)."""
    return spec.knowledge.prose.get(check_lang(lang))


def links(spec: Spec) -> list[str]:
    """URLs of the spec's reference: the knowledge file's ``[references] links`` plus every
    ``arXiv:NNNN.NNNNN`` and ``doi:`` named in ``Spec.reference``, without repeats."""
    urls = list(spec.knowledge.links)
    for m in re.finditer(r"arXiv:(\d{4}\.\d{4,5})", spec.reference):
        urls.append(f"https://arxiv.org/abs/{m.group(1)}")
    for m in re.finditer(r"\bdoi:\s*(10\.\d{4,9}/\S+)", spec.reference, re.IGNORECASE):
        urls.append(f"https://doi.org/{m.group(1).rstrip('.,;)')}")
    return list(dict.fromkeys(urls))


def family(spec: Spec, lang: str = "en") -> str:
    """The spec's family name in ``lang`` (the English one if no translation is listed)."""
    if check_lang(lang) == "en":
        return spec.family
    return labels()["zh"].get(f"family.{spec.family}", spec.family)


@functools.cache
def _symbol_text() -> dict[str, dict[str, str]]:
    with (LOCALE / "symbols.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {lang: dict(data[lang]) for lang in LANGS}


_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "lambda": "λ", "theta": "θ", "sigma": "σ",
          "pi": "π", "mu": "μ", "varphi": "φ", "phi": "ϕ", "Phi": "Φ", "tau": "τ",
          "epsilon": "ε"}
_NAMED = ("erf", "tanh", "sech", "log", "sp", "softplus", "sign", "max", "min")


def formula_symbols(tex: str) -> list[str]:
    """The symbols of a LaTeX formula in order of appearance: Greek letters (as Unicode),
    named functions (``erf``, ``sech`` …) and Latin letters (``a_c`` kept whole, as are
    Greek ones with a one-letter subscript: ``\\alpha_p`` → ``α_p``)."""
    found: list[str] = []
    s = re.sub(r"\\(?:text|begin|end)\{[^}]*\}", " ", tex)
    token = re.compile(r"\\operatorname\{(\w+)\}|\\([A-Za-z]+)(?:_\{?([A-Za-z])\}?)?"
                       r"|([A-Za-z])(?:_\{?([A-Za-z])\}?)?")
    for m in token.finditer(s):
        if m.group(1):
            found.append(m.group(1))
        elif m.group(2):
            cmd = m.group(2)
            if cmd in _GREEK:
                found.append(_GREEK[cmd] + (f"_{m.group(3)}" if m.group(3) else ""))
            elif cmd in _NAMED:
                found.append(cmd)
        else:
            found.append(m.group(4) + (f"_{m.group(5)}" if m.group(5) else ""))
    return list(dict.fromkeys(found))


def symbols(spec: Spec, lang: str = "en") -> list[tuple[str, str]]:
    """Every symbol in ``spec``'s formulas with its definition in ``lang``.

    A symbol standing for a parameter (its Greek name or Latin letter is the parameter's
    name, or the knowledge file's ``[symbols]`` table maps it) is defined by the
    parameter's meaning and default; the rest by ``locale/symbols.toml``. A symbol with no
    definition (one that only a missing knowledge file would map to a parameter) is listed
    with the empty definition ``""``, never an error: an undocumented spec still renders
    (``tests/test_atlas2.py`` checks that every shipped activation defines every symbol).
    """
    table = _symbol_text()[check_lang(lang)]
    mapped = dict(spec.knowledge.symbols)
    by_greek = {v: k for k, v in _GREEK.items()}
    params = {p.name: p for p in spec.params}
    out = []
    seen: list[str] = []
    for key in ("f", "df", "d2f", *sorted(spec.latex)):
        for sym in formula_symbols(spec.latex.get(key, "")):
            if sym not in seen:
                seen.append(sym)
    for sym in seen:
        pname = mapped.get(sym) or (by_greek.get(sym) if by_greek.get(sym) in params else None)
        if pname is None and sym in params:
            pname = sym
        if pname is not None:
            p = params[pname]
            default = f"{p.default:.10g}" if isinstance(p.default, float) else str(p.default)
            doc = text(spec, f"param:{pname}", lang)
            out.append((sym, table["param"].format(name=pname, doc=doc, default=default)))
        else:
            out.append((sym, table.get(sym, "")))
    return out


def valid_range(param: Any, lang: str = "en") -> str:
    """``param.valid_range()`` in ``lang``: e.g. ``"alpha > 0（有限）"`` and
    ``"approximate 取值：'none'、'tanh'"`` in Chinese."""
    if check_lang(lang) == "en":
        return str(param.valid_range())
    name = param.name
    if param.choices is not None:
        return f"{name} 取值：" + "、".join(repr(c) for c in param.choices)
    parts = []
    if param.lower is not None:
        parts.append(f"{name} {'>=' if param.lower_inclusive else '>'} {param.lower:g}")
    if param.upper is not None:
        parts.append(f"{name} {'<=' if param.upper_inclusive else '<'} {param.upper:g}")
    if not parts:
        return f"{name} 为任意有限实数"
    return " 且 ".join(parts) + "（有限）"
