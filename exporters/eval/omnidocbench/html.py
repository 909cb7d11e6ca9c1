"""Tables as OmniDocBench reads them: its HTML normalisation (BeautifulSoup's tree, `soup.py`), the text of an
unmatched table's cells (BeautifulSoup's `.string`), and the tree TEDS compares (lxml's HTML parser, which
OmniDocBench uses too, so that malformed HTML is repaired the same way; imported only when a page has a table).
Every search over the table text is linear (see `scan.py`).
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from .scan import lazy_matches, replace_spans, sub_lazy
from .soup import find_all, parse, replace_with_text, serialize, string_of, unwrap

_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_CLOSE = re.compile(r"</table>", re.IGNORECASE)
_TBODY = re.compile(r"</?tbody>")
_SPACES = re.compile(r"\s+")
_INLINE_TAGS = ("<sup>", "</sup>", "<sub>", "</sub>", "<span>", "</span>", "<div>", "</div>", "<p>", "</p>",
                '<spandata-span-identity="">')
MAX_DEPTH = 900   # OmniDocBench's recursive tree walk fails (and scores 0) past Python's recursion limit
MAX_TABLE = 1_000_000   # characters of one table's HTML: Python's HTML parser can go quadratic on broken markup


class TableTooLarge(ValueError):
    """A table's HTML longer than MAX_TABLE characters: not parsed (docnorm scores it as empty)."""


def normalized_html_table(text: str) -> str:
    """OmniDocBench's `normalized_html_table`: the table's inner HTML, cleaned, wrapped in a bare table.

    Why: both TEDS and the table edit distance compare these strings.

    Example:
        >>> normalized_html_table('<table style="x"><thead><tr><th>A</th></tr></thead><tr><td>1</td></tr></table>')
        '<html><body><table border="1" ><tr><td>A</td></tr><tr><td>1</td></tr></table></body></html>'
    """
    if "<table" not in text.replace(" ", "").replace("'", '"'):
        return ""
    if len(text) > MAX_TABLE:
        raise TableTooLarge(f"a table of {len(text):,} characters")
    text = html_lib.unescape(_soup_cleaned(text)).replace("\n", "")
    text = _inner(unicodedata.normalize("NFKC", text).strip())
    for attribute in (' style="', ' height="', ' width="', ' align="', ' class="'):
        text = sub_lazy(text, [(attribute, '"')], lambda m, t: "", dotall=False)
    text = _SPACES.sub(" ", _TBODY.sub("", text))
    text = '<html><body><table border="1" >' + text + "</table></body></html>"
    for tag in _INLINE_TAGS:
        text = text.replace(tag, "")
    spans = [(m.start, m.end) for m in lazy_matches(text, [("<colgroup>", "</colgroup>")], dotall=False)]
    return replace_spans(text, spans, [""] * len(spans))


def _soup_cleaned(text: str) -> str:
    """OmniDocBench's BeautifulSoup pass: `th` renamed `td`, `thead` and `span` unwrapped, `math` replaced by
    `$alttext$`, the tree printed back."""
    root = parse(text)
    for th in find_all(root, "th"):
        th.name = "td"
    for thead in find_all(root, "thead"):
        unwrap(thead)
    for math in find_all(root, "math"):
        alttext = math.attrs.get("alttext", "")
        replace_with_text(math, "$%s$" % (" ".join(alttext) if isinstance(alttext, list) else alttext))
    for span in find_all(root, "span"):
        unwrap(span)
    return serialize(root)


def _inner(text: str) -> str:
    """`''.join(re.findall(r'<table\\b[^>]*>(.*)</table>', text, re.DOTALL | re.IGNORECASE))`, linearly: from
    the first table tag to the last closing tag, or nothing."""
    opener = _OPEN.search(text)
    if opener is None:
        return ""
    body = text.find(">", opener.end())
    if body < 0:
        return ""
    last = -1
    for closer in _CLOSE.finditer(text, body + 1):
        last = closer.start()
    return text[body + 1:last] if last >= 0 else ""


def td_strings(content: str) -> list[str]:
    """The `.string` of every `<td>` that has one, as OmniDocBench turns an unmatched table into text.

    Example:
        >>> td_strings("<table><tr><td>a</td><td><b>b</b></td><td>c<i>d</i></td></tr></table>")
        ['a', 'b']
    """
    if len(content) > MAX_TABLE:
        return []
    strings = (string_of(td) for td in find_all(parse(content), "td"))
    return [text for text in strings if text]


class Tree(NamedTuple):
    """A table in postorder, as TEDS compares it: each node's label and the postorder index of its leftmost
    leaf; `elements` is the count of elements under the root (TEDS's denominator)."""

    labels: list[tuple]
    leftmost: list[int]
    elements: int


def table_tree(normalized: str, structure_only: bool) -> Tree | None:
    """The `<table>` of a normalised table as TEDS's tree: `td` leaves labelled by their spans and (unless
    structure only) the tokens of their content; None where OmniDocBench's TEDS finds no table.

    Example:
        >>> tree = table_tree('<html><body><table><tr><td>ab</td></tr></table></body></html>', False)
        >>> tree.labels, tree.leftmost, tree.elements
        ([('td', 1, 1, ('a', 'b')), ('tr', None, None, None), ('table', None, None, None)], [0, 0, 0], 2)
    """
    tree = _parsed(normalized)
    if tree is None or not structure_only:
        return tree
    return tree._replace(labels=[label[:3] + ((),) if label[0] == "td" else label for label in tree.labels])


@lru_cache(maxsize=64)
def _parsed(normalized: str) -> Tree | None:
    from lxml import html as lxml_html
    parser = lxml_html.HTMLParser(remove_comments=True, encoding="utf-8")
    root = lxml_html.fromstring(normalized, parser=parser)
    tables = root.xpath("body/table")
    if not tables:
        return None
    table = tables[0]
    labels: list[tuple] = []
    leftmost: list[int] = []
    stack: list[tuple] = [(table, -1, 0)]   # (element, postorder index of its first descendant or -1, depth)
    while stack:   # postorder without recursion; a node's leftmost leaf is the first node of its subtree
        node, first, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RecursionError("table nested too deep")
        children = [] if node.tag == "td" else list(node)
        if first < 0 and children:
            stack.append((node, len(labels), depth))
            stack.extend((child, -1, depth + 1) for child in reversed(children))
            continue
        labels.append(_label(node))
        leftmost.append(first if first >= 0 else len(labels) - 1)
    return Tree(labels, leftmost, len(table.xpath(".//*")))


def _label(node) -> tuple:
    if node.tag != "td":
        return (node.tag, None, None, None)
    spans = int(node.attrib.get("colspan", "1")), int(node.attrib.get("rowspan", "1"))
    return ("td", spans[0], spans[1], tuple(_tokens(node)[1:-1]))


def _tokens(cell) -> list[str]:
    """TEDS's `tokenize`: tags as `<x>` and `</x>`, text character by character, tails after their tags."""
    tokens: list[str] = []
    stack = [(cell, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node.tag != "unk":
                tokens.append("</%s>" % node.tag)
            if node.tag != "td" and node.tail is not None:
                tokens += list(node.tail)
            continue
        tokens.append("<%s>" % node.tag)
        if node.text is not None:
            tokens += list(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node)))
    return tokens
