"""The registry's LaTeX as readable Unicode text for the terminal (``actfn show``).

A small converter for the LaTeX the registry uses: ``cases`` environments (a brace
drawn with ⎧ ⎨ ⎩), ``\\frac``/``\\tfrac`` (as ``a/b``, parenthesised when needed),
``\\sqrt``, sub- and superscripts (Unicode superscripts where every character has one,
else ``^(…)``), Greek letters, ``\\operatorname``, ``\\text``, ``\\max``/``\\tanh``/…,
sizes (``\\Bigl(``) and spacing. :func:`to_unicode` never leaves a backslash in its
output: an unknown command raises ``ValueError`` (``tests/test_cli_polish.py`` runs it
over every formula in the registry).
"""

from __future__ import annotations

import re

__all__ = ["to_unicode", "to_lines", "SYMBOLS"]

#: LaTeX command → Unicode.
SYMBOLS: dict[str, str] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "theta": "θ",
    "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ", "phi": "ϕ",
    "varphi": "φ", "Phi": "Φ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "pm": "±", "mp": "∓", "cdot": "·",
    "times": "×", "infty": "∞", "neq": "≠", "ne": "≠", "approx": "≈", "to": "→",
    "in": "∈", "ldots": "…", "cdots": "⋯",
}
_FUNCTIONS = {"log", "ln", "exp", "tanh", "sinh", "cosh", "sech", "max", "min", "sin", "cos",
              "erf", "sign"}
_DROP = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big",
         "displaystyle", "textstyle"}
_SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": "  ", "qquad": "   "}

_SUP = dict(zip("0123456789+-−=()nixaβbcdefghjklmoprstuvwyz/",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱˣᵃᵝᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷʸᶻᐟ", strict=True))
_SUB = dict(zip("0123456789+-−=()aeioxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑᵢₒₓₕₖₗₘₙₚₛₜ", strict=True))


class _Parser:
    def __init__(self, tex: str, lang: str) -> None:
        self.s = tex
        self.i = 0
        self.lang = lang

    def error(self, what: str) -> ValueError:
        return ValueError(f"cannot convert LaTeX {self.s!r}: {what} at position {self.i}")

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def command(self) -> str:
        """Read ``\\name`` (or ``\\,``) after the backslash; return the name."""
        self.i += 1
        m = re.compile(r"[A-Za-z]+").match(self.s, self.i)
        if m:
            self.i = m.end()
            return m.group()
        ch = self.peek()
        self.i += 1
        return ch

    def group(self) -> str:
        """One argument: ``{…}``, a command, or a single character."""
        while self.peek() == " ":
            self.i += 1
        ch = self.peek()
        if ch == "{":
            self.i += 1
            out = self.seq(stop="}")
            if self.peek() != "}":
                raise self.error("unbalanced {")
            self.i += 1
            return out
        if ch == "\\":
            save = self.i
            name = self.command()
            if name in SYMBOLS:
                return SYMBOLS[name]
            self.i = save
            return self.atom()
        if not ch:
            raise self.error("missing argument")
        self.i += 1
        return ch

    def atom(self) -> str:
        ch = self.peek()
        if ch == "\\":
            name = self.command()
            if name in SYMBOLS:
                return SYMBOLS[name]
            if name in _SPACES:
                return _SPACES[name]
            if name in _DROP:
                return ""
            if name in _FUNCTIONS or name == "operatorname":
                word = self.group() if name == "operatorname" else name
                if re.match(r"\\[td]?frac(?![A-Za-z])", self.s[self.i:]):
                    self.command()
                    return f"{word}({_fraction(self.group(), self.group())})"
                return word + ("" if self.peek() in "(^" else " ")
            if name in ("text", "mathrm", "mathit", "mathbf"):
                word = self.group()
                return {"otherwise": "其他"}.get(word, word) if self.lang == "zh" else word
            if name in ("frac", "tfrac", "dfrac"):
                frac = _fraction(self.group(), self.group())
                return frac if self.ends_term() else f"({frac})"
            if name == "sqrt":
                arg = self.group()
                return "√" + (arg if _simple(arg) else f"({arg})")
            if name == "\\":
                raise self.error("row break outside cases")
            if name == "begin":
                env = self.group()
                if env != "cases":
                    raise self.error(f"unknown environment {env!r}")
                raise self.error("nested cases")
            raise self.error(f"unknown command \\{name}")
        if ch in "^_":
            self.i += 1
            arg = re.sub(r"(?<=[α-ω]) (?=\w)", "", self.group())
            table = _SUP if ch == "^" else _SUB
            if arg and all(c in table for c in arg):
                return "".join(table[c] for c in arg)
            return ch + (arg if len(arg) == 1 else f"({arg})")
        if ch == "{":
            return self.group()
        self.i += 1
        if ch == "'":
            if self.peek() == "'":
                self.i += 1
                return "″"
            return "′"
        return {"-": "−", "~": " "}.get(ch, ch)

    def ends_term(self) -> bool:
        """Whether what follows ends the current product (so ``a/b`` needs no brackets)."""
        rest = re.sub(r"^(\s|\\[,;! ])+", "", self.s[self.i:])
        return (not rest or rest[0] in "+-=)}&<>|" or rest.startswith("\\\\")
                or re.match(r"\\(le|ge|leq|geq|end|bigr|Bigr|biggr|right)(?![A-Za-z])", rest)
                is not None)

    def seq(self, stop: str = "") -> str:
        out = []
        while self.i < len(self.s) and self.peek() not in stop:
            out.append(self.atom())
        return _tidy("".join(out))


def _simple(text: str) -> bool:
    return (bool(re.fullmatch(r"√?[\w.αβγλθσπμφΦ′]+|√?\(.*\)[⁰-⁹¹²³ᐟ]*", text))
            or len(text) == 1)


def _fraction(num: str, den: str) -> str:
    num = num if _simple(num) or re.fullmatch(r"[\w.]+\([^()]*\)", num) else f"({num})"
    den = den if _simple(den) else f"({den})"
    return f"{num}/{den}"


def _tidy(text: str) -> str:
    text = re.sub(r"[ \u2009]+", lambda m: " " if " " in m.group() else "\u2009", text)
    text = re.sub(r"(?<=[\w)αβγλθσΦφ′]) \(", "(", text)  # α (e … → α(e …
    text = re.sub(r"\s*([=<>≤≥+−])\s*", r" \1 ", text)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r"(^|[(,]) ?− ", r"\1−", text)  # unary minus
    text = re.sub(r"([≤≥<>=]) − ", r"\1 −", text)
    text = re.sub(r"± (?=\d)", "±", text)
    text = re.sub(r"(?<=[\d)])(tanh|sech|log|erf|sign|exp)", r" \1", text)
    text = re.sub(r" {2,}", " ", text)
    return text.strip()


_CASES = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.S)


