"""Score results against a ground truth: which parser gets *these* documents right (docs/evaluation.md).

A truth (any format docnorm reads: OmniDocBench's annotations, canonical JSON, a provider's result, Markdown) and
one or more prediction sets (files or folders) are read, their pages paired by name, and each set scored under
a protocol: `docnorm` (content, segmentation, reading order, TEDS, TEDS-S and layout, per kind and per page) or
`omnidocbench` (OmniDocBench v1.5's end-to-end evaluation, reproduced: `exporters.eval.omnidocbench`). The sets
are ranked, best first.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from ..corpus.runner import Crashed, map_jobs
from .result import MEANINGS, EvalResult, Entry, Protocol

__all__ = ["evaluate_sets", "EvalResult", "Entry", "MEANINGS", "ground", "rank", "set_name"]


Files = str | list[str]  # a file or folder to read, or the very files (a caller that has confined them already)


class _Job(NamedTuple):
    truth: Files
    prediction: Files
    name: str
    protocol: Protocol
    furniture: bool
    audit: bool = False


def set_name(path: str) -> str:
    """A prediction set's label: its folder's or file's name.

    Example:
        >>> set_name("runs/mineru/"), set_name("out/x.md")
        ('mineru', 'x.md')
    """
    return os.path.basename(os.path.normpath(path)) or path


def _entry(job: _Job) -> Entry:
    from .sets import files_of, read_side
    truth, predicted = (files_of(f) if isinstance(f, str) else f for f in (job.truth, job.prediction))
    path = job.prediction if isinstance(job.prediction, str) else job.name
    if job.protocol == "omnidocbench":
        from .official import evaluate as official
        return official(truth, predicted, job.name, path)
    from .native import evaluate as native
    side = read_side(predicted)
    entry = native(read_side(truth), side, job.name, path, job.furniture)
    if job.audit:
        _ground(entry, side)
    return entry


def _ground(entry: Entry, side: Any) -> None:
    """The audit beside the scores: each predicted document with a PDF beside it audited against it; the mean
    score in `scores["grounding"]`, how many were audited in a note."""
    from ..audit.beside import grounding_beside
    docs = {(ref.file, id(ref.doc)): ref for ref in side.pages}
    found = [grounding_beside(ref.doc, ref.file) for ref in docs.values()]
    ground(entry, [g.score for g in found if g is not None and g.score is not None], len(docs))


def ground(entry: Entry, scores: list[float], documents: int, pending: int = 0) -> None:
    """Set `entry`'s grounding: the mean of its documents' audit scores, and a note saying how many of its
    `documents` were audited (and how many are still being audited, where audits run in the background).

    Example:
        >>> e = Entry(name="mineru", path="runs/mineru")
        >>> ground(e, [1.0, 0.5], 3)
        >>> e.scores["grounding"], e.notes
        (0.75, ['mineru: grounding audited on 2 of 3 document(s) against the PDF beside them'])
    """
    if scores:
        entry.scores["grounding"] = round(sum(scores) / len(scores), 4)
    if scores or pending:
        waiting = f"; {pending} still being audited (reload to see them)" if pending else ""
        entry.notes.append(f"{entry.name}: grounding audited on {len(scores)} of {documents} document(s) "
                           f"against the PDF beside them{waiting}")


def rank(entries: list[Entry]) -> list[Entry]:
    """Entries best first by their `overall` score (one without it last), each given its rank from 1.

    Example:
        >>> [e.name for e in rank([Entry(name="a", path="a", scores={"overall": 0.5}),
        ...                        Entry(name="b", path="b", scores={"overall": 0.9})])]
        ['b', 'a']
    """
    ordered = sorted(entries, key=lambda e: (e.scores.get("overall") is None, -(e.scores.get("overall") or 0.0),
                                             e.name))
    for i, entry in enumerate(ordered, 1):
        entry.rank = i
    return ordered


def evaluate_sets(truth: Files, predictions: list[Files], protocol: Protocol = "docnorm",
                  names: list[str] | None = None, workers: int = 1, furniture: bool = False,
                  audit: bool = True) -> EvalResult:
    """Every prediction set scored against `truth` and ranked; sets are scored in `workers` processes, and a set
    whose scoring fails is listed with why while the others go on.

    Args:
        truth: a truth file or folder, or the list of its files.
        predictions: prediction files or folders (a folder's `.md` files are read as Markdown pages), or for
            each set the list of its files (then give `names`).
        protocol: "docnorm" or "omnidocbench".
        names: a label per prediction set (default: its folder's or file's name).
        workers: processes.
        furniture: count page furniture (headers, footers, page numbers) under the docnorm protocol.
        audit: under the docnorm protocol, audit each prediction against the PDF beside it (`grounding`, shown
            beside the scores, not ranked by).

    Example:
        >>> r = evaluate_sets("tests/data/omnidocbench/OmniDocBench_demo.json", ["tests/data/omnidocbench/mds"])
        >>> r.entries[0].name, round(r.entries[0].scores["content"], 2) > 0.9, r.pages
        ('mds', True, 18)
    """
    labels = names or [set_name(p) if isinstance(p, str) else f"set {n}" for n, p in enumerate(predictions, 1)]
    jobs = [_Job(truth, p, label, protocol, furniture, audit) for p, label in zip(predictions, labels)]
    entries: list[Entry] = []
    failures: list[tuple[str, str]] = []
    for job, outcome in zip(jobs, map_jobs(_entry, jobs, workers)):
        if isinstance(outcome, Crashed):
            failures.append((job.prediction, outcome.message))
        else:
            entries.append(outcome)
    failures = list(dict.fromkeys(f for e in entries for f in e.truth_failures)) + failures
    pages = max((len(e.pages) for e in entries), default=0)
    notes = [note for e in entries for note in e.notes]
    return EvalResult(protocol=protocol, truth=truth if isinstance(truth, str) else "", pages=pages, entries=rank(entries), failures=failures,
                      notes=list(dict.fromkeys(notes)))


def as_json(result: EvalResult) -> Any:
    """What `--json` writes: under the omnidocbench protocol OmniDocBench's own `metric_result` (one set), or
    those by set name (several); otherwise the whole result.

    Example:
        >>> as_json(EvalResult(protocol="docnorm", truth="t", pages=0))["protocol"]
        'docnorm'
    """
    import msgspec
    if result.protocol == "omnidocbench" and result.entries:
        if len(result.entries) == 1:
            return result.entries[0].metric_result
        return {e.name: e.metric_result for e in result.entries}
    return msgspec.to_builtins(result)
