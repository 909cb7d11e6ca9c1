"""Diff speed: two documents of 500 and 2,000 pages (the second edited: text changes, dropped blocks, a changed
table cell on every page, shifted boxes), to show the cost stays linear in the pages, and TEDS at three table sizes.
Run: python benchmarks/diff_bench.py [--pages 500,2000]"""

from __future__ import annotations

import argparse
import os
import sys
import time

import msgspec

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402

from exporters.diff import diff  # noqa: E402
from exporters.diff.teds import cell_diff, table_diff  # noqa: E402
from normalizer import normalize  # noqa: E402
from normalizer.schema import Cell, Table  # noqa: E402


def edited(doc):
    other = msgspec.structs.replace(doc, blocks=[msgspec.structs.replace(b) for b in doc.blocks])
    blocks = []
    for k, b in enumerate(other.blocks):
        if k % 17 == 0:
            continue  # dropped
        if b.bbox:
            b.bbox = [b.bbox[0] + 2, b.bbox[1] + 1, b.bbox[2] + 2, b.bbox[3] + 1]
        if k % 5 == 0 and b.text:
            b.text = b.text.replace("e", "é", 2)
        if b.table is not None:
            cells = [msgspec.structs.replace(c) for c in b.table.cells]
            cells[-1].text = "changed"
            b.table = msgspec.structs.replace(b.table, cells=cells)
        blocks.append(b)
    other.blocks = blocks
    return other


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="500,2000", help="comma-separated document sizes (default 500,2000)")
    for pages in (int(n) for n in parser.parse_args().pages.split(",")):
        document_diff(pages)
    table_examples()
    teds_grid()


def document_diff(pages: int) -> None:
    """One size: the edited copy page by page, then with page 1 missing on one side (pairing across pages)."""
    a = normalize(generate.llamacloud_v2(pages))
    b = edited(a)
    result = diff(a, b)
    c = result.scores.counts
    ms = best(lambda: diff(a, b))
    print(f"diff of two {pages}-page documents ({len(a.blocks)} vs {len(b.blocks)} blocks): "
          f"{ms:.0f} ms ({ms / pages:.2f} ms a page); {c['same']} same, {c['changed']} changed, {c['only_a']} only in A; "
          f"content {result.scores.content:.4f}, reading order {result.scores.reading_order:.4f}, TEDS {result.scores.teds:.4f}")
    shifted = edited(a)  # page 1 missing on one side: pairing runs across the whole document
    shifted.pages = shifted.pages[1:]
    shifted.blocks = [blk for blk in shifted.blocks if blk.page != 1]
    across = diff(a, shifted)
    right = sum(p.a == p.b for p in across.pairs if p.a and p.b)  # the edited copy keeps every block's id
    ms = best(lambda: diff(a, shifted))
    print(f"  the same without page 1 on one side (pairing across the document): {ms:.0f} ms ({ms / pages:.2f} ms a page); "
          f"{right} of {len(shifted.blocks)} blocks of B paired with their own original")


def table_examples() -> None:
    """The common case: a 40x12 table with one cell edited and one row removed."""
    rows = [[f"h{c}" for c in range(12)]] + [[f"r{r}c{c}" for c in range(12)] for r in range(39)]
    edit = [row[:] for row in rows]
    edit[7][3] = "r7c3x"
    del edit[25]
    ta, tb = (Table(n_rows=len(g), n_cols=12, cells=[Cell(row=r, col=k, text=t) for r, row in enumerate(g)
                                                     for k, t in enumerate(row)]) for g in (rows, edit))
    print(f"TEDS of two 40x12 tables (one cell edited, one row removed): {best(lambda: cell_diff(ta, tb), 5):.1f} ms")


def teds_grid() -> None:
    """TEDS from the usual case to the worst: one cell edited, 10 % edited, rows shuffled, every cell different."""
    import random
    from normalizer.schema import Cell, Table
    rng = random.Random(1)

    def table(rows):
        return Table(n_rows=len(rows), n_cols=len(rows[0]),
                     cells=[Cell(row=r, col=c, text=t) for r, row in enumerate(rows) for c, t in enumerate(row)])
    print(f"\n{'TEDS':10} {'one cell edited':>18} {'10% edited':>18} {'shuffled':>18} {'all different':>18}   (ms, ~ = approximate)")
    for m, n in ((40, 12), (100, 20), (300, 30)):
        base = [[f"r{r}c{c} {rng.randint(0, 999)}" for c in range(n)] for r in range(m)]
        edited_rows = [[t + "x" if rng.random() < 0.1 else t for t in row] for row in base]
        shuffled = base[:]
        rng.shuffle(shuffled)
        different = [[f"z{r}-{c}" for c in range(n)] for r in range(m)]
        one_cell = [row[:] for row in base]
        one_cell[m // 2][n // 2] += "x"
        cells = []
        for other in (one_cell, edited_rows, shuffled, different):
            ta, tb = table(base), table(other)
            result = table_diff(ta, tb)
            cells.append(f"{best(lambda: table_diff(ta, tb), 3):8.0f} {'~' if result.approximate else ' '}{result.teds:.3f}")
        print(f"{m}x{n:<7} " + " ".join(f"{c:>18}" for c in cells))


if __name__ == "__main__":
    main()
