"""Canonical Document -> one standalone HTML5 page. Every provider string is escaped; provider HTML is never
echoed (tables are rebuilt from cells). One render function per block kind."""

from __future__ import annotations

from typing import Callable

import jinja2
from markupsafe import Markup, escape
from msgspec import Struct

from normalizer.schema import Block, Document, Table

from .joined import logical_blocks
from .markdown import safe_url
from .tables import table_to_html


class HtmlOptions(Struct, frozen=True, kw_only=True):
    furniture: bool = True        # page headers/footers are shown, dimmed
    join_continued: bool = True   # one table for fragments continued across pages
    heading_offset: int = 0


_env = jinja2.Environment(loader=jinja2.PackageLoader("exporters", "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)


def _attrs(b: Block, extra_class: str = "") -> Markup:
    cls = f' class="{extra_class}"' if extra_class else ""
    return Markup('data-block="{}" data-kind="{}"{}').format(b.id, b.kind, Markup(cls))


def _text(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in text.split("\n"))


Render = Callable[[Block, "Table | None", HtmlOptions], Markup | None]


def _heading(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    level = min(max((b.level or 1) + o.heading_offset, 1), 6)
    return Markup("<h{0} {1}>{2}</h{0}>").format(level, _attrs(b), _text(b.text))


def _paragraph(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    return Markup("<p {}>{}</p>").format(_attrs(b), _text(b.text))


def _list_item(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    tag = "ol" if b.extra.get("ordered") is True else "ul"
    depth = max(b.level or 1, 1)
    return Markup('<{0} class="depth-{1}"><li {2}>{3}</li></{0}>').format(tag, min(depth, 6), _attrs(b), _text(b.text))


def _code(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    language = b.extra.get("language")
    cls = Markup(' class="language-{}"').format(language) if isinstance(language, str) else ""
    return Markup("<pre {}><code{}>{}</code></pre>").format(_attrs(b), cls, b.text)


def _formula(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    return Markup('<pre {} title="LaTeX">{}</pre>').format(_attrs(b, "formula"),
                                                            b.latex if b.latex is not None else b.text)


def _figure(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    url = safe_url(b.image.url if b.image else None)
    caption = b.image.caption if b.image and b.image.caption else b.text
    img = Markup('<img src="{}" alt="{}">').format(url, caption) if url else Markup("")
    # a caption that is a block of its own (linked in `captions`) is rendered there, not twice
    show = caption and not b.captions
    cap = Markup("<figcaption>{}</figcaption>").format(_text(caption)) if show else Markup("")
    return Markup("<figure {}>{}{}</figure>").format(_attrs(b), img, cap)


def _table(b: Block, t: Table | None, o: HtmlOptions) -> Markup | None:
    if t is None:
        return None  # shown as part of the table it continues
    if t.n_rows == 0:
        return _paragraph(b, t, o) if b.text else Markup('<div {}></div>').format(_attrs(b))
    html = table_to_html(t)  # escapes every cell itself
    return Markup(html.replace("<table>", str(Markup("<table {}>").format(_attrs(b))), 1))


def _link(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    url = b.extra.get("url")
    target = safe_url(url) if isinstance(url, str) else None
    if target is None:
        return _paragraph(b, t, o)
    return Markup('<p {}><a href="{}" rel="noopener noreferrer">{}</a></p>').format(_attrs(b), target, _text(b.text))


def _furniture(b: Block, t: Table | None, o: HtmlOptions) -> Markup | None:
    if not o.furniture:
        return None
    return Markup("<p {}>{}</p>").format(_attrs(b, "furniture"), _text(b.text))


def _caption(b: Block, t: Table | None, o: HtmlOptions) -> Markup:
    return Markup("<p {}>{}</p>").format(_attrs(b, "caption"), _text(b.text))


RENDER: dict[str, Render] = {
    "heading": _heading, "paragraph": _paragraph, "list_item": _list_item, "table": _table, "figure": _figure,
    "caption": _caption, "formula": _formula, "code": _code, "header": _furniture, "footer": _furniture,
    "page_number": _furniture, "footnote": _paragraph, "toc": _paragraph, "seal": _paragraph,
    "barcode": _paragraph, "link": _link, "other": _paragraph,
}


def render_block(block: Block, table: Table | None, options: HtmlOptions = HtmlOptions()) -> Markup | None:
    return RENDER[block.kind](block, table, options)


def to_html(doc: Document, options: HtmlOptions = HtmlOptions()) -> str:
    pages: dict[int, dict] = {p.number: {"number": p.number, "ok": p.ok, "error": p.error, "blocks": []}
                              for p in doc.pages}
    for block, table in logical_blocks(doc.blocks, options.join_continued):
        html = render_block(block, table, options)
        if html is not None:
            pages.setdefault(block.page, {"number": block.page, "ok": True, "error": None, "blocks": []})
            pages[block.page]["blocks"].append(html)
    return _env.get_template("document.html.j2").render(
        title=doc.file_name or doc.job.id or "document", provider=doc.provider, format=doc.format,
        status=doc.job.status, job_error=doc.job.error, pages=[pages[n] for n in sorted(pages)])
