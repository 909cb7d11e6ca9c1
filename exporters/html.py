"""Canonical Document -> one standalone HTML5 page. Every provider string is escaped; provider HTML is never
echoed (tables are rebuilt from cells). One render function per block kind."""

from __future__ import annotations

import base64
from html import escape as esc
from typing import Callable

from markupsafe import Markup
import msgspec
from msgspec import Struct

from normalizer.kinds import row as kind_row
from normalizer.schema import Block, Document, Table

from .jinja_env import env as _env
from .joined import logical_blocks
from .markdown import safe_url
from .tables import table_to_html


class HtmlOptions(Struct, frozen=True, kw_only=True):
    furniture: bool = True        # page headers/footers are shown, dimmed
    join_continued: bool = True   # one table for fragments continued across pages
    heading_offset: int = 0
    remote_images: bool = False   # load images from other hosts (off: a link, so opening the page fetches nothing)
    layout_text: bool | None = None  # keep text's spacing in a monospace face (None: as Document.layout_text says)


# No script at all; the page's own inline style; images only from the page's folder or data: URLs unless remote
# images were asked for. Sent as a <meta>, so it holds wherever the file is opened.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:{remote}; base-uri 'none'; form-action 'none'"
_REMOTE = ("http://", "https://", "//")


def _attrs(b: Block, extra_class: str = "") -> str:
    cls = f' class="{extra_class}"' if extra_class else ""
    return f'data-block="{esc(b.id)}" data-kind="{b.kind}"{cls}'


def _text(text: str) -> str:
    return esc(text, quote=False).replace("\n", "<br>")


# Render functions return HTML strings built with f-strings over `esc` (Markup.format was 5x slower on a
# 1,000-page document); every provider string passes through `esc` exactly once.
Render = Callable[[Block, "Table | None", HtmlOptions], str | None]


def _heading(b: Block, t: Table | None, o: HtmlOptions) -> str:
    level = min(max((b.level or 1) + o.heading_offset, 1), 6)
    return f"<h{level} {_attrs(b)}>{_text(b.text)}</h{level}>"


def _paragraph(b: Block, t: Table | None, o: HtmlOptions) -> str:
    if o.layout_text and b.lines:
        return f'<p {_attrs(b, "layout-text")}>{_layout_lines(b)}</p>'
    return f"<p {_attrs(b)}>{_text(b.text)}</p>"


def _list_item(b: Block, t: Table | None, o: HtmlOptions, ordinal: int = 1) -> str:
    """One item as a list of its own (each block stays selectable on its own); an ordered item starts at its
    number among its siblings, so nested bullets between two items do not restart the numbering."""
    depth = min(max(b.level or 1, 1), 6)
    if b.ordered:
        start = f' start="{ordinal}"' if ordinal != 1 else ""
        return f'<ol class="depth-{depth}"{start}><li {_attrs(b)}>{_text(b.text)}</li></ol>'
    return f'<ul class="depth-{depth}"><li {_attrs(b)}>{_text(b.text)}</li></ul>'


def list_ordinals(blocks: list[Block]) -> dict[str, int]:
    """Each list item's number among its siblings: a deeper item keeps its parent's count going, a shallower
    one ends the deeper counts, anything else ends the list."""
    out: dict[str, int] = {}
    counts: list[int] = []
    for b in blocks:
        if b.kind != "list_item":
            counts = []
            continue
        depth = max(b.level or 1, 1)
        del counts[depth:]
        counts += [0] * (depth - len(counts))
        if counts[depth - 1] == 0 and b.list_start is not None:  # a numbered list that starts elsewhere than 1
            counts[depth - 1] = b.list_start - 1
        counts[depth - 1] += 1
        out[b.id] = counts[depth - 1]
    return out


def _layout_lines(b: Block) -> str:
    """A block's lines as the provider laid them out (common indent removed, as in its text), each
    low-confidence word marked with its confidence."""
    texts = [ln.text for ln in b.lines]
    indent = min((len(t) - len(t.lstrip()) for t in texts if t.strip()), default=0)
    return "\n".join(_marked(ln.text[indent:], ln.words) for ln in b.lines)


def _marked(text: str, words: list) -> str:
    parts: list[str] = []
    at = 0
    for word in words:
        found = text.find(word.text, at) if word.text else -1
        if found < 0:
            continue
        confidence = "" if word.confidence is None else f' data-confidence="{word.confidence:g}"'
        parts += [esc(text[at:found], quote=False),
                  f'<mark class="low-confidence"{confidence} title="confidence {word.confidence}">'
                  f"{esc(word.text, quote=False)}</mark>"]
        at = found + len(word.text)
    parts.append(esc(text[at:], quote=False))
    return "".join(parts)


def _code(b: Block, t: Table | None, o: HtmlOptions) -> str:
    cls = f' class="language-{esc(b.language)}"' if b.language else ""
    return f"<pre {_attrs(b)}><code{cls}>{esc(b.text, quote=False)}</code></pre>"


def _formula(b: Block, t: Table | None, o: HtmlOptions) -> str:
    latex = b.latex if b.latex is not None else b.text
    return f'<pre {_attrs(b, "formula")} title="LaTeX">{esc(latex, quote=False)}</pre>'


