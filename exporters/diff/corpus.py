"""Two folders of results compared: documents paired by the source document they were made from (the file name
each result records, else the result file's stem), one row of scores per pair, and the report of them all.

Pure functions over Documents and diff results; reading the folders and running the pairs on every core is
the command line's (`docnorm diff DIR_A DIR_B`).
"""

from __future__ import annotations

import csv
import io
import os
from typing import Any, Iterable

import msgspec
from msgspec import Struct

from normalizer.schema import Document

from ..jinja_env import env as _env
from .result import MEANINGS, DiffResult


class Entry(Struct, kw_only=True):
    """One document of one side: the result file it came from and its index there."""

    path: str
    index: int = 0
    key: str = ""          # what it is paired by
    status: str = "unknown"
    pages: int = 0
    error: str | None = None  # the file did not normalize


class Row(Struct, kw_only=True):
    """One pair's scores (see `result.Scores` and `result.MEANINGS`)."""

    key: str
    a: str
    b: str
    content: float | None
    segmentation: float | None
    reading_order: float | None
    teds_mean: float | None
    teds_s_mean: float | None
    teds_worst: float | None
    tables: int
    blocks_a: int
    blocks_b: int
    kinds_a: dict[str, int]
    kinds_b: dict[str, int]
    pages_only_a: list[int]
    pages_only_b: list[int]
    note: str | None = None
    warning: str | None = None  # the two look like different documents
    report: str | None = None  # the pair's own report, relative to the corpus report


class SideSummary(Struct, kw_only=True):
    folder: str
    documents: int
    failures: int
    pages: int


class CorpusResult(Struct, kw_only=True):
    a: SideSummary
    b: SideSummary
    rows: list[Row]              # worst content first
    only_a: list[Entry]          # documents the other side has no result for
    only_b: list[Entry]
    failed: list[Entry]          # files that did not normalize
    meanings: dict[str, str] = {}  # what each score measures, in one sentence (result.MEANINGS)


def key_of(doc: Document | None, path: str) -> str:
    """What a result is paired by: the source document's name (without its suffix, case folded), else the
    result file's stem (also for a file that did not normalize: `doc` None)."""
    name = (doc.file_name if doc is not None else None) or os.path.basename(path)
    stem = os.path.basename(name)
    while "." in stem and len(stem.rsplit(".", 1)[1]) <= 5:  # report.pdf.json -> report
        stem = stem.rsplit(".", 1)[0]
    return stem.casefold()


def pair_entries(a: list[Entry], b: list[Entry]) -> tuple[list[tuple[Entry, Entry]], list[Entry], list[Entry]]:
    """Entries paired by key, in order of the key; a key found more often on one side pairs occurrence by
    occurrence, the rest unpaired."""
    by_key: dict[str, list[Entry]] = {}
    for entry in b:
        by_key.setdefault(entry.key, []).append(entry)
    pairs, only_a = [], []
    for entry in a:
        partners = by_key.get(entry.key)
        if partners:
            pairs.append((entry, partners.pop(0)))
        else:
            only_a.append(entry)
    only_b = [entry for entries in by_key.values() for entry in entries]
    pairs.sort(key=lambda p: p[0].key)
    return pairs, only_a, only_b


def entries_of(path: str, docs: list[Document] | None, error: str | None = None) -> list[Entry]:
    """Every document of one result file as corpus entries; a file that did not normalize (`docs` None) is one
    entry holding its error, keyed by its stem."""
    if docs is None:
        return [Entry(path=path, key=key_of(None, path), error=error)]
    return [Entry(path=path, index=i, key=key_of(doc, path), status=doc.job.status, pages=len(doc.pages))
            for i, doc in enumerate(docs)]


def row_of(a: Entry, b: Entry, doc_a: Document, doc_b: Document, result: DiffResult) -> Row:
    """The scores of one pair, for the corpus report's table: `result` is the diff of the entries' documents.

    Example:
        >>> from normalizer import load
        >>> from exporters.diff import diff
        >>> a, = load("samples/same_report/harbor_q3_llamacloud_v2.json")
        >>> b, = load("samples/same_report/harbor_q3_somark.json")
        >>> row = row_of(Entry(path="a.json"), Entry(path="b.json"), a, b, diff(a, b))
        >>> round(row.content, 3), round(row.segmentation, 3), row.reading_order, row.teds_s_mean
        (0.998, 0.923, 1.0, 1.0)
    """
    s = result.scores
    pages_a, pages_b = {p.number for p in doc_a.pages}, {p.number for p in doc_b.pages}
    return Row(key=a.key, a=a.path, b=b.path, content=s.content, segmentation=s.segmentation,
               reading_order=s.reading_order, teds_mean=s.teds, teds_s_mean=s.teds_s,
               teds_worst=min((p.teds for p in result.pairs if p.teds is not None), default=None),
               tables=s.tables_compared, blocks_a=s.counts["blocks_a"], blocks_b=s.counts["blocks_b"],
               kinds_a=s.kinds_a, kinds_b=s.kinds_b, pages_only_a=sorted(pages_a - pages_b),
               pages_only_b=sorted(pages_b - pages_a), note=s.note, warning=s.warning)


