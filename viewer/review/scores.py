"""The Scores panel: every result of the truth's source in the served folder, scored against the truth as it is
now with `docnorm eval`'s own protocol (content, segmentation, reading order, TEDS, layout), ranked.

Results of the same source are the documents whose source stem (`names.source_stem`: the recorded file name's,
else the result file's) is the truth's, found in the index's summaries (cached by size and mtime). Each is a
prediction set of its own, so the ranking is exactly `docnorm eval TRUTH_DIR/X.truth.json RESULT...` run per
result. Scores are cached by the truth's etag and the results' identities: an edit scores again, a reload does not.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any, Callable, NamedTuple

from exporters.eval import rank
from exporters.eval.native import evaluate
from exporters.eval.result import DOCNORM_SCORES
from exporters.eval.sets import Side, pages_of
from normalizer.errors import failure_message
from normalizer.schema import Document

from .names import source_stem, truth_file_name

CACHED = 16          # score tables kept
MAX_RESULTS = 24     # results of one source scored at most (the panel says when there were more)


class Result(NamedTuple):
    """One result of the truth's source: its file (relative to the served folder), index and document."""
    file: str
    index: int
    doc: Document


def same_source(rows: list[dict[str, Any]], stem: str, truth_folder: str, root: str) -> list[tuple[str, int]]:
    """(file, index) of every index row whose source stem is `stem`, truth files of the truth folder left out
    (a truth folder inside the served folder is not a result of itself).

    Example:
        >>> same_source([{"file": "a/x.json", "index": 0, "name": "rep.pdf", "error": None},
        ...              {"file": "b.json", "index": 0, "name": None, "error": None}], "rep", "/t", "/r")
        [('a/x.json', 0)]
    """
    found = []
    for row in rows:
        if row.get("error") is not None or row.get("empty") or row.get("unlinked"):
            continue
        if source_stem(row.get("name"), row["file"]) != stem:
            continue
        if os.path.dirname(os.path.realpath(os.path.join(root, row["file"]))) == truth_folder:
            continue
        found.append((row["file"], row["index"]))
    return found


def score_rows(truth: Document, stem: str, results: list[Result],
               compare: Callable[[Result], str]) -> list[dict[str, Any]]:
    """Each result scored against `truth` (one prediction set each, the docnorm protocol), best first: its
    rank, file, provider, scores and the URL `compare` gives for it; a result whose scoring fails is listed last
    with why.

    Example:
        >>> from normalizer import load
        >>> doc = load("samples/same_report/harbor_q3_somark.json")[0]
        >>> rows = score_rows(doc, "harbor_q3_2025", [Result("x.json", 0, doc)], lambda r: "#")
        >>> rows[0]["scores"]["content"], rows[0]["rank"]
        (1.0, 1)
    """
    side = Side(pages_of(truth, truth_file_name(stem)), [])
    entries, failed = [], []
    by_name = {}
    for result in results:
        name = f"{result.file}#{result.index + 1}" if result.index else result.file
        by_name[name] = result
        try:
            entries.append(evaluate(side, Side(pages_of(result.doc, result.file), []), name, result.file))
        except Exception as exc:  # any exception is this result's failure: a row that says why, the others go on
            failed.append({"rank": None, "file": name, "provider": result.doc.provider, "scores": {},
                           "error": failure_message(exc), "compare": compare(result)})
    rows = []
    for entry in rank(entries):
        result = by_name[entry.name]
        rows.append({"rank": entry.rank, "file": entry.name, "provider": result.doc.provider,
                     "scores": {k: entry.scores.get(k) for k in DOCNORM_SCORES}, "missing": len(entry.missing),
                     "error": None, "compare": compare(result)})
    return rows + failed


class ScoreCache:
    """Score tables by (truth etag, the results' identities): unchanged files and truth answer at once."""

    def __init__(self) -> None:
        self._tables: OrderedDict[tuple, list[dict[str, Any]]] = OrderedDict()

    def get(self, key: tuple, make: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """The table for `key`, made by `make()` the first time."""
        hit = self._tables.get(key)
        if hit is None:
            hit = self._tables[key] = make()
            while len(self._tables) > CACHED:
                self._tables.popitem(last=False)
        self._tables.move_to_end(key)
        return hit
