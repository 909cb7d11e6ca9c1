"""Each block kind's colour and dash, shared by the viewer's boxes and `render_page`'s drawings: read from the kinds
table (`normalizer.kinds`), so a kind registered there is drawn in its own colour everywhere."""

from __future__ import annotations

from normalizer.kinds import BLOCK_KINDS, row


def kind_style(kind: str) -> tuple[str, str]:
    """(colour, dash pattern) of a kind; a kind without a row is drawn as `other`.

    >>> kind_style("heading")
    ('#CC3311', '')
    """
    info = row(kind)
    return info.colour, info.dash


def kind_styles() -> list[tuple[str, tuple[str, str]]]:
    """Every kind of the table with its (colour, dash), in the table's order (the viewer's legend and CSS)."""
    return [(kind, (info.colour, info.dash)) for kind, info in BLOCK_KINDS.items()]
