"""Markdown: any parser's Markdown output (marker, MinerU, LlamaParse, OmniDocBench's ground truth, …), read as a
Document without geometry.

Read with markdown-it-py (CommonMark and GFM pipe tables) plus three rules of ours: display math (`$$…$$` and
`\\[…\\]` from the start of a line, on one line or several) is a formula block whose `latex` is what lies between
the delimiters; inline math (`$…$`, `$$…$$`, `\\(…\\)`) is kept as written in the text, never read as emphasis or
escapes; and a guard that keeps content nested deeper than `DEEPEST` (lists, quotes) as the text of one block
(markdown-it-py would drop it) with a repair.

Blocks: headings (`level`); paragraphs; list items (`level` = list depth from 1, `ordered`, `list_start` = the
ordered list's first number on each of its items, `marker` as written: `1.`, `-`); the first paragraph of an item
is its text, the item's further blocks follow it; pipe tables and HTML `<table>` blocks (those MinerU and
OmniDocBench write; one split by blank lines is joined again) as tables through `normalizer.tables`; display
math; fenced code (`language` from the info string; ```` ```math ```` is a formula) and indented code; a
paragraph of images alone as figures (`Image.name`/`url`; the alt text as the block's text), images among text as
figures after their paragraph; a paragraph that is one link as a `link` block (`url`), other links in
`extra.links`; blocks inside quotes carry `extra.quote` (the depth); a thematic break is an empty `other` block.
Raw HTML is never rendered: an HTML block is its visible text (`normalizer.tables.cell_text`) with the markup
verbatim in `Block.html`; inline tags are left out of the text (`<br>` is a line break). Every block keeps its
source lines in `Block.markdown`, the whole input is `Document.markdown`, link reference definitions are in
`Document.extra.references`. Text (`$…$` included) is otherwise as markdown-it-py reads it: entities and escapes
decoded, emphasis markers dropped.

A page that is nothing but one ```` ```markdown ```` fence (language models wrap their answer so) is read as the
Markdown inside it, with a note.

Pages: one (page 1, no size, unit null) unless the text has the page separators a known writer puts, one kind
per input, in this order: marker's paginated output (a line `{N}` + 48 dashes before page N + 1), docnorm's own
Markdown export (`<!-- page N -->` lines, `<!-- page N failed: … -->` for a failed page), form feeds. Text
before the first separator is page 1 when it is not blank; numbers that do not increase are repaired.
Warnings name the place as `$.lines[N]`, N the 0-based line of the input.
"""

from __future__ import annotations

import html as _html
from typing import Any, NamedTuple

from ..build import PageBlocks, finish
from ..errors import Repairs
from ..kit import heading_level, list_level, read_table
from ..schema import Block, Document, Image, Job, Page
from ..sniffers import DOCNORM_PAGE, MARKER_PAGE
from ..tables import cell_text, has_html_table, place, plain_text
from . import markdown_rules as rules

PROVIDER = "markdown"
FORMAT = "markdown"
DEEPEST = rules.DEEPEST


class PageText(NamedTuple):
    number: int
    text: str
    first_line: int  # the 0-based line of the input the page's text starts on
    error: str | None = None  # a failed page's error (docnorm's export)


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    """The Markdown text as one Document, its pages split as its writer marked them (see the module) and its blocks
    in reading order, so that Markdown compares, exports and evaluates like any provider's result.

    Example:
        >>> doc = convert("# Title\\n\\n1. first\\n2. second\\n", Repairs())[0]
        >>> [(b.kind, b.text, b.marker) for b in doc.blocks]
        [('heading', 'Title', None), ('list_item', 'first', '1.'), ('list_item', 'second', '2.')]
    """
    given = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else str(raw)
    text = given.replace("\r\n", "\n").replace("\r", "\n")  # markdown-it's line ends, so its line numbers are ours
    doc = Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded"), markdown=given)
    pages, separator = split_pages(text, repairs)
    if separator:
        doc.extra["page_separator"] = separator
    references: dict[str, Any] = {}
    for page in pages:
        doc.pages.append(Page(number=page.number, ok=page.error is None, error=page.error))
        env: dict[str, Any] = {}
        tokens = rules.parser().parse(page.text, env)
        if len(tokens) == 1 and tokens[0].type == "fence" and tokens[0].info.strip().lower() in _WRAPPERS:
            page, tokens = _unwrapped(page, tokens[0], env, repairs)
        _Walk(PageBlocks(page.number, doc.blocks), page, repairs).run(tokens)
        references.update({label: {k: v for k, v in ref.items() if k in ("href", "title") and v}
                           for label, ref in (env.get("references") or {}).items()})
    if references:
        doc.extra["references"] = references
    doc.job.page_count = len(doc.pages)
    return [finish(doc, repairs)]


_WRAPPERS = ("markdown", "md")


