"""Canonical JSON written by docnorm itself: one Document or a list of them."""

from __future__ import annotations

from typing import Any

import msgspec

from .errors import NormalizeError, Repairs, describe
from .geometry import finite_numbers
from .build import take_retrieval
from .schema import Block, Document, Table, decoder
from .tables import grid_limit, grid_problems


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    """Canonical JSON decoded and then checked against the invariants the exporters rely on (a type check
    alone would accept a 3-number box or a cell outside its grid)."""
    try:
        if isinstance(raw, (bytes, bytearray, memoryview, str)):
            text = bytes(raw) if not isinstance(raw, str) else raw
            stripped = text.lstrip()
            is_list = stripped[:1] in ("[", b"[")
            docs = decoder(list[Document]).decode(text) if is_list else [decoder(Document).decode(text)]
        else:
            is_list = isinstance(raw, list)
            docs = msgspec.convert(raw, list[Document]) if is_list else [msgspec.convert(raw, Document)]
    except msgspec.ValidationError as exc:
        raise NormalizeError(_path_of(str(exc)), f"canonical JSON does not match docnorm/1: {exc}") from None
    except msgspec.DecodeError as exc:
        raise NormalizeError("$", f"expected JSON, found malformed input ({exc})") from None
    for i, doc in enumerate(docs):
        root = f"$[{i}]" if is_list else "$"
        check(doc, root)
        doc.warnings += lift_extras(doc, root) + repairs.collected()  # what reading this input repaired (say, a lone surrogate)
    return docs


# Block fields that canonical files written before they existed kept in `extra`: (field, type, kinds it means
# something for, or None for every kind). Lifted only where the field is empty.
LIFTED: tuple[tuple[str, type, frozenset[str] | None], ...] = (
    ("ordered", bool, frozenset({"list_item"})), ("marker", str, frozenset({"list_item"})),
    ("language", str, frozenset({"code"})), ("url", str, frozenset({"link"})), ("chunk", str, None))


def lift_extras(doc: Document, root: str = "$") -> list[str]:
    """Move what older canonical files kept in `extra` into the typed fields (list ordering and markers, code
    languages, link targets, chunk ids, chunk keywords and scores), so exporters find them; one warning per key.

    Example:
        >>> doc = Document(provider="x", format="docnorm", blocks=[Block(id="b", page=1, kind="code", extra={"language": "sql"})])
        >>> lift_extras(doc), doc.blocks[0].language
        (['$.blocks[*].extra.language: kept in extra by an older docnorm (1 block); moved to the typed field'], 'sql')
    """
    moved: dict[str, int] = {}
    for b in doc.blocks:
        if b.extra:
            for name, kind, kinds in LIFTED:
                value = b.extra.get(name)
                if isinstance(value, kind) and getattr(b, name) is None and (kinds is None or b.kind in kinds):
                    setattr(b, name, b.extra.pop(name))
                    moved[f"blocks[*].extra.{name}"] = moved.get(f"blocks[*].extra.{name}", 0) + 1
    for c in doc.chunks:
        for key in take_retrieval(c.extra, c):
            moved[f"chunks[*].extra.{key}"] = moved.get(f"chunks[*].extra.{key}", 0) + 1
    return [f"{root}.{where}: kept in extra by an older docnorm ({n} {where.split('[')[0][:-1]}{'s' if n > 1 else ''});"
            " moved to the typed field" for where, n in moved.items()]


MAX_LEVEL = 64  # a list item's nesting depth, at most (headings: 1..6)


def check(doc: Document, root: str = "$") -> None:
    """Raise `NormalizeError` at the first broken invariant of the canonical document (docs/canonical-model.md):
    boxes of four finite numbers in corner order, 1-based pages, heading levels 1..6 and sane list depths, unique
    block ids, and tables whose cells lie inside their grid and cover it exactly once (a grid its cells can
    explain)."""
    pages = set()
    for i, page in enumerate(doc.pages):
        if page.number < 1:
            raise NormalizeError(f"{root}.pages[{i}].number", f"expected a 1-based page number, found {page.number}")
        pages.add(page.number)
    if doc.job.progress is not None and not 0 <= doc.job.progress <= 1:
        raise NormalizeError(f"{root}.job.progress", f"expected progress 0..1, found {doc.job.progress}")
    ids = set()
    for i, block in enumerate(doc.blocks):
        where = f"{root}.blocks[{i}]"
        if block.id in ids:
            raise NormalizeError(f"{where}.id", f"expected a unique block id, found {block.id!r} again")
        ids.add(block.id)
        if block.page < 1:
            raise NormalizeError(f"{where}.page", f"expected a 1-based page number, found {block.page}")
        _box(block.bbox, f"{where}.bbox")
        if block.level is not None:
            top = 6 if block.kind == "heading" else MAX_LEVEL
            if not 1 <= block.level <= top:
                raise NormalizeError(f"{where}.level", f"expected a level 1..{top}, found {block.level}")
        if block.table is not None:
            _table(block.table, f"{where}.table")
        if block.image is not None:
            _box(block.image.bbox, f"{where}.image.bbox")
        for k, line in enumerate(block.lines):
            _box(line.bbox, f"{where}.lines[{k}].bbox")
            for w, word in enumerate(line.words):
                _box(word.bbox, f"{where}.lines[{k}].words[{w}].bbox")
    for i, chunk in enumerate(doc.chunks):
        for k, loc in enumerate(chunk.locations):
            if loc.page < 1:
                raise NormalizeError(f"{root}.chunks[{i}].locations[{k}].page",
                                     f"expected a 1-based page number, found {loc.page}")
            _box(loc.bbox, f"{root}.chunks[{i}].locations[{k}].bbox")
    for i, image in enumerate(doc.images):
        _box(image.bbox, f"{root}.images[{i}].bbox")


def _box(bbox: list[float] | None, path: str) -> None:
    if bbox is None:
        return
    if len(bbox) != 4 or not finite_numbers(bbox):
        raise NormalizeError(path, f"expected four finite numbers [x0, y0, x1, y1], found {describe(bbox)}")
    if bbox[0] > bbox[2] or bbox[1] > bbox[3]:
        raise NormalizeError(path, f"expected corners in order (x0 <= x1, y0 <= y1), found {bbox}")


def _table(table: Table, path: str) -> None:
    if table.n_rows < 0 or table.n_cols < 0:
        raise NormalizeError(path, f"expected a grid size, found {table.n_rows} x {table.n_cols}")
    limit = grid_limit(len(table.cells))
    if max(table.n_rows, 1) * max(table.n_cols, 1) > limit:  # 10**12 rows of no column: no slots, still a loop
        raise NormalizeError(path, f"expected a grid of at most {limit} slots for {len(table.cells)} cells, "
                                   f"found {table.n_rows} x {table.n_cols}")
    for k, cell in enumerate(table.cells):
        _box(cell.bbox, f"{path}.cells[{k}].bbox")
    problems = grid_problems(table)
    if problems:
        raise NormalizeError(f"{path}.cells", "expected cells covering every grid slot exactly once, found "
                                              + "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else ""))


def _path_of(message: str) -> str:
    marker = " - at `"
    at = message.rfind(marker)
    return message[at + len(marker):-1] if at >= 0 and message.endswith("`") else "$"
