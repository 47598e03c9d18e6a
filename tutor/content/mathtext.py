"""A small LaTeX subset rendered as readable Unicode for the terminal.

Lessons write derivations in LaTeX (the same source renders through matplotlib's mathtext in
exported PNGs). A terminal cannot typeset, so we turn ``\\frac{\\partial L}{\\partial w_1}`` into
``∂L/∂w₁``. pylatexenc parses the source; the rendering is ours because pylatexenc's own
latex-to-text writes ``\\frac{a+b}{c}`` as ``a+b/c``, which is ambiguous.

Anything outside the subset raises :class:`UnsupportedLatex`, so ``tutor validate`` can reject
it and no learner ever sees raw backslashes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexCommentNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexSpecialsNode,
    LatexWalker,
    LatexWalkerError,
)


class UnsupportedLatex(ValueError):
    """The source uses LaTeX outside the subset the terminal can show."""


GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

SYMBOLS = {
    "partial": "∂", "nabla": "∇", "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "equiv": "≡", "sim": "~", "propto": "∝", "infty": "∞", "in": "∈", "notin": "∉",
    "subset": "⊂", "forall": "∀", "exists": "∃", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "Rightarrow": "⇒", "Leftrightarrow": "⇔", "iff": "⇔", "mapsto": "↦",
    "implies": "⇒", "top": "T", "star": "⋆", "ast": "∗", "prime": "′", "neg": "¬",
    "land": "∧", "lor": "∨", "cap": "∩", "cup": "∪", "emptyset": "∅", "perp": "⊥",
    "parallel": "∥", "leftrightarrow": "↔", "uparrow": "↑", "downarrow": "↓", "odot": "⊙", "otimes": "⊗", "circ": "∘",
    "sum": "Σ", "prod": "Π", "int": "∫", "ldots": "…", "cdots": "⋯", "dots": "…",
    "vdots": "⋮", "|": "‖", "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|",
    "langle": "⟨", "rangle": "⟩", "{": "{", "}": "}", "%": "%", "_": "_", "#": "#",
    "log": "log", "ln": "ln", "exp": "exp", "max": "max", "min": "min", "arg": "arg",
    "argmax": "argmax", "argmin": "argmin", "lim": "lim", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "det": "det", "Pr": "Pr", "E": "E",
    # spacing
    ",": " ", ";": " ", ":": " ", "!": "", "quad": "  ", "qquad": "    ", " ": " ",
    "left": "", "right": "", "big": "", "Big": "", "bigg": "", "Bigg": "",
    "displaystyle": "",
}

# Operators and relations get a space either side (LaTeX eats the space after a command name);
# runs of spaces are folded afterwards.
SPACED = {"star", "parallel", "perp", "land", "lor", "leftrightarrow", "cdot", "times", "div", "pm", "mp", "le", "leq", "ge", "geq", "ne", "neq", "approx",
          "equiv", "propto", "in", "notin", "subset", "to", "rightarrow", "leftarrow",
          "Rightarrow", "Leftrightarrow", "iff", "mapsto", "implies", "odot", "otimes", "sim", "circ"}
FUNCTIONS = {"log", "ln", "exp", "max", "min", "arg", "argmax", "argmin", "lim", "sin", "cos",
             "tanh", "det", "Pr"}

# \hat{y} -> ŷ: a combining mark after the argument, precomposed by NFC where Unicode has it.
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304",
           "tilde": "\u0303", "widetilde": "\u0303", "dot": "\u0307", "vec": "\u20d7"}

# Styles that a terminal cannot show; the letters stay readable without them.
PLAIN_STYLE = {"mathbf", "boldsymbol", "bm", "mathrm", "text", "textrm", "mathit", "operatorname",
               "mathcal", "mathsf", "textbf", "textit", "emph"}

BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "1": "𝟙", "P": "ℙ"}

SUPERSCRIPT = dict(zip("0123456789+-=()nijkTtxyzabcdelmoprsuvwhgf−ABDEGHIJKLMNOPRUVW",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏᵀᵗˣʸᶻᵃᵇᶜᵈᵉˡᵐᵒᵖʳˢᵘᵛʷʰᵍᶠ⁻ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂ"))
SUBSCRIPT = dict(zip("0123456789+-=()aeijklmnoprstuvxh−",
                     "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓₕ₋"))

# A fraction's side needs brackets when it is more than one "word": 1/(1+e⁻ᶻ), not 1/1+e⁻ᶻ.
_NEEDS_BRACKETS = re.compile(r"[\s+\-−=/,·×<>≤≥]")

_ARG_MACROS = {"frac": 2, "dfrac": 2, "tfrac": 2, "sqrt": 1, "mathbb": 1, **{a: 1 for a in ACCENTS},
               **{s: 1 for s in PLAIN_STYLE}}


def _script(text: str, table: dict[str, str], marker: str) -> str:
    text = text.strip()
    compact = text.replace(" ", "")
    if compact and all(ch in table for ch in compact):
        return "".join(table[ch] for ch in compact)
    return f"{marker}{text}" if len(text) == 1 else f"{marker}({text})"


# A denominator such as "2a" reads as (2/2)·a after a slash: bracket a number times a symbol.
_NUMBER_TIMES = re.compile(r"^\d+[^\d.]")


def _bracket(text: str, denominator: bool = False) -> str:
    if _NEEDS_BRACKETS.search(text) or (denominator and _NUMBER_TIMES.search(text)):
        return f"({text})"
    return text


class _Renderer:
    def __init__(self, source: str):
        self.source = source

    def tokens(self, nodes) -> list:
        """Flatten nodes into a token list: single characters, macros and groups."""
        out: list = []
        for node in nodes or []:
            if node is None or isinstance(node, LatexCommentNode):
                continue
            if isinstance(node, LatexCharsNode):
                out.extend(node.chars)
            elif isinstance(node, LatexSpecialsNode):
                out.extend(node.specials_chars)
            elif isinstance(node, LatexMathNode):
                out.extend(self.tokens(node.nodelist))
            else:
                out.append(node)
        return out

    def render(self, nodes) -> str:
        toks = self.tokens(nodes)
        parts: list[str] = []
        i = 0
        while i < len(toks):
            tok = toks[i]
            if isinstance(tok, str) and tok in ("^", "_"):
                if i + 1 >= len(toks):
                    raise UnsupportedLatex(f"'{tok}' with nothing after it")
                arg = toks[i + 1]
                i += 2
                # "x^ 2" is legal LaTeX: skip spaces before the script's argument.
                while isinstance(arg, str) and arg == " " and i < len(toks):
                    arg, i = toks[i], i + 1
                text = self.render_one(arg)
                if parts:
                    parts[-1] = parts[-1].rstrip()  # \lim_{x}: the script hugs its base
                parts.append(_script(text, SUPERSCRIPT if tok == "^" else SUBSCRIPT, tok))
                continue
            if isinstance(tok, LatexMacroNode) and tok.macroname in _ARG_MACROS:
                # pylatexenc may not know a macro's arguments (\operatorname{ReLU}): take
                # the groups that follow it.
                have = len([a for a in (tok.nodeargd.argnlist if tok.nodeargd else [])
                            if a is not None])
                extra = []
                j = i + 1
                while have + len(extra) < _ARG_MACROS[tok.macroname] and j < len(toks):
                    if isinstance(toks[j], str) and toks[j] == " ":
                        j += 1
                        continue
                    if not isinstance(toks[j], LatexGroupNode):
                        break
                    extra.append(toks[j])
                    j += 1
                if extra:
                    parts.append(self.macro(tok, extra))
                    i = j
                    continue
            if isinstance(tok, str) and tok == "&":
                raise UnsupportedLatex("'&' (alignment) is not supported; write one step per line")
            if isinstance(tok, str) and tok == "~":
                parts.append(" ")
            elif isinstance(tok, str) and tok in "=<>":
                parts.append(f" {tok} ")
            else:
                parts.append(self.render_one(tok))
            i += 1
        return "".join(parts)

    def render_one(self, tok) -> str:
        if isinstance(tok, str):
            return tok
        if isinstance(tok, LatexGroupNode):
            return self.render(tok.nodelist)
        if isinstance(tok, LatexMacroNode):
            return self.macro(tok)
        if isinstance(tok, LatexEnvironmentNode):
            raise UnsupportedLatex(f"LaTeX environments (\\begin{{{tok.environmentname}}}) are "
                                   f"not supported; write one equation per step")
        raise UnsupportedLatex(f"cannot show {tok.latex_verbatim()!r}")

    def macro(self, node: LatexMacroNode, extra_args: list | None = None) -> str:
        name = node.macroname
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        args += extra_args or []
        if name in _ARG_MACROS and len(args) < _ARG_MACROS[name]:
            raise UnsupportedLatex(f"\\{name} needs {_ARG_MACROS[name]} argument(s) in braces")
        if name in GREEK:
            return GREEK[name]
        if name in SPACED:
            return f" {SYMBOLS[name]} "
        if name in FUNCTIONS:
            return f"{SYMBOLS[name]} "
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in ("frac", "dfrac", "tfrac"):
            num, den = (self.render_one(a) for a in args[-2:])
            return f"{_bracket(num)}/{_bracket(den, denominator=True)}"
        if name == "sqrt":
            if len(args) > 1:
                raise UnsupportedLatex("\\sqrt[n]{...} is not supported")
            return "√" + _bracket(self.render_one(args[-1]))
        if name in ACCENTS:
            inner = self.render_one(args[-1])
            return unicodedata.normalize("NFC", inner + ACCENTS[name])
        if name in PLAIN_STYLE:
            return self.render_one(args[-1])
        if name == "mathbb":
            inner = self.render_one(args[-1])
            return "".join(BLACKBOARD.get(ch, ch) for ch in inner)
        raise UnsupportedLatex(f"unsupported LaTeX command \\{name}")


# Parsing and rendering recurse once per group; content is untrusted, so both are bounded.
MAX_LATEX_CHARS = 2000
MAX_LATEX_DEPTH = 20
_OPENERS = re.compile(r"\\(?:begin\b|\(|\[)|(?<!\\)\{")
_CLOSERS = re.compile(r"\\(?:end\b|\)|\])|(?<!\\)\}")


def _nesting(source: str) -> int:
    """The deepest nesting of braces, \\( \\[ and environments (an upper bound is enough)."""
    depth = deepest = 0
    for match in re.finditer(f"{_OPENERS.pattern}|{_CLOSERS.pattern}", source):
        depth += 1 if _OPENERS.fullmatch(match.group()) else -1
        deepest = max(deepest, depth)
    return deepest


def _check_bounds(source: str) -> None:
    if len(source) > MAX_LATEX_CHARS:
        raise UnsupportedLatex(f"formula is {len(source)} characters long; at most "
                               f"{MAX_LATEX_CHARS} are allowed")
    if _nesting(source) > MAX_LATEX_DEPTH:
        raise UnsupportedLatex(f"formula nests deeper than {MAX_LATEX_DEPTH} levels")


@lru_cache(maxsize=4096)
def latex_to_unicode(source: str) -> str:
    """Render a LaTeX-subset formula as Unicode; raise UnsupportedLatex outside the subset."""
    _check_bounds(source)
    try:
        nodes, _, _ = LatexWalker(source, tolerant_parsing=False).get_latex_nodes()
        text = _Renderer(source).render(nodes)
    except LatexWalkerError as err:
        raise UnsupportedLatex(f"cannot parse LaTeX: {str(err).splitlines()[0]}") from None
    except RecursionError:
        raise UnsupportedLatex(f"formula nests deeper than {MAX_LATEX_DEPTH} levels") from None
    text = re.sub(r" {2,}", " ", text).strip()
    # "max(0, x)", not "max (0, x)": a function name hugs its bracket.
    return re.sub(r"\b(" + "|".join(sorted(FUNCTIONS)) + r") \(", r"\1(", text)


_INLINE_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")


def render_inline_math(markdown: str) -> str:
    """Replace every ``$...$`` in Markdown with its Unicode rendering.

    Textual's Markdown drops tokens it does not know, so math must be converted before.
    """
    return _INLINE_MATH.sub(lambda m: latex_to_unicode(m.group(1)), markdown)


def check_inline_math(markdown: str) -> list[str]:
    """The problems with every ``$...$`` in a Markdown text (empty when all render)."""
    problems = []
    for match in _INLINE_MATH.finditer(markdown):
        try:
            latex_to_unicode(match.group(1))
        except UnsupportedLatex as err:
            formula = match.group(1)
            shown = formula if len(formula) <= 40 else formula[:39] + "…"
            problems.append(f"${shown}$: {err}")
    return problems
