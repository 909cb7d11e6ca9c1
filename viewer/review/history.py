"""A truth's own record, kept in its `Document.extra["docnorm_review"]` so that the file stays canonical JSON
every docnorm tool reads: the result it started from and the edit log. Each log entry says what changed
(`op`, the edit as made) and from which value (`undo`, the edit that puts it back); undo and redo are entries
too (`undo_of`, `redo_of`), so the log is the whole history and the undo and redo stacks are read from it.
Pure functions: each returns a new Document.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from normalizer.schema import Document, Job

from .edit_types import Edit, EditRefused, as_json, edit_from
from .edits import apply_edit

META = "docnorm_review"
PROVIDER = "ground-truth"
# What a provider's block carries that describes its own reading and goes stale once the text is corrected.
STALE = {"markdown": None, "html": None, "lines": [], "confidence": None, "chunk": None}


class Started(NamedTuple):
    """The result a truth starts from: its file (relative to the served folder), the document's index in it,
    and a digest of the file's bytes (so the truth says exactly which version it was)."""
    file: str
    index: int
    digest: str


def start(result: Document, origin: Started, now: str) -> Document:
    """A truth made from `result`: its pages and blocks (each block without what only described the
    provider's reading: its markdown and HTML fragments, lines, confidence, chunk), as a canonical document of
    provider `ground-truth` whose record names the result it started from and holds an empty edit log.

    Example:
        >>> from normalizer.schema import Block, Page
        >>> r = Document(provider="somark", format="somark", file_name="a.pdf", pages=[Page(number=1)],
        ...              blocks=[Block(id="b", page=1, kind="paragraph", text="x", html="<p>x</p>")])
        >>> t = start(r, Started("runs/a.json", 0, "abc"), "2025-01-01T00:00:00+00:00")
        >>> t.provider, t.blocks[0].html, t.extra["docnorm_review"]["started_from"]["provider"]
        ('ground-truth', None, 'somark')
    """
    record = {"started_from": {"file": origin.file, "index": origin.index, "digest": origin.digest,
                               "provider": result.provider, "format": result.format, "at": now},
              "log": []}
    return Document(provider=PROVIDER, format="docnorm", file_name=result.file_name, job=Job(status="succeeded"),
                    pages=list(result.pages), images=list(result.images), layout_text=result.layout_text,
                    blocks=[msgspec.structs.replace(b, **STALE) for b in result.blocks], extra={META: record})


def record_of(doc: Document) -> dict[str, Any]:
    """The truth's record (`started_from`, `log`); an empty one for a truth written by hand."""
    found = doc.extra.get(META)
    return found if isinstance(found, dict) else {}


def started_file(doc: Document) -> str | None:
    """The served file the truth started from (where its source document is looked for), if it says.

    Example:
        >>> started_file(Document(provider="t", format="docnorm", extra={META: {"started_from": {"file": "a.json"}}}))
        'a.json'
    """
    file = started_from(doc).get("file")
    return file if isinstance(file, str) and file else None


def started_from(doc: Document) -> dict[str, Any]:
    """The record of the result the truth started from (empty for a truth written by hand)."""
    found = record_of(doc).get("started_from")
    return found if isinstance(found, dict) else {}


def log_of(doc: Document) -> list[dict[str, Any]]:
    """The edit log, oldest first (entries that are not objects are skipped: a log edited by hand still reads).

    Example:
        >>> log_of(Document(provider="t", format="docnorm", extra={META: {"log": [{"n": 1}, "x"]}}))
        [{'n': 1}]
    """
    log = record_of(doc).get("log")
    return [e for e in log if isinstance(e, dict)] if isinstance(log, list) else []