def _unwrapped(page: PageText, fence: Any, env: dict[str, Any], repairs: Repairs) -> tuple[PageText, list[Any]]:
    """A page that is one ```` ```markdown ```` fence (what language models write around their answer) is its
    content, read as Markdown (OmniDocBench's evaluation takes the fences away too)."""
    first = page.first_line + fence.map[0] + 1
    repairs.note(f"$.lines[{first - 1}]", "the page is one ```markdown fence (as language models write); its "
                                          "content is read as Markdown")
    inner = page._replace(text=fence.content, first_line=first)
    return inner, rules.parser().parse(inner.text, env)


def split_pages(text: str, repairs: Repairs) -> tuple[list[PageText], str | None]:
    """The pages of `text` and the kind of separator that made them (None: one page): each page is then parsed on
    its own, so that a block never spans two pages and its page is the writer's.

    Example:
        >>> pages, kind = split_pages("{0}" + "-" * 48 + "\\n\\na\\n\\n{1}" + "-" * 48 + "\\n\\nb\\n", Repairs())
        >>> kind, [(p.number, p.text.strip()) for p in pages]
        ('marker', [(1, 'a'), (2, 'b')])
    """
    found = list(MARKER_PAGE.finditer(text))
    kind, shift = "marker", 1
    if not found:
        found, kind, shift = list(DOCNORM_PAGE.finditer(text)), "docnorm", 0
    if not found and "\f" in text:
        return _form_feed_pages(text), "form feed"
    if not found:
        return [PageText(1, text, 0)], None
    pages: list[PageText] = []
    previous = 0
    line = text.count("\n", 0, found[0].start())
    if text[:found[0].start()].strip():
        pages.append(PageText(1, text[:found[0].start()], 0))
        previous = 1
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        number = int(m.group(1)) + shift
        if number <= previous:
            repairs(f"$.lines[{line}]", f"expected page numbers that increase, found page {number} after {previous}",
                    f"numbered {previous + 1}")
            number = previous + 1
        body, first = text[m.end() + 1:end], line + 1
        failed = kind == "docnorm" and m.group(2) is not None
        if failed:
            pages.append(PageText(number, "", line, _html.unescape(m.group(2))))
            if body.strip():  # text after a failed page's marker belongs to the pages after it
                number += 1
                pages.append(PageText(number, body, first))
        else:
            pages.append(PageText(number, body, first))
        previous = number
        line += text.count("\n", m.start(), end)
    return pages, kind


def _form_feed_pages(text: str) -> list[PageText]:
    pages, line = [], 0
    for number, body in enumerate(text.split("\f"), 1):
        pages.append(PageText(number, body, line))
        line += body.count("\n")
    return pages