def to_lines(tex: str, lang: str = "en") -> list[str]:
    """Convert ``tex`` to one line, or one line per row of a ``cases`` environment."""
    m = _CASES.search(tex)
    if not m:
        return [_Parser(tex, lang).seq()]
    prefix = _Parser(tex[: m.start()], lang).seq()
    suffix = _Parser(tex[m.end():], lang).seq()
    rows = []
    for raw in re.split(r"\\\\", m.group(1)):
        if not raw.strip():
            continue
        expr, _, cond = raw.partition("&")
        rows.append((_Parser(expr, lang).seq(), _Parser(cond, lang).seq()))
    width = max(len(e) for e, _ in rows)
    if len(rows) == 1:
        braces = ["{"]
    elif len(rows) == 2:
        braces = ["⎰", "⎱"]
    else:
        braces = ["⎧"] + ["⎨" if i == len(rows) // 2 else "⎪" for i in range(1, len(rows) - 1)]
        braces.append("⎩")
    word = "当 " if lang == "zh" else "if "
    lines = []
    mid = (len(rows) - 1) // 2
    for i, ((expr, cond), brace) in enumerate(zip(rows, braces, strict=True)):
        head = prefix if i == mid else " " * len(prefix)
        sep = " " if prefix else ""
        c = cond if cond in ("otherwise", "其他") or not cond else word + cond
        lines.append(f"{head}{sep}{brace} {expr.ljust(width)}  {c}".rstrip())
    if suffix:
        lines[-1] += " " + suffix
    return lines


def to_unicode(tex: str, lang: str = "en") -> str:
    """Convert ``tex`` to Unicode text (several lines for ``cases``)."""
    return "\n".join(to_lines(tex, lang))
