"""`--join` for `docnorm normalize` and `docnorm export`: results saved one page per file become one document each.

A first pass reads every input on the usual worker processes (one input's failure is its own, reported and written
to `--errors` as any other); the documents are grouped by their source, in the folder they were found in: the
document's `file_name`, else the input's name without its `_N_res.json` / `_N` suffix (`normalizer.join.source_key`);
each group is joined (`normalizer.join`). The command then runs on the joined documents as if each were one input
(its canonical JSON, named `FOLDER/KEY` after the group), so every output option works unchanged.
"""

from __future__ import annotations

import os
import posixpath
import sys
from typing import Any

from exporters.corpus.runner import Outcome, read, run
from normalizer import join, normalize_all
from normalizer.join import source_key
from normalizer.schema import decode, encode

from .common import counts
from .inputs import Item


def _read_job(job: tuple[str | bytes, str, int, str | None, bool]) -> Outcome:
    """One input read; its documents come back as canonical JSON, tagged with the input's position."""
    source, _name, index, fmt, strict = job
    docs = normalize_all(read(source), format=fmt, strict=strict)
    return counts(docs, records=[(index, encode(doc)) for doc in docs])


def joined_inputs(items: list[Item], sources: list[str | bytes], fmt: str | None, strict: bool, workers: int,
                  errors: str | None) -> tuple[int, list[Item], list[bytes]]:
    """Every input read and the documents joined by source: (exit status of the reading pass, one item per source,
    each source's joined canonical JSON). A source keeps the name of its first input's folder and its key.

    Example:
        >>> from viewer.cli.inputs import Item
        >>> status, groups, data = joined_inputs([], [], None, False, 1, None)
        >>> status, groups, data
        (0, [], [])
    """
    if not items:
        return 0, [], []
    jobs = [(source, item.path, k, fmt, strict) for k, (item, source) in enumerate(zip(items, sources))]
    status, summary, records = run(_read_job, jobs, workers, "read", errors)
    if len(items) > 1:
        print("docnorm: read " + summary.line().removeprefix("docnorm: "), file=sys.stderr)
    groups: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for index, data in sorted(records, key=lambda r: r[0]):
        doc = decode(data)
        item = items[index]
        folder = posixpath.dirname(item.rel)
        key = source_key(doc.file_name) if doc.file_name else source_key(item.rel)
        groups.setdefault((folder, key), []).append((index, doc))
    out_items, out_data = [], []
    for (folder, key), members in groups.items():
        named = all(items[k].named for k, _ in members)
        rel = posixpath.join(folder, key) if folder else key
        first = items[members[0][0]].path
        label = first if len(members) == 1 else os.path.join(os.path.dirname(first) if first != "-" else "", key)
        out_items.append(Item(label, rel + ".json", named))
        out_data.append(encode(join([doc for _, doc in members])))
    return status, out_items, out_data