def _figure(b: Block, t: Table | None, o: HtmlOptions, embedded: dict[str, str] | None = None) -> str:
    """A figure: its image (embedded as a data: URL when `embedded` has its reference, as a report sent alone
    carries it), a link for a remote one, or a placeholder; its caption unless a caption block says it."""
    url = safe_url(b.image.url if b.image else None)
    caption = b.image.caption if b.image and b.image.caption else b.text
    inline = embedded.get(b.image.url) if embedded and b.image and b.image.url else None
    if inline is not None:  # a data: URL made by data_url (base64: nothing in it can end the attribute)
        img = f'<img src="{inline}" alt="{esc(caption)}">'
    elif url and url.lower().startswith(_REMOTE) and not o.remote_images:  # opening the page tells no server
        label = f"remote image, not loaded: {caption}" if caption else "remote image, not loaded"
        img = f'<a class="remote-image" href="{esc(url)}" rel="noopener noreferrer">{_text(label)}</a>'
    elif url:
        img = f'<img src="{esc(url)}" alt="{esc(caption)}">'
    else:  # no image to show: say so, so the figure is not an empty space
        img = '<span class="figure-missing">figure: image not available</span>'
    # a caption that is a block of its own (linked in `captions`) is rendered there, not twice
    cap = f"<figcaption>{_text(caption)}</figcaption>" if caption and not b.captions else ""
    return f"<figure {_attrs(b)}>{img}{cap}</figure>"


def _table(b: Block, t: Table | None, o: HtmlOptions) -> str | None:
    if t is None:
        return None  # shown as part of the table it continues
    if t.n_rows == 0:
        return _paragraph(b, t, o) if b.text else f"<div {_attrs(b)}></div>"
    return f"<table {_attrs(b)}>" + table_to_html(t)[len("<table>"):]  # table_to_html escapes every cell


def _link(b: Block, t: Table | None, o: HtmlOptions) -> str:
    target = safe_url(b.url)
    if target is None:
        return _paragraph(b, t, o)
    return f'<p {_attrs(b)}><a href="{esc(target)}" rel="noopener noreferrer">{_text(b.text)}</a></p>'


def _furniture(b: Block, t: Table | None, o: HtmlOptions) -> str | None:
    return f'<p {_attrs(b, "furniture")}>{_text(b.text)}</p>' if o.furniture else None


def _caption(b: Block, t: Table | None, o: HtmlOptions) -> str:
    return f'<p {_attrs(b, "caption")}>{_text(b.text)}</p>'


# One renderer per way of drawing (normalizer.kinds: each kind's `draws_as`).
RENDER: dict[str, Render] = {
    "heading": _heading, "paragraph": _paragraph, "list_item": _list_item, "table": _table, "figure": _figure,
    "caption": _caption, "formula": _formula, "code": _code, "furniture": _furniture, "link": _link,
}


def render_block(block: Block, table: Table | None, options: HtmlOptions = HtmlOptions(),
                 ordinal: int = 1, images: dict[str, str] | None = None) -> str | None:
    """One block's HTML (`ordinal`: a list item's number among its siblings, from `list_ordinals`; `images`: a
    figure's image reference -> the data: URL to show instead)."""
    if block.kind == "list_item":
        return _list_item(block, table, options, ordinal)
    draws_as = kind_row(block.kind).draws_as
    if draws_as == "figure" and images:
        return _figure(block, table, options, images)
    return RENDER[draws_as](block, table, options)


def data_url(png: bytes, mime: str = "image/png") -> str:
    """An image as a data: URL (base64 only: nothing in it can end the attribute it is written in)."""
    return f"data:{mime};base64," + base64.b64encode(png).decode("ascii")


def for_document(doc: Document, options: HtmlOptions) -> HtmlOptions:
    """`options` with the automatic choices made for `doc`: layout text where its lines keep the page's layout."""
    if options.layout_text is None:
        return msgspec.structs.replace(options, layout_text=doc.layout_text)
    return options


def to_html(doc: Document, options: HtmlOptions = HtmlOptions(), page_images: dict[int, bytes] | None = None,
            figure_images: dict[str, str] | None = None) -> str:
    """The document as one standalone HTML5 page: a `<section class="page">` per page, every block element with
    `data-block`/`data-kind`, provider text escaped, a CSP that allows no script.

    Args:
        doc: a canonical Document.
        options: furniture, joined tables, heading offset, whether remote images load.
        page_images: PNG bytes by page number (`exporters.pages.render.embedded_pages`), embedded as data: URLs
            beside each page's content, so the report needs nothing else to show the real page.
        figure_images: a figure's image reference -> its data: URL (`exporters.figure_files.local_images`), so a
            report sent alone shows its figures.

    Example:
        >>> doc = normalize(open("samples/llamacloud/annual_report_v2.json", "rb").read())
        >>> to_html(doc).startswith("<!DOCTYPE html>")
        True
    """
    options = for_document(doc, options)
    ordinals = list_ordinals(doc.blocks)
    pages: dict[int, dict] = {p.number: {"number": p.number, "ok": p.ok, "error": p.error, "blocks": []}
                              for p in doc.pages}
    for block, table in logical_blocks(doc.blocks, options.join_continued):
        html = render_block(block, table, options, ordinals.get(block.id, 1), figure_images)
        if html is not None:
            pages.setdefault(block.page, {"number": block.page, "ok": True, "error": None, "blocks": []})
            pages[block.page]["blocks"].append(html)
    for page in pages.values():  # one Markup a page, not one a block: the template has nothing to escape
        page["html"] = Markup("\n".join(page.pop("blocks")))  # escaped piece by piece
        page["image"] = data_url(page_images[page["number"]]) if page_images and page["number"] in page_images else None
    return _env.get_template("document.html.j2").render(
        title=doc.file_name or doc.job.id or "document", provider=doc.provider, format=doc.format,
        status=doc.job.status, job_error=doc.job.error, pages=[pages[n] for n in sorted(pages)],
        csp=CSP.format(remote=" https: http:" if options.remote_images else ""))
