"""markdown-it-py as the Markdown reader (`providers.markdown`) needs it: CommonMark with GFM pipe tables, display
and inline math, a guard against nesting it would otherwise drop, link targets kept as written; and the plain text
of an inline token.

Every rule here is linear in the text it reads: a search for a closing delimiter that fails is remembered, so the
delimiters after it never search again.
"""

from __future__ import annotations

import re
from typing import Any

from ..canonical import MAX_LEVEL

DEEPEST = 2 * MAX_LEVEL  # block nesting markdown-it may reach (a list item is two levels: its list and itself)
_DISPLAY = (("$$", "$$"), ("\\[", "\\]"))
_BREAK = re.compile(r"<br\s*/?>", re.I)
_parser: Any = None  # loaded at the first Markdown input (markdown-it-py is a third of the import time)


def parser() -> Any:
    """The shared MarkdownIt instance with docnorm's rules, built once (its `parse` keeps no state between calls;
    building it costs more than reading a page).

    Example:
        >>> [t.type for t in parser().parse("$$\\nx^2\\n$$\\n")]
        ['math_block']
    """
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt
        md = MarkdownIt("commonmark", {"maxNesting": DEEPEST + 8}).enable("table")
        md.block.ruler.before("table", "docnorm_deep", _deep)
        md.block.ruler.after("fence", "math_block", _math_block,
                             {"alt": ["paragraph", "reference", "blockquote", "list"]})
        # Inline text is read by a second instance keeping CommonMark's nesting bound (20): an inline pass costs
        # time in proportion to the bound (100,000 "[" take 7 times longer under the block bound).
        spans = MarkdownIt("commonmark")
        spans.inline.ruler.before("escape", "docnorm_math", _math_inline)
        spans.normalizeLink = spans.normalizeLinkText = _verbatim  # type: ignore[method-assign]
        md.core.ruler.at("inline", lambda state: _inline(spans, state))
        _parser = md
    return _parser


def _verbatim(url: str) -> str:
    return url


def _inline(spans: Any, state: Any) -> None:
    """markdown-it's own inline step, run by `spans`."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            spans.inline.parse(token.content, spans, state.env, token.children)


def _deep(state: Any, start: int, end: int, silent: bool) -> bool:
    """Past `DEEPEST` levels, the rest of the container as one `docnorm_deep` token of its source lines (where
    markdown-it-py would skip them)."""
    if state.level < DEEPEST:
        return False
    if not silent:
        token = state.push("docnorm_deep", "", 0)
        token.content = state.getLines(start, end, state.blkIndent, False)
        token.map = [start, end]
        state.line = end
    return True


def _line_text(state: Any, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].rstrip()


def _math_block(state: Any, start: int, end: int, silent: bool) -> bool:
    """`$$…$$` or `\\[…\\]` opening a line: a `math_block` token whose content is the LaTeX between them."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = _line_text(state, start)
    for opener, closer in _DISPLAY:
        if first.startswith(opener):
            break
    else:
        return False
    rest = first[len(opener):]
    if len(rest) >= len(closer) and rest.endswith(closer):
        last, body = start, rest[:-len(closer)]
    else:
        last = _closing_line(state, start, end, closer)
        if last is None:
            return False
        middle = state.getLines(start + 1, last, state.blkIndent, False)
        body = "\n".join(part for part in (rest, middle, _line_text(state, last)[:-len(closer)]) if part.strip())
    if not silent:
        token = state.push("math_block", "math", 0)
        token.block = True
        token.content = body
        token.markup = opener
        token.map = [start, last + 1]
        state.line = last + 1
    return True


def _closing_line(state: Any, start: int, end: int, closer: str) -> int | None:
    """The first line after `start` that ends with `closer`, within the container; None when there is none (the
    search that failed is remembered: an opener before the line it stopped at fails at once)."""
    memo = state.env.setdefault("docnorm_math_fails", {})
    key = (closer, end, state.blkIndent)
    failed = memo.get(key)
    if failed is not None and failed[0] < start < failed[1]:
        return None
    stop = end
    for line in range(start + 1, end):
        if state.sCount[line] < state.blkIndent and not state.isEmpty(line):
            stop = line
            break
        if _line_text(state, line).endswith(closer):
            return line
    memo[key] = (start, stop)
    return None


def _math_inline(state: Any, silent: bool) -> bool:
    """`$…$`, `$$…$$` or `\\(…\\)`: one `docnorm_math` token holding the span as written."""
    src, pos = state.src, state.pos
    if src.startswith("\\(", pos):
        opener, closer = "\\(", "\\)"
        if getattr(state, "docnorm_no_paren", len(src)) <= pos:
            return False
        end = src.find(closer, pos + 2)
        if end < 0:
            state.docnorm_no_paren = pos  # no `\)` after here: later openers need not look
            return False
    elif src[pos] == "$":
        opener = closer = "$$" if src.startswith("$$", pos) else "$"
        end = src.find(closer, pos + len(opener))
        while end > 0 and src[end - 1] == "\\":  # an escaped dollar does not close
            end = src.find(closer, end + 1)
        if end < 0:
            return False
    else:
        return False
    if not silent:
        token = state.push("docnorm_math", "", 0)
        token.content = src[pos:end + len(closer)]
        token.markup = opener
    state.pos = end + len(closer)
    return True


def inline_text(token: Any) -> tuple[str, list[Any], list[dict[str, Any]]]:
    """An inline token's plain text (emphasis markers and inline tags left out, `<br>` and soft breaks as line
    breaks, code and math as written), its image tokens and its links (`{text, url, title}`): the text compares with
    other providers' text, the images and links become figures and targets.

    Example:
        >>> text, images, links = inline_text(parser().parse("Read *the* [guide](g.md) ![logo](l.png)")[1])
        >>> text, [i.attrGet("src") for i in images], links
        ('Read the guide ', ['l.png'], [{'text': 'guide', 'url': 'g.md'}])
    """
    parts: list[str] = []
    images: list[Any] = []
    links: list[dict[str, Any]] = []
    opened: list[tuple[int, Any]] = []
    for child in token.children or ():
        kind = child.type
        if kind in ("text", "code_inline", "docnorm_math"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "html_inline":
            if _BREAK.fullmatch(child.content.strip()):
                parts.append("\n")
        elif kind == "image":
            images.append(child)
        elif kind == "link_open":
            opened.append((len(parts), child))
        elif kind == "link_close" and opened:
            at, link = opened.pop()
            title = link.attrGet("title")
            links.append({"text": "".join(parts[at:]), "url": link.attrGet("href"), **({"title": title} if title
                                                                                       else {})})
    return "".join(parts), images, links