class _Walk:
    """One page's token stream turned into blocks: the lists, list items and quotes open around each token."""

    def __init__(self, out: PageBlocks, page: PageText, repairs: Repairs):
        self.out = out
        self.page = page
        self.repairs = repairs
        self.lines = page.text.split("\n")
        self.lists: list[tuple[bool, int | None]] = []  # (ordered, start) of each open list
        self.items: list[list[Any]] = []  # [token, depth, ordered, start, pending] of each open list item
        self.quote = 0

    def run(self, tokens: list[Any]) -> None:
        i, n = 0, len(tokens)
        while i < n:
            t = tokens[i]
            kind = t.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.settle()
                start = t.attrGet("start")
                self.lists.append((kind == "ordered_list_open", int(start) if start is not None else 1))
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                ordered, start = self.lists[-1] if self.lists else (False, None)
                self.items.append([t, len(self.lists), ordered, start if ordered else None, True])
            elif kind == "list_item_close":
                self.settle()
                self.items.pop()
            elif kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
            elif kind in ("paragraph_open", "heading_open"):
                self.paragraph(t, tokens[i + 1]) if kind == "paragraph_open" else self.heading(t, tokens[i + 1])
                i += 2
            elif kind == "table_open":
                i = self.table(tokens, i)
            elif kind == "html_block":
                i = self.html(tokens, i)
            else:
                self.leaf(t)
            i += 1

    # --- blocks ---------------------------------------------------------------------------------------

    def add(self, kind: str, text: str, where: Any, **fields: Any) -> Block:
        """A block of this page with its source lines; in a quote, its depth."""
        first, last = where if where else (0, 0)
        block = Block(id=self.out.next_id(), page=self.page.number, kind=kind, text=text,  # type: ignore[arg-type]
                      markdown="\n".join(self.lines[first:last]) or None, **fields)
        if self.quote:
            block.extra = {**block.extra, "quote": self.quote}
        return self.out.append(block)

    def path(self, where: Any) -> str:
        return f"$.lines[{self.page.first_line + (where[0] if where else 0)}]"

    def settle(self) -> None:
        """Every list item still waiting for its text gets an empty block (an item that opens with a list, a code
        block, a table: its own marker and depth stay in the reading order)."""
        for item in self.items:
            if item[4]:  # its first line only: the item's own lines hold every item nested in it
                self.item_block(item, "", [item[0].map[0], item[0].map[0] + 1] if item[0].map else None)

    def item_block(self, item: list[Any], text: str, where: Any) -> Block:
        token, depth, ordered, start, _ = item
        item[4] = False
        marker = f"{token.info}{token.markup}" if ordered else token.markup
        return self.add("list_item", text, where, ordered=ordered, list_start=start, marker=marker or None,
                        level=list_level(depth, self.repairs, lambda: self.path(where), found=depth))

    def paragraph(self, opening: Any, inline: Any) -> None:
        text, images, links = rules.inline_text(inline)
        where = opening.map
        pending = self.items[-1] if self.items and self.items[-1][4] else None
        if pending is not None:
            block = self.item_block(pending, text, where)
        elif images and not text.strip():
            for image in images:
                self.figure(image, where)
            return
        elif len(links) == 1 and links[0]["text"] == text.strip() and text.strip():
            block = self.add("link", text, where, url=links[0]["url"])
            if "title" in links[0]:
                block.extra = {**block.extra, "title": links[0]["title"]}
            links = []
        else:
            block = self.add("paragraph", text, where)
        if links:
            block.extra = {**block.extra, "links": links}
        for image in images:
            self.figure(image, where)

    def figure(self, image: Any, where: Any) -> None:
        src = image.attrGet("src") or ""
        name = src.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None
        title = image.attrGet("title")
        alt = rules.inline_text(image)[0]
        if src.startswith("data:"):  # an image inside the text has no file name
            name = None
        self.add("figure", alt, where, image=Image(page=self.page.number, name=name, url=src or None,
                                                    extra={"title": title} if title else {}))

    def heading(self, opening: Any, inline: Any) -> None:
        self.settle()
        level = heading_level(int(opening.tag[1:]), self.repairs, self.path(opening.map))
        self.add("heading", rules.inline_text(inline)[0], opening.map, level=level)

    def leaf(self, t: Any) -> None:
        kind = t.type
        if kind not in ("fence", "code_block", "math_block", "hr", "docnorm_deep"):
            return
        self.settle()
        where = t.map
        if kind == "math_block":
            self.add("formula", "\n".join(self.lines[where[0]:where[1]]), where, latex=t.content.strip() or None)
        elif kind == "hr":
            self.add("other", "", where, extra={"thematic_break": True})
        elif kind == "docnorm_deep":
            self.repairs(self.path(where), f"expected lists and quotes nested at most {DEEPEST // 2} deep, found "
                                           "deeper", "the deeper lines are kept as the text of one block")
            self.add("paragraph", t.content.rstrip("\n"), where)
        else:
            info = t.info.strip() if kind == "fence" else ""
            word = info.split(None, 1)[0] if info else None
            content = t.content[:-1] if t.content.endswith("\n") else t.content
            if word is not None and word.lower() == "math":
                self.add("formula", content, where, latex=content.strip() or None)
            else:
                self.add("code", content, where, language=word, extra={"info": info} if info != (word or "") else {})

    def table(self, tokens: list[Any], i: int) -> int:
        """A pipe table, its cells through the canonical grid; the index of its `table_close`."""
        self.settle()
        where = tokens[i].map
        rows: list[list[Any]] = []
        header = False
        j = i + 1
        while j < len(tokens) and tokens[j].type != "table_close":
            kind = tokens[j].type
            if kind in ("thead_open", "thead_close"):
                header = kind == "thead_open"
            elif kind == "tr_open":
                rows.append([])
            elif kind == "inline" and rows:
                rows[-1].append((rules.inline_text(tokens[j])[0], 1, 1, header))
            j += 1
        table = place(rows, self.repairs, self.path(where))
        self.add("table", plain_text(table), where, table=table)
        return j

    def html(self, tokens: list[Any], i: int) -> int:
        """An HTML block: a table when it holds one (joined with the HTML blocks after it while its `</table>` is
        still to come), else its visible text. The index of the last token it took."""
        self.settle()
        t = tokens[i]
        parts, first, last = [t.content], t.map[0], t.map[1]
        if has_html_table(t.content):
            closed = "</table" in t.content.lower()
            while not closed and i + 1 < len(tokens) and tokens[i + 1].type == "html_block":
                i += 1
                parts.append(tokens[i].content)
                last = tokens[i].map[1]
                closed = "</table" in tokens[i].content.lower()
        source = "\n".join(p.rstrip("\n") for p in parts)
        where = [first, last]
        if has_html_table(source):
            read = read_table(self.repairs, html=(source, self.path(where)))
            self.add("table", read.text, where, table=read.table, html=source)
        else:
            visible = cell_text(source)
            self.add("paragraph" if visible else "other", visible, where, html=source)
        return i
