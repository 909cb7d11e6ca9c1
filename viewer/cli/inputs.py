"""Which files the command line's arguments name, and reading one.

Arguments are files, folders (every result file under them; `--glob` narrows which), quoted glob patterns
(`'runs/**/*.json'`), `@list.txt` (one path a line; `@-` reads the list from standard input) and `-` (a result
on standard input). Each file keeps its place in the input tree (`rel`), so outputs under `-o DIR` mirror it.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import sys
from typing import NamedTuple, Sequence

from exporters.corpus.runner import UsageError

from ..store import SUFFIXES


class Item(NamedTuple):
    path: str  # a file, or "-" for standard input
    rel: str  # its place in the input tree ('/'-separated): outputs under -o DIR go there
    named: bool  # given by name (not found in a folder, a pattern or a list): a single such file may go to stdout


def _listed(spec: str) -> list[str]:
    """The paths of an @list file: one a line, blank lines and '#' comments skipped."""
    name = spec[1:]
    try:
        text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    except (OSError, UnicodeError) as exc:
        raise UsageError(f"{spec}: cannot read the list: {getattr(exc, 'strerror', None) or exc}") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _under(folder: str, pattern: str | None) -> list[str]:
    """Every result file under `folder` (hidden ones skipped), relative to it, sorted; `pattern` (fnmatch, on the
    relative path or the name) narrows them. (Paths are joined as strings: relpath costs more than the walk.)"""
    found = []
    folder = folder.rstrip("/" + os.sep) or os.sep  # `runs/` and `runs//` walk as `runs`: no empty first part
    start = len(folder.rstrip(os.sep)) + 1
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        below = root[start:].replace(os.sep, "/")  # "" for the folder itself
        prefix = below + "/" if below else ""
        for name in sorted(names):
            if name.startswith(".") or (pattern is None and not name.endswith(SUFFIXES)):
                continue
            rel = prefix + name
            if pattern is not None and not (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(name, pattern)):
                continue
            found.append(rel)
    return found


def is_pattern(spec: str) -> bool:
    """A glob pattern (quoted, so the shell left it to us) that is not a file's own name."""
    return any(c in spec for c in "*?[") and not os.path.exists(spec.split("#")[0])


def pattern_files(spec: str) -> tuple[str, list[str]]:
    """The files a glob pattern matches (`**` crosses folders), relative to the folder they all share."""
    matches = sorted(os.path.abspath(p) for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
    if not matches:
        raise UsageError(f"{spec}: no file matches this pattern")
    base = os.path.commonpath([os.path.dirname(p) for p in matches])
    return base, [os.path.relpath(p, base).replace(os.sep, "/") for p in matches]


def corpus_files(spec: str, pattern: str | None = None) -> tuple[str, list[str]]:
    """A folder or a glob pattern: the folder its files are relative to, and the files."""
    if os.path.isdir(spec):
        return spec, _under(spec, pattern)
    return pattern_files(spec)


def expand(specs: Sequence[str], pattern: str | None = None, _depth: int = 0) -> list[Item]:
    """The files the arguments name, in order (folders and patterns sorted). A pattern that matches nothing is a
    usage error, before any work; a missing file is that file's failure."""
    items: list[Item] = []
    for spec in specs:
        if spec == "-":
            items.append(Item("-", "stdin", True))
        elif spec.startswith("@") and not os.path.exists(spec):
            if _depth > 2:
                raise UsageError(f"{spec}: lists nested more than 3 deep")
            items += [i._replace(named=False) for i in expand(_listed(spec), pattern, _depth + 1)]
        elif os.path.isdir(spec):
            base = spec.rstrip("/" + os.sep) + os.sep if spec.rstrip("/" + os.sep) else os.sep
            items += [Item(base + rel.replace("/", os.sep), rel, False) for rel in _under(spec, pattern)]
        elif is_pattern(spec):
            base, rels = pattern_files(spec)
            items += [Item(os.path.join(base, rel), rel, False) for rel in rels]
        else:  # a file; one that cannot be read fails on its own and the others go on
            items.append(Item(spec, os.path.basename(spec), True))
    return items


def outputs_under(folder: str, rel: str, suffix: str, used: set[str]) -> str:
    """Where the output of input `rel` goes under `folder` (its subfolders mirrored, made as needed): its stem with
    `suffix`; `-2`, `-3`… when two inputs would write the same file."""
    head, _, name = rel.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    target = base = f"{folder}{os.sep}{head.replace('/', os.sep)}{os.sep}{stem}" if head else f"{folder}{os.sep}{stem}"
    n = 2
    while target + suffix in used:
        target = f"{base}-{n}"
        n += 1
    used.add(target + suffix)
    folder = os.path.dirname(target + suffix) or "."
    if folder not in used:  # made once per folder, not once per file
        os.makedirs(folder, exist_ok=True)
        used.add(folder)
    return target + suffix
