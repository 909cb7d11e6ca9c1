"""Canonical Document -> Markdown (CommonMark + GFM tables), rendered from canonical fields only.

Provider markdown fragments are not copied through: they may carry raw HTML. Every text is escaped so it reads
back as the same text, and one render function per block kind keeps the rules visible.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable, Literal
from urllib.parse import quote

from msgspec import Struct

from normalizer.kinds import row as kind_row
from normalizer.schema import Block, Document, Table

from .joined import logical_blocks
from .tables import grid, table_to_html


class MarkdownOptions(Struct, frozen=True, kw_only=True):
    heading_offset: int = 0                                # added to every heading level (capped at 6)
    span_policy: Literal["html", "repeat", "anchor"] = "html"  # tables with spans; span-free tables are GFM
    furniture: bool = False                                # include page headers, footers, page numbers
    page_breaks: bool = False                              # a `<!-- page N -->` marker before each page
    join_continued: bool = True                            # one table for fragments continued across pages


_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")  # "AT&amp;T" must not read "AT&T"
_LINE_START = re.compile(r"^([ \t]*)(?:([#>+=-])|(\d+)([.)]))", re.M)
_BLOCK_INDENT = re.compile(r"(\A(?:[ \t]*\n)*|\n[ \t]*\n)[ \t]+")  # after the start, blank lines, or both
_MARKER_START = frozenset(" \t#>+=-0123456789")  # what a line that _LINE_START or _BLOCK_INDENT touch begins with
_SAFE_URL = re.compile(r"^(https?://|mailto:|[\w./%-]+$)", re.I)  # a relative name may be percent-encoded


def escape(text: str, block: bool = True) -> str:
    """Text that CommonMark renders as exactly `text`: no emphasis, links or HTML, and (for a block of its
    own, `block=True`) no line read as a heading, list item or quote. A digit cannot be escaped, so an
    ordered-list marker is broken by escaping its `.`/`)` instead."""
    if _INLINE_SPECIAL.search(text):  # most texts have nothing to escape: a search is 3x cheaper than a sub
        text = _INLINE_SPECIAL.sub(r"\\\1", text)
    if "&" in text:
        text = _ENTITY.sub(r"\\&", text)
    if not block or ("\n" not in text and text[:1] not in _MARKER_START):
        return text
    # Indentation that opens a block (4+ spaces make a code block) means nothing in a paragraph: drop it.
    return _LINE_START.sub(_escape_marker, _BLOCK_INDENT.sub(r"\1", text))


def _escape_marker(m: re.Match[str]) -> str:
    if m.group(2):
        return f"{m.group(1)}\\{m.group(2)}"
    return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"


def safe_url(url: str | None) -> str | None:
    """A URL worth linking: http(s), mailto or a relative file name; never `javascript:` and the like (a
    relative name has no `:`, so it has no scheme). Every character that could end the link or start markup
    (spaces, line breaks, brackets, parentheses, angle brackets, quotes, backticks) is percent-encoded."""
    if not url or not _SAFE_URL.match(url.strip()):
        return None
    return quote(url.strip(), safe=_URL_SAFE)


_URL_SAFE = "/:?#@!$&'*+,;=%-._~"  # what a URL keeps as it is; the rest is percent-encoded


def _cell(text: str) -> str:
    return escape(text, block=False).replace("\n", "<br>") if text else ""


def gfm_table(table: Table, span_policy: str) -> str:
    rows = grid(table, "repeat" if span_policy == "repeat" else "anchor")
    if not rows:
        return ""
    lines = ["| " + " | ".join(_cell(t) for t in rows[0]) + " |", "|" + "---|" * table.n_cols]
    lines += ["| " + " | ".join(_cell(t) for t in row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _has_spans(table: Table) -> bool:
    return any(c.row_span > 1 or c.col_span > 1 for c in table.cells)


Render = Callable[[Block, "Table | None", MarkdownOptions], str | None]


def _heading(b: Block, t: Table | None, o: MarkdownOptions) -> str:
    level = min(max((b.level or 1) + o.heading_offset, 1), 6)
    return "#" * level + " " + escape(b.text.replace("\n", " "), block=False).replace("#", "\\#")


def _paragraph(b: Block, t: Table | None, o: MarkdownOptions) -> str:
    return escape(b.text)


def _list_item(b: Block, t: Table | None, o: MarkdownOptions) -> str:
    indent = "   " * max((b.level or 1) - 1, 0)
    marker = f"{b.list_start if b.list_start is not None else 1}." if b.ordered else "-"  # CommonMark counts on
    return indent + marker + " " + escape(b.text).replace("\n", "\n" + indent + "   ")


def _code(b: Block, t: Table | None, o: MarkdownOptions) -> str:
    longest = max((len(run) for run in re.findall(r"`+", b.text)), default=0)
    fence = "`" * max(3, longest + 1)
    info = b.language if b.language and re.fullmatch(r"[\w+#.-]+", b.language) else ""
    return f"{fence}{info}\n{b.text}\n{fence}"


def _formula(b: Block, t: Table | None, o: MarkdownOptions) -> str:
    """Display math between `$$` lines. A math renderer reads the LaTeX as it is; a plain CommonMark renderer
    sees one paragraph, where nothing may become live markup: `<`/`>` become TeX's \\lt/\\gt; links, images,
    references and entities are broken by a space; a line that would open a block (`#`, `>`, a list marker, a
    fence, a setext underline, a thematic break, a table's delimiter row) starts with `{}`; a `*`, `_` or `~` that could open emphasis
    gets a space after it (`7*7*2` was `7<em>7</em>2`), so nothing can, and blank lines go. Math mode
    ignores all of these; `T_a`, `n_{i}` and `a * b`, which open nothing, are left as they are."""
    latex = (b.latex if b.latex is not None else b.text).replace("$$", "$ $")
    latex = _MATH_INLINE.sub(lambda m: m.group(0) + " ", latex.replace("<", "\\lt ").replace(">", "\\gt "))
    lines = [_MATH_LINE.sub(r"\1{}", line) for line in latex.split("\n") if line.strip()]
    return "$$\n" + _no_openers("\n".join(lines)) + "\n$$"


_MATH_INLINE = re.compile(r"\](?=[(\[:])|&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_MATH_LINE = re.compile(r"^([ \t]*)(?=[#>+*=~`_|:-]|\d+[.)])")  # `|`, `:`: a table's delimiter row
_RUNS = re.compile(r"\\+|\*+|_+|~+")  # backslash runs and delimiter runs, each a single class: linear


def _no_openers(text: str) -> str:
    """`text` with a space after every delimiter run (`*`, `_`, `~`) that could open emphasis or
    strikethrough, judged left to right on what is already written, so no pair can form; a delimiter right
    after an odd run of backslashes is escaped (a TeX command such as `\\_`) and opens nothing."""
    out: list[str] = []
    at, last, escaped = 0, "\n", False  # last: the character written before (a line start is whitespace)
    for m in _RUNS.finditer(text):
        if m.start() > at:
            out.append(text[at:m.start()])
            last, escaped = text[m.start() - 1], False
        run, at = m.group(), m.end()
        if run[0] == "\\":
            out.append(run)
            last, escaped = "\\", len(run) % 2 == 1
            continue
        if escaped:  # its first character is escaped: the run starts after it
            out.append(run[0])
            last, run, escaped = run[0], run[1:], False
            if not run:
                continue
        opens = _may_open(run[0], last, text[at] if at < len(text) else "\n")
        out.append(run + " " if opens else run)
        last = " " if opens else run[-1]
    out.append(text[at:])
    return "".join(out)


def _may_open(delimiter: str, before: str, after: str) -> bool:
    """Whether a delimiter run between `before` and `after` can open emphasis under CommonMark 0.30 or 0.31
    (they differ on symbols: 0.31 counts them as punctuation) or GFM strikethrough (`~`, as `*`)."""
    for punct in (_punct_030, _punct_031):
        left = not _space(after) and (not punct(after) or _space(before) or punct(before))
        right = not _space(before) and (not punct(before) or _space(after) or punct(after))
        if left and (delimiter != "_" or not right or punct(before)):
            return True
    return False


def _space(ch: str) -> bool:
    """CommonMark's Unicode whitespace: Zs, tab, line feed, form feed, carriage return (not Python's isspace)."""
    return ch in "\t\n\x0c\r" or unicodedata.category(ch) == "Zs"


def _punct_030(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def _punct_031(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch)[0] in "PS"


_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _figure(b: Block, t: Table | None, o: MarkdownOptions) -> str:
    url = safe_url(b.image.url if b.image else None)
    alt = escape((b.image.caption if b.image and b.image.caption else b.text).replace("\n", " "), block=False)
    return f"![{alt}]({url})" if url else (alt or "")


def _table(b: Block, t: Table | None, o: MarkdownOptions) -> str | None:
    if t is None:
        return None  # a fragment shown as part of the table it continues
    if t.n_rows == 0:
        return escape(b.text) or None
    if _has_spans(t) and o.span_policy == "html":
        return table_to_html(t)
    return gfm_table(t, o.span_policy)


def _link(b: Block, t: Table | None, o: MarkdownOptions) -> str:
    target = safe_url(b.url)
    return f"[{escape(b.text.replace(chr(10), ' '), block=False)}]({target})" if target else escape(b.text)


def _furniture(b: Block, t: Table | None, o: MarkdownOptions) -> str | None:
    return escape(b.text) if o.furniture else None


# One renderer per way of drawing (normalizer.kinds: each kind's `draws_as`).
RENDER: dict[str, Render] = {
    "heading": _heading, "paragraph": _paragraph, "list_item": _list_item, "table": _table,
    "figure": _figure, "caption": _paragraph, "formula": _formula, "code": _code, "furniture": _furniture,
    "link": _link,
}


def _failed_page(number: int, error: str | None) -> str:
    """A failed page leaves a visible trace (an HTML comment) instead of silently vanishing."""
    text = (error or "unknown error").replace("--", "- -").replace("<", "&lt;").replace(">", "&gt;")
    return f"<!-- page {number} failed: {text} -->"


def to_markdown(doc: Document, options: MarkdownOptions = MarkdownOptions()) -> str:
    """The document as CommonMark with GFM tables, every provider string escaped to render as itself.

    Args:
        doc: a canonical Document.
        options: heading offset, span policy for merged cells, furniture, page markers, joined tables.

    Example:
        >>> doc = normalize(open("samples/llamacloud/annual_report_v2.json", "rb").read())
        >>> to_markdown(doc).splitlines()[0]
        '# Annual Report 2025'
    """
    parts: list[str] = []
    page = None
    previous_kind = None
    failed = [(p.number, p.error) for p in doc.pages if not p.ok]
    for block, table in logical_blocks(doc.blocks, options.join_continued):
        while failed and failed[0][0] < block.page:
            parts.append(_failed_page(*failed.pop(0)))
            previous_kind = None
        if options.page_breaks and block.page != page:
            parts.append(f"<!-- page {block.page} -->")
            previous_kind = None
        page = block.page
        text = RENDER[kind_row(block.kind).draws_as](block, table, options)
        if text is None or text == "":
            continue
        if block.kind == "list_item" and previous_kind == "list_item":
            parts[-1] += "\n" + text  # one list: items stay together
        else:
            parts.append(text)
        previous_kind = block.kind
    parts += [_failed_page(number, error) for number, error in failed]
    return "\n\n".join(parts) + "\n" if parts else ""
