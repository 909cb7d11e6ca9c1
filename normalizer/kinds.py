"""What each block kind means, one row per kind (`KindRow`), beside `schema.Kind`: how Markdown and HTML draw it,
its unstructured category and Docling label, whether it is page furniture, where its text comes from, and its
colour in the viewer and `render`. Every column has a default, so a kind with only a name still goes through every
exporter; `tests/test_house.py` checks that every kind of the schema has its row. Adding a kind: its name in
`schema.Kind`, its row here, and the provider label tables that produce it (docs/recipes.md).
"""

from __future__ import annotations

from typing import NamedTuple


class KindRow(NamedTuple):
    """One block kind's meaning to the exporters and the viewer.

    >>> row("formula").text_from, row("no such kind").draws_as
    ('latex', 'paragraph')
    """
    draws_as: str = "paragraph"  # Markdown's and HTML's rendering: heading, paragraph, list_item, table, figure,
    #                              caption, formula, code, furniture or link
    element: str = "UncategorizedText"  # unstructured's element type
    docling: str = "text"  # Docling's label: picture and table are items of their own, the rest text items
    furniture: bool = False  # page furniture: outside the section flow; left out of text, Markdown and chunks
    text_from: str = "text"  # "latex": its LaTeX stands for its text where it has one
    colour: str = "#777777"  # in the viewer and `render` (Paul Tol's colour-blind-safe schemes)
    dash: str = "1 3"  # a dash pattern where hues are close or the kind is furniture


BLOCK_KINDS: dict[str, KindRow] = {
    "heading": KindRow("heading", "Title", "section_header", colour="#CC3311", dash=""),
    "paragraph": KindRow("paragraph", "NarrativeText", "text", colour="#0077BB", dash=""),
    "list_item": KindRow("list_item", "ListItem", "list_item", colour="#009988", dash=""),
    "table": KindRow("table", "Table", "table", colour="#EE7733", dash=""),
    "figure": KindRow("figure", "Image", "picture", colour="#AA3377", dash=""),
    "caption": KindRow("caption", "FigureCaption", "caption", colour="#33BBEE", dash="2 2"),
    "formula": KindRow("formula", "Formula", "formula", text_from="latex", colour="#117733", dash=""),
    "code": KindRow("code", "CodeSnippet", "code", colour="#332288", dash=""),
    "header": KindRow("furniture", "Header", "page_header", furniture=True, colour="#999933", dash="6 3"),
    "footer": KindRow("furniture", "Footer", "page_footer", furniture=True, colour="#882255", dash="6 3"),
    "page_number": KindRow("furniture", "PageNumber", "page_footer", furniture=True, colour="#BBBBBB", dash="6 3"),
    "footnote": KindRow("paragraph", "Footnote", "footnote", colour="#DDCC77", dash="2 2"),
    "toc": KindRow("paragraph", "NarrativeText", "text", colour="#CCBB44", dash="1 3"),
    "seal": KindRow("paragraph", "Image", "picture", colour="#EE3377", dash=""),
    "barcode": KindRow("paragraph", "Image", "picture", colour="#222255", dash="1 3"),
    "link": KindRow("link", "NarrativeText", "text", colour="#EE6677", dash="4 2"),
    "other": KindRow(),
}
_DEFAULT = KindRow()
FURNITURE: set[str] = {kind for kind, r in BLOCK_KINDS.items() if r.furniture}  # kept equal to the rows' flags


def row(kind: str) -> KindRow:
    """The kind's row; a kind without one (a document built by hand) gets the defaults, never a KeyError."""
    return BLOCK_KINDS.get(kind, _DEFAULT)


def register_kind(kind: str, info: KindRow = _DEFAULT) -> KindRow:
    """Add (or replace) a block kind's row; every exporter and the viewer read it from then on.

    >>> register_kind("marginalia", KindRow(element="NarrativeText", colour="#44AA99")).element
    'NarrativeText'
    >>> forget_kind("marginalia")
    """
    BLOCK_KINDS[kind] = info
    FURNITURE.discard(kind)
    if info.furniture:
        FURNITURE.add(kind)
    return info


def forget_kind(kind: str) -> None:
    """Remove a kind added with `register_kind` (tests)."""
    BLOCK_KINDS.pop(kind, None)
    FURNITURE.discard(kind)