def failed_row(a: Entry, b: Entry, message: str) -> Row:
    """A pair whose comparison raised: listed with the reason, never dropped from the report.

    Example:
        >>> failed_row(Entry(path="a.json"), Entry(path="b.json"), "out of memory").note
        'could not compare: out of memory'
    """
    return Row(key=a.key, a=a.path, b=b.path, content=None, segmentation=None, reading_order=None, teds_mean=None,
               teds_s_mean=None, teds_worst=None, tables=0, blocks_a=0, blocks_b=0, kinds_a={}, kinds_b={},
               pages_only_a=[],
               pages_only_b=[], note=f"could not compare: {message}")


def summarize(folder_a: str, folder_b: str, entries_a: list[Entry], entries_b: list[Entry], rows: list[Row],
              only_a: list[Entry], only_b: list[Entry]) -> CorpusResult:
    def side(folder: str, entries: list[Entry]) -> SideSummary:
        return SideSummary(folder=folder, documents=sum(1 for e in entries if e.error is None),
                           failures=sum(1 for e in entries if e.error is not None or e.status == "failed"),
                           pages=sum(e.pages for e in entries))
    rows = sorted(rows, key=lambda r: (r.content is not None, r.content or 0.0, r.key))
    return CorpusResult(a=side(folder_a, entries_a), b=side(folder_b, entries_b), rows=rows, only_a=only_a,
                        only_b=only_b, failed=[e for e in entries_a + entries_b if e.error is not None],
                        meanings=dict(MEANINGS))


def to_corpus_json(result: CorpusResult) -> bytes:
    return msgspec.json.encode(result)


CSV_COLUMNS = ("key", "a", "b", "content", "segmentation", "reading_order", "teds_mean", "teds_s_mean", "teds_worst",
               "tables", "blocks_a", "blocks_b", "pages_only_a", "pages_only_b", "note", "warning")


def to_corpus_csv(result: CorpusResult) -> str:
    """One line per pair (CSV cells a spreadsheet would run as formulas are neutralized, as in table CSV)."""
    from ..tables import _inert
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in result.rows:
        values = [getattr(row, c) for c in CSV_COLUMNS]
        writer.writerow([_inert(" ".join(map(str, v))) if isinstance(v, list) else
                         ("" if v is None else _inert(v) if isinstance(v, str) else f"{v:.4f}" if isinstance(v, float)
                          else v) for v in values])
    return out.getvalue()


# (row field, label, its sentence in result.MEANINGS): the scores charted and summed up
SCORES = (("content", "content", "content"), ("segmentation", "segmentation", "segmentation"),
          ("reading_order", "reading order", "reading_order"), ("teds_mean", "mean table TEDS", "teds"),
          ("teds_s_mean", "mean table TEDS-S", "teds_s"))


def histogram(values: Iterable[float | None], bins: int = 10) -> dict[str, Any]:
    """Counts of scores in `bins` equal bins from 0 to 1, laid out for the report's SVG chart."""
    counts = [0] * bins
    for v in values:
        if v is not None:
            counts[min(int(v * bins), bins - 1)] += 1
    top = max(counts) or 1
    width, base, left = 420, 150, 40
    step = (width - left - 10) / bins
    bars = [{"x": left + k * step + 1, "w": step - 2, "h": 120 * c / top, "y": base - 120 * c / top, "count": c,
             "low": k / bins, "high": (k + 1) / bins} for k, c in enumerate(counts)]
    return {"width": width, "height": 190, "base": base, "left": left, "bars": bars, "top": top}


def to_corpus_html(result: CorpusResult) -> str:
    """A standalone report: both sides, a sortable table of every pair (worst first, each linking to its own
    report), the distribution of each score, and the documents only one side has."""
    charts = [(label, histogram(getattr(r, name) for r in result.rows), MEANINGS[meaning])
              for name, label, meaning in SCORES]
    return _env.get_template("corpus.html.j2").render(result=result, charts=charts)