def stacks(log: list[dict[str, Any]]) -> tuple[list[int], list[int]]:
    """(undo stack, redo stack): positions of the entries whose `undo` reverts them, last on top. An edit
    clears the redo stack; an undo moves its entry over; a redo moves it back.

    Example:
        >>> stacks([{"n": 1}, {"n": 2}, {"n": 3, "undo_of": 2}])
        ([0], [2])
    """
    done: list[int] = []
    undone: list[int] = []
    for k, entry in enumerate(log):
        if "undo_of" in entry and done:
            done.pop()
            undone.append(k)
        elif "redo_of" in entry and undone:
            undone.pop()
            done.append(k)
        else:
            done.append(k)
            undone.clear()
    return done, undone


def _append(doc: Document, made: Edit, inverse: Edit, now: str, **link: int) -> Document:
    record = dict(record_of(doc))
    log = log_of(doc)
    record["log"] = log + [{"n": len(log) + 1, "at": now, "op": as_json(made), "undo": as_json(inverse), **link}]
    return msgspec.structs.replace(doc, extra={**doc.extra, META: record})


def edit(doc: Document, change: Edit, now: str) -> Document:
    """`change` made on the truth and logged with its inverse.

    Example:
        >>> from normalizer.schema import Block, Page
        >>> from .edit_types import SetLevel
        >>> t = Document(provider="t", format="docnorm", pages=[Page(number=1)],
        ...              blocks=[Block(id="h", page=1, kind="heading", level=2, text="Intro")])
        >>> t = edit(t, SetLevel(block="h", level=1), "now")
        >>> t.blocks[0].level, log_of(t)[0]["undo"]
        (1, {'op': 'set_level', 'block': 'h', 'level': 2})
    """
    new, made, inverse = apply_edit(doc, change)
    return _append(new, made, inverse, now)


def undo(doc: Document, now: str) -> Document:
    """The last edit not undone, undone (logged as an entry of its own); `EditRefused` when there is none."""
    log = log_of(doc)
    done, _ = stacks(log)
    if not done:
        raise EditRefused("nothing to undo")
    entry = log[done[-1]]
    new, made, inverse = apply_edit(doc, _logged(entry, "undo"))
    return _append(new, made, inverse, now, undo_of=entry.get("n", done[-1] + 1))


def redo(doc: Document, now: str) -> Document:
    """The last undone edit made again (logged as an entry of its own); `EditRefused` when there is none."""
    log = log_of(doc)
    _, undone = stacks(log)
    if not undone:
        raise EditRefused("nothing to redo")
    entry = log[undone[-1]]
    new, made, inverse = apply_edit(doc, _logged(entry, "undo"))
    return _append(new, made, inverse, now, redo_of=entry.get("undo_of", undone[-1] + 1))


def _logged(entry: dict[str, Any], field: str) -> Edit:
    try:
        return edit_from(entry.get(field), logged=True)
    except EditRefused as exc:
        raise EditRefused(f"the edit log's entry {entry.get('n')} cannot be replayed: {exc}") from None


def summary(doc: Document) -> dict[str, Any]:
    """What the page shows of the history: how many steps can be undone and redone, and the last entry's
    action (`set_text p1-b3`, `undo set_text p1-b3`).

    Example:
        >>> summary(Document(provider="t", format="docnorm"))
        {'edits': 0, 'undo': 0, 'redo': 0, 'last': None}
    """
    log = log_of(doc)
    done, undone = stacks(log)
    return {"edits": len(log), "undo": len(done), "redo": len(undone), "last": describe(log[-1]) if log else None}


def describe(entry: dict[str, Any]) -> str:
    """One log entry in a few words, for the page's status line: its action and the block it touched.

    Example:
        >>> describe({"op": {"op": "set_text", "block": "p1-b3", "text": "x"}}), describe({"undo_of": 4})
        ('set_text p1-b3', 'undo edit 4')
    """
    made = entry.get("op") if isinstance(entry.get("op"), dict) else {}
    what = " ".join(str(made.get(k))[:60] for k in ("op", "block", "caption", "id") if made.get(k) is not None)
    prefix = "undo " if "undo_of" in entry else "redo " if "redo_of" in entry else ""
    if prefix:  # an undo's own op is the inverse: name the edit it undid
        return prefix + f"edit {entry.get('undo_of', entry.get('redo_of'))}"
    return what
