"""The grounding audit: a born-digital report of N pages (a heading, six paragraphs and a 4 x 4 table with cell
boxes a page) audited against its PDF, at two sizes, min and median of several rounds, wall and CPU time.

    python benchmarks/audit_bench.py [--sizes 20 100] [--rounds 5] [--workers 2]

- cold: a fresh copy of the PDF (a new file: hashed, opened and read from nothing), an empty cache and new page
  workers (their start, PDFium's import included, is in the time);
- warm: the same audit again on the same pool (every page's words from the disk cache);
- faulty: the result with its boxes flipped in y, cold: the frame is found by trying the candidates, and every
  page is judged twice (as given and repaired).

CPU time is this process's plus the page workers' (counted once they have ended, so every round closes its pool).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "samples"))

from msgspec.structs import replace  # noqa: E402

from exporters.audit import audit  # noqa: E402
from exporters.pages.images import PageImages  # noqa: E402
from make_sources import block_items, pdf_bytes  # noqa: E402
from normalizer.schema import Block, Cell, Document, Page, Table  # noqa: E402

WORDS = ("harbor container throughput quarter dwell terminal crane volume customs schedule report growth east "
         "north south berth vessel cargo tonnes rail yard gate shift season demand freight").split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def report(pages: int, seed: int = 7) -> Document:
    """A result of `pages` Letter pages: boxes in points, tables with a box per cell."""
    rng = random.Random(seed)
    blocks = []
    for n in range(1, pages + 1):
        blocks.append(Block(id=f"p{n}-b0", page=n, kind="heading", text=f"Section {n} {_sentence(rng, 3)}",
                            bbox=[72, 60, 540, 84]))
        for k in range(6):
            top = 100 + 70 * k
            blocks.append(Block(id=f"p{n}-b{k + 1}", page=n, kind="paragraph", text=_sentence(rng, 40),
                                bbox=[72, top, 540, top + 60]))
        cells = [Cell(row=r, col=c, text=f"{rng.randint(100, 999)}" if r and c else rng.choice(WORDS),
                      bbox=[72 + 117 * c, 530 + 40 * r, 72 + 117 * (c + 1), 530 + 40 * (r + 1)])
                 for r in range(4) for c in range(4)]
        table = Table(n_rows=4, n_cols=4, cells=cells)
        blocks.append(Block(id=f"p{n}-b7", page=n, kind="table", text="\n".join(c.text for c in cells),
                            bbox=[72, 530, 540, 690], table=table))
    return Document(provider="bench", format="docnorm", file_name="report.pdf", blocks=blocks,
                    pages=[Page(number=n, width=612, height=792, unit="pt") for n in range(1, pages + 1)])


def flipped(doc: Document) -> Document:
    """The same result with every box mirrored in y."""
    def flip(box):
        return None if box is None else [box[0], 792 - box[3], box[2], 792 - box[1]]
    return replace(doc, blocks=[replace(b, bbox=flip(b.bbox), table=b.table and replace(
        b.table, cells=[replace(c, bbox=flip(c.bbox)) for c in b.table.cells])) for b in doc.blocks])


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _round(doc: Document, pdf: bytes, folder: str, workers: int, n: int, warm: bool) -> tuple[float, float, object]:
    path = os.path.join(folder, f"report-{n}.pdf")
    with open(path, "wb") as fh:
        fh.write(pdf)
    pool = PageImages(workers=workers, cache_dir=os.path.join(folder, f"cache-{n}"))
    try:
        if warm:
            audit(doc, path, pool)
        wall, cpu = time.perf_counter(), _cpu()
        result = audit(doc, path, pool)
        wall = time.perf_counter() - wall
        if not warm:
            pool.close()  # the workers' CPU time is counted once they have ended
        return wall, _cpu() - cpu, result
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"{'pages':>5}  {'case':<7} {'wall min':>9} {'wall med':>9} {'cpu min':>8} {'cpu med':>8}  result")
    for size in args.sizes:
        doc = report(size)
        pdf = pdf_bytes([(612.0, 792.0, block_items(doc)[n]) for n in range(1, size + 1)])
        for case, given, warm in (("cold", doc, False), ("warm", doc, True), ("faulty", flipped(doc), False)):
            walls, cpus = [], []
            with tempfile.TemporaryDirectory() as folder:
                for n in range(args.rounds):
                    wall, cpu, result = _round(given, pdf, folder, args.workers, n, warm)
                    walls.append(wall)
                    cpus.append(cpu)
            said = f"score {result.score} frame {result.frame} after {result.score_after}"  # type: ignore[attr-defined]
            print(f"{size:>5}  {case:<7} {min(walls):>8.3f}s {statistics.median(walls):>8.3f}s "
                  f"{min(cpus):>7.3f}s {statistics.median(cpus):>7.3f}s  {said}")


if __name__ == "__main__":
    main()
