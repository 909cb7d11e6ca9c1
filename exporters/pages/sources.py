"""Finding the document a result was made from, under the same confinement as the result files.

The rules, in order (the first file found wins):
1. the file name the result records (`Document.file_name`, only its last part: a path or URL there is never
   followed), exactly, then with each source suffix in place of its own;
2. the result file's own stem with each source suffix (`report_llamacloud.json` -> `report_llamacloud.pdf`);
each looked for in the result's folder, then in every `--sources` folder (directly, then under the result's
folder path, for a sources tree that mirrors the results tree). A candidate counts only when it is a regular file
whose real location (symlinks followed) is inside the folder it was looked for in: the served folder, or that
`--sources` folder. Nothing remote is ever fetched.
"""

from __future__ import annotations

import os
import posixpath
from typing import NamedTuple

from .images import SOURCE_SUFFIXES
from normalizer.schema import Document

_VARIANTS = tuple(s for suffix in SOURCE_SUFFIXES for s in (suffix, suffix.upper()))


class Source(NamedTuple):
    path: str  # real path on disk
    name: str  # as shown: relative to the served folder, or `sources:<folder name>/<relative path>`
    rule: str  # which rule found it: "recorded file name" or "result file name"


def candidate_names(doc: Document, rel: str) -> list[tuple[str, str]]:
    """(file name, rule) to look for, in order."""
    names: list[tuple[str, str]] = []
    recorded = (doc.file_name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if recorded and recorded not in (".", "..") and "\x00" not in recorded:
        stem, suffix = os.path.splitext(recorded)
        if suffix.lower() in SOURCE_SUFFIXES:
            names.append((recorded, "recorded file name"))
        names += [(stem + s, "recorded file name") for s in _VARIANTS if stem]
    result_stem = os.path.splitext(posixpath.basename(rel))[0]
    names += [(result_stem + s, "result file name") for s in _VARIANTS if result_stem]
    seen: set[str] = set()
    return [(n, r) for n, r in names if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]


def find_source(root: str, sources: tuple[str, ...], rel: str, doc: Document) -> Source | None:
    """The source document of result `rel` (relative to the served folder `root`), or None. `root` and
    `sources` are real paths."""
    folder = posixpath.dirname(rel)
    places = [(os.path.join(root, *folder.split("/")) if folder else root, root, "")]
    for extra in sources:
        label = f"sources:{os.path.basename(extra)}/"
        places.append((extra, extra, label))
        if folder:
            places.append((os.path.join(extra, *folder.split("/")), extra, label + folder + "/"))
    for name, rule in candidate_names(doc, rel):
        for where, confine, label in places:
            path = os.path.join(where, name)
            if not os.path.isfile(path):
                continue
            real = os.path.realpath(path)
            if os.path.commonpath([real, confine]) != confine or not os.path.isfile(real):
                continue  # a link that leads out of the folder it was found in
            shown = label + name if label else (f"{folder}/{name}" if folder else name)
            return Source(real, shown, rule)
    return None
