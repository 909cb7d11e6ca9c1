"""OmniDocBench's text and formula normalisation (`utils/data_preprocess.py`), with linear scans.

Text is compared after its inline formulas are turned into Unicode (pylatexenc's `latex_to_text`, as
OmniDocBench does) and everything but letters, digits and CJK characters is dropped; formulas after their
delimiters, tags, spacing and font commands are removed and they are lower-cased.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .scan import display_bracket, lazy_matches, replace_spans, sub_lazy

_NOT_WORD = re.compile(r"[^\w\u4e00-\u9fff]")
_ESCAPED = re.compile(r"\\([\\_&%^])")
INLINE = [("$", "$"), ("\\(", "\\)")]

# OmniDocBench's list, in its order ('\\mathbf' goes before '\\mathbfcal', so the latter leaves 'cal')
_FORMULA_NOISE = ['\\mathbf', '\\mathrm', '\\mathnormal', '\\mathit', '\\mathbb', '\\mathcal', '\\mathscr',
                  '\\mathfrak', '\\mathsf', '\\mathtt', '\\textbf', '\\text', '\\boldmath', '\\boldsymbol',
                  '\\operatorname', '\\bm',
                  '\\symbfit', '\\mathbfcal', '\\symbf', '\\scriptscriptstyle', '\\notag', '\\setlength',
                  '\\coloneqq', '\\space', '\\thickspace', '\\thinspace', '\\medspace', '\\nobreakspace',
                  '\\negmedspace', '\\quad', '\\qquad', '\\enspace', '\\substackw', ' ', '$$', '\\left', '\\right',
                  '\\displaystyle', '\\text']


def clean_string(text: str) -> str:
    """Letters, digits and CJK characters only, as OmniDocBench compares text blocks.

    Example:
        >>> clean_string("Hello, world!\\n 42 °C")
        'Helloworld42C'
    """
    for noise in ("\\t", "\\n", "\t", "\n", "/t", "/n"):
        text = text.replace(noise, "")
    return _NOT_WORD.sub("", text)


def clear_caches() -> None:
    """Forget the normalised texts and formulas remembered so far: `match_page` starts every page with it, so
    memory stays bounded by one page and no page is faster for following another.

    Example:
        >>> text_norm("a b"); clear_caches(); text_norm.cache_info().currsize
        'ab'
        0
    """
    for cached in (latex_text, text_norm, normalized_formula):
        cached.cache_clear()


@lru_cache(maxsize=None)
def latex_text(latex: str) -> str:
    """pylatexenc's `LatexNodes2Text().latex_to_text`, which OmniDocBench uses to read LaTeX as text (with the
    version OmniDocBench pins, 3.0a30: others read broken LaTeX differently).

    Example:
        >>> latex_text("\\\\alpha^2")
        'α^2'
    """
    if latex.endswith("\\") and (len(latex) - len(latex.rstrip("\\"))) % 2:
        latex += " "   # a lone trailing backslash sends pylatexenc 3.0a30 into an endless loop
    return _converter()(latex)


@lru_cache(maxsize=1)
def _converter():
    """pylatexenc's `latex_to_text` with its default macro table built once (it rebuilds the table on every
    call; the table is frozen when first used, so sharing it changes nothing)."""
    from pylatexenc.latex2text import LatexNodes2Text  # ~50 ms to import: only when a formula needs it
    from pylatexenc.latexwalker import LatexWalker, get_default_latex_context_db
    converter, context = LatexNodes2Text(), get_default_latex_context_db()
    try:
        from pylatexenc.latexnodes.parsers import LatexGeneralNodesParser
    except ImportError:   # pylatexenc 2
        return lambda latex: converter.nodelist_to_text(LatexWalker(latex, latex_context=context).get_latex_nodes()[0])
    return lambda latex: converter.nodelist_to_text(
        LatexWalker(latex, latex_context=context).parse_content(LatexGeneralNodesParser())[0])


def textblock2unicode(text: str) -> str:
    """The text with each inline formula that has a `\\`, `^` or `_` replaced by its Unicode reading.

    Example:
        >>> textblock2unicode("area $\\\\pi r^2$ and $x$")
        'area πr^2 and $x$'
    """
    if "$" not in text and "\\(" not in text:
        return text
    spans, pieces = [], []
    for m in lazy_matches(text, INLINE, dotall=False):
        content = _ESCAPED.sub("", text[m.body_start:m.body_end])
        if not any(c in content for c in "\\^_"):
            continue
        if content.endswith("\\"):
            content += " "
        try:
            piece = latex_text(content)
        except Exception:  # OmniDocBench skips a formula pylatexenc cannot read (a bare except there)
            continue
        spans.append((m.start, m.end))
        pieces.append(piece.strip())
    return replace_spans(text, spans, pieces) if spans else text


@lru_cache(maxsize=None)
def text_norm(text: str) -> str:
    """How OmniDocBench normalises a text block before comparing it: `clean_string(textblock2unicode(text))`.

    Example:
        >>> text_norm("The value $\\\\alpha_1$ is 3.")
        'Thevalueα_1is3'
    """
    return clean_string(textblock2unicode(text))


@lru_cache(maxsize=None)
def normalized_formula(text: str) -> str:
    """A display formula as OmniDocBench compares it: no delimiters, tags, spacing or font commands, lower case.

    Example:
        >>> normalized_formula("$$ \\\\mathbf{E} = m c^2 \\\\tag{1} $$")
        '{e}=mc^2'
    """
    text = text.strip().strip("$").strip("\n")
    inner = display_bracket(text)
    if inner is not None:
        text = inner.strip()
    for command in ("\\tag{", "\\hspace{", "\\begin{", "\\end{", "\\arraycolsep"):
        if command in text:
            text = sub_lazy(text, [(command, "}")], _drop, dotall=False)
    text = text.strip(".")
    for noise in _FORMULA_NOISE:
        text = text.replace(noise, "")
    return text.lower()


def _drop(match, text: str) -> str:
    return ""


def remove_markdown_fences(content: str) -> str:
    """OmniDocBench's `remove_markdown_fences`: drops ```` ```markdown ````, ```` ```html ```` and
    ```` ```latex ```` at a line start and every ```` ``` ```` that ends a line.

    Example:
        >>> remove_markdown_fences("```markdown\\n# Title\\n```")
        '# Title\\n'
    """
    content = re.sub(r"^```markdown\n?", "", content, flags=re.MULTILINE)
    content = re.sub(r"^```html\n?", "", content, flags=re.MULTILINE)
    content = re.sub(r"^```latex\n?", "", content, flags=re.MULTILINE)
    return re.sub(r"```\n?$", "", content, flags=re.MULTILINE)


def replace_repeated_chars(text: str) -> str:
    """Runs of more than four underscores or spaces cut to four, as OmniDocBench does before extracting.

    Example:
        >>> replace_repeated_chars("a______b")
        'a____b'
    """
    text = re.sub(r"_{4,}", "____", text)
    return re.sub(r" {4,}", "    ", text)


def normalize_spice(spice: str) -> str:
    """A SPICE netlist as the evaluator's fork compares it: comments dropped, only word characters, lower case.

    Example:
        >>> normalize_spice("* comment\\nR1 1 2 10k\\n")
        'r11210k'
    """
    if not spice:
        return ""
    lines = [" ".join(line.split()) for line in (raw.strip() for raw in spice.split("\n"))
             if line and not line.startswith(("*", ";"))]
    cleaned = re.sub(r"\s+", " ", re.sub(r"[^\w\s.\-_()]", "", " ".join(lines))).strip()
    return re.sub(r"\s+", "", re.sub(r"[^\w\s]", "", cleaned)).lower()
