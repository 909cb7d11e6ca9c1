"""A table as TEDS sees it: the tree table -> tr -> td (`Node`), and one step of an alignment of two trees."""

from __future__ import annotations

from typing import NamedTuple

from normalizer.schema import Cell, Table


class Node(NamedTuple):
    tag: str  # table, thead, tbody, tr, td
    text: str
    spans: tuple[int, int]
    children: tuple["Node", ...]
    size: int  # nodes in this subtree
    cell: Cell | None
    key: tuple  # the subtree's content (equal keys: distance 0), independent of where the cells sit


def tree(table: Table, structure: bool = False) -> Node:
    """table -> tr -> td. Header marking is left out: providers disagree on it far more than on the table
    (Baidu marks none), and a thead/tbody split would charge every row for it. With `structure`, every cell's
    text is left out too (TEDS-S: rows, cells and spans only)."""
    rows: list[list[Cell]] = [[] for _ in range(table.n_rows)]
    for cell in table.cells:
        rows[cell.row].append(cell)
    trs = tuple(_node("tr", "", (1, 1), tuple(_node("td", "" if structure else c.text, (c.row_span, c.col_span), (), c)
                                              for c in sorted(row, key=lambda c: c.col))) for row in rows)
    return _node("table", "", (1, 1), trs)


def _node(tag: str, text: str, spans: tuple[int, int], children: tuple[Node, ...], cell: Cell | None = None) -> Node:
    return Node(tag, text, spans, children, 1 + sum(c.size for c in children), cell,
                (tag, text, spans, tuple(c.key for c in children)))


class Step(NamedTuple):
    op: str  # equal | replace | insert | delete
    a: Node | None
    b: Node | None
    cost: float
