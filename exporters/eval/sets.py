"""Reading a truth or a prediction set, and pairing their pages by name.

A page is known by several names, so that the ways people save results all pair: the source's stem for a
one-page document (OmniDocBench pairs page image `X.jpg` with prediction `X.md`), `<source>_<index>` for a page
cut from a PDF (OmniDocBench's `foo.pdf_30`), and `<stem>#<page>`. The source is the file the result records
(`Document.file_name`), else the result file itself; both are tried (a truth file the viewer's review mode
saved, `X.truth.json`, answers to `X` like the results of source `X`). A truth page takes the first prediction
page that answers to one of its names.
"""

from __future__ import annotations

import os
from typing import Iterable, NamedTuple

from normalizer import normalize_all
from normalizer.errors import failure_message
from normalizer.schema import Document

from ..corpus.runner import read

READABLE = (".json", ".txt", ".md", ".markdown")  # what a folder given as truth or predictions is read for
MARKDOWN = (".md", ".markdown")
NOTES = ("readme", "provenance", "licence", "license", "changelog")  # a folder's notes about itself: not pages


class PageRef(NamedTuple):
    """One page of one document of one file, and the names it answers to (the first is its key)."""

    names: tuple[str, ...]
    doc: Document
    number: int
    file: str

    @property
    def key(self) -> str:
        return self.names[0]


class Side(NamedTuple):
    """A truth or a prediction set, read: its pages in order and the files that could not be read."""

    pages: list[PageRef]
    failures: list[tuple[str, str]]


def files_of(path: str) -> list[str]:
    """The files a truth or prediction argument names: itself, or every readable file under a folder, sorted
    (hidden files and a folder's notes about itself, README.md and the like, left out).

    Example:
        >>> files_of("tests/data/omnidocbench/mds")[0].endswith(".md")
        True
    """
    if not os.path.isdir(path):
        return [path]
    found = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [os.path.join(root, n) for n in sorted(names) if n.lower().endswith(READABLE) and n[:1] != "."
                  and not n.lower().startswith(NOTES)]
    return found


def _base(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _stem(name: str) -> str:
    head, dot, _ = name.rpartition(".")
    return head if dot and head else name


TRUTH_SUFFIX = ".truth.json"   # review mode's truth files: `X.truth.json` is the truth of source X


def _own(name: str) -> str:
    """A file's own name as a page name's source: a truth file's without its `.truth` part."""
    return name[: -len(TRUTH_SUFFIX)] + ".json" if name.endswith(TRUTH_SUFFIX) and len(name) > len(TRUTH_SUFFIX) \
        else name


def page_names(doc: Document, number: int, file: str, alone: bool = True) -> tuple[str, ...]:
    """The names page `number` of `doc` (read from `file`) answers to, its key first; the file's own name counts
    only for a file that holds this document `alone` (OmniDocBench's truth holds every page in one file).

    Example:
        >>> from normalizer.schema import Document, Page
        >>> doc = Document(provider="p", format="f", file_name="scans/foo.pdf_30.jpg", pages=[Page(number=1)])
        >>> page_names(doc, 1, "runs/a/foo.pdf_30.json")
        ('foo.pdf_30', 'foo.pdf_30.jpg_0', 'foo.pdf_30#1', 'foo.pdf_30_0')
        >>> page_names(Document(provider="p", format="f", pages=[Page(number=1)]), 1, "truth/scan7.truth.json")
        ('scan7', 'scan7_0', 'scan7#1')
    """
    recorded = _base(doc.file_name) if doc.file_name else ""
    own = _own(_base(file)) if alone or not recorded else ""
    single = len(doc.pages) <= 1
    names: list[str] = []
    # the recorded source may be a PDF (`foo.pdf_30`, its pages' names); the result file's own suffix is not part
    for source, cut in ((recorded, recorded), (own, _stem(own))):
        stem = _stem(source)
        for name in ((stem,) if single else ()) + (f"{cut}_{number - 1}", f"{stem}#{number}"):
            if source and name not in names:
                names.append(name)
    return tuple(names)


def read_side(files: Iterable[str]) -> Side:
    """Every page of every document in `files` (any format docnorm reads, Markdown included); a file that cannot
    be read is listed with why, and the others go on.

    Example:
        >>> side = read_side(["tests/data/omnidocbench/mds/jiaocaineedrop_jiaocai_needrop_en_1898.md"])
        >>> side.pages[0].key, side.failures
        ('jiaocaineedrop_jiaocai_needrop_en_1898', [])
    """
    pages: list[PageRef] = []
    failures: list[tuple[str, str]] = []
    for file in files:
        try:
            docs = normalize_all(read(file))
        except Exception as exc:  # any exception is this file's failure (normalizer.failure_message)
            failures.append((file, failure_message(exc)))
            continue
        for doc in docs:
            pages += pages_of(doc, file, len(docs) == 1)
    return Side(pages, failures)


def pages_of(doc: Document, file: str, alone: bool = True) -> list[PageRef]:
    """Every page of `doc` (read from `file`, which holds it `alone` or not) with its names: what a side holds of
    one document, for a caller that has the document already (the viewer's review mode scores its truth so).

    Example:
        >>> from normalizer.schema import Document, Page
        >>> [r.key for r in pages_of(Document(provider="p", format="f", file_name="a.pdf",
        ...                                   pages=[Page(number=1), Page(number=2)]), "runs/a.json")]
        ['a.pdf_0', 'a.pdf_1']
    """
    numbers = [p.number for p in doc.pages] or sorted({b.page for b in doc.blocks}) or [1]
    return [PageRef(page_names(doc, n, file, alone), doc, n, file) for n in numbers]


def pair(truth: list[PageRef], predicted: list[PageRef]) -> tuple[list[tuple[PageRef, PageRef | None]], list[str]]:
    """Each truth page with the prediction page that answers to one of its names (None: missing), and the keys
    of the prediction pages no truth page took.

    Example:
        >>> t = read_side(["tests/data/omnidocbench/mds/jiaocaineedrop_jiaocai_needrop_en_1898.md"]).pages
        >>> pairs, unmatched = pair(t, [])
        >>> pairs[0][1], unmatched
        (None, [])
    """
    by_name: dict[str, PageRef] = {}
    for ref in predicted:
        for name in ref.names:
            by_name.setdefault(name, ref)
    taken: set[int] = set()
    pairs = []
    for ref in truth:
        found = next((by_name[n] for n in ref.names if n in by_name and id(by_name[n]) not in taken), None)
        if found is not None:
            taken.add(id(found))
        pairs.append((ref, found))
    return pairs, [ref.key for ref in predicted if id(ref) not in taken]
