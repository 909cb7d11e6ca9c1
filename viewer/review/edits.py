"""The edits on a truth's blocks, one small pure function each, and `apply_edit`, the one way any edit is made.

Each function takes the canonical Document and its edit and returns a new Document (the input is never
changed: unchanged blocks are shared), with the edit that undoes it when that is a plain one (`set_text` back to
the former text). Otherwise `apply_edit` records the inverse as a `Splice` of the blocks it changed, with their
former values. Every result is checked against the canonical invariants (`normalizer.canonical.check`): an
edit that would break one is refused and nothing changes. Table edits are in `table_edits`.
"""

from __future__ import annotations

import re
from typing import Callable, NamedTuple

import msgspec

from normalizer.canonical import check
from normalizer.errors import NormalizeError
from normalizer.kinds import row as kind_row
from normalizer.schema import Block, Cell, Document, Table
from normalizer.tables import plain_text

from .edit_types import (AddBlock, DeleteBlock, Edit, EditRefused, LinkCaption, MergeBlocks, MoveBlock, SetBox,
                         SetKind, SetLevel, SetText, Splice, SplitBlock)

LEVELLED = {"heading": 6, "list_item": 64}   # kinds that have a level, and its highest value


class Done(NamedTuple):
    """What an edit function returns: the new document, the edit that undoes it (None: a splice will), and
    the edit as made (None: as given; an added block's id and place are filled in)."""
    doc: Document
    inverse: Edit | None = None
    made: Edit | None = None


Op = Callable[[Document, Edit], Done]
OPS: dict[type, Op] = {}


def op(kind: type) -> Callable[[Op], Op]:
    """Register the function that makes edits of type `kind` (the registry `apply_edit` reads)."""
    def register(fn: Op) -> Op:
        OPS[kind] = fn
        return fn
    return register


def apply_edit(doc: Document, edit: Edit) -> tuple[Document, Edit, Edit]:
    """`edit` made on `doc`: (the new document, the edit as made, the edit that undoes it). Refused with
    `EditRefused` (nothing changed) when it names a block the truth has not or would break the document.

    Example:
        >>> from normalizer.schema import Page
        >>> doc = Document(provider="t", format="docnorm", pages=[Page(number=1)],
        ...                blocks=[Block(id="a", page=1, kind="paragraph", text="Revnue")])
        >>> new, made, undo = apply_edit(doc, SetText(block="a", text="Revenue"))
        >>> new.blocks[0].text, doc.blocks[0].text, undo
        ('Revenue', 'Revnue', SetText(block='a', text='Revnue'))
    """
    done = OPS[type(edit)](doc, edit)
    back = splice_between(doc.blocks, done.doc.blocks)
    checked(done.doc, back, edit.__struct_config__.tag)
    return done.doc, done.made or edit, done.inverse or back


def checked(doc: Document, back: Splice, op_name: str) -> None:
    """The canonical invariants of the blocks an edit changed (the run `back` would put back; the others were
    checked when they were made), and block ids unique over the whole truth: a save costs the edit, not a pass
    over every table of the document."""
    changed = doc.blocks[back.at:back.at + back.remove]
    try:
        check(with_blocks(doc, changed))
    except NormalizeError as exc:
        where = re.match(r"\$\.blocks\[(\d+)\]", exc.path)
        block = changed[int(where.group(1))].id if where else None
        said = f"block {block[:80]!r}: {exc.message}" if block else str(exc)
        raise EditRefused(f"{op_name}: the truth would not be a valid document: {said}") from None
    if len({b.id for b in doc.blocks}) != len(doc.blocks):
        raise EditRefused(f"{op_name}: the truth would have two blocks of one id")


def splice_between(old: list[Block], new: list[Block]) -> Splice:
    """The splice that turns `new` back into `old`: the run between their common ends (blocks compared by
    identity: an edit shares every block it leaves alone).

    Example:
        >>> a, b, c = (Block(id=i, page=1, kind="paragraph") for i in "abc")
        >>> s = splice_between([a, b, c], [a, c]); (s.at, s.remove, [x.id for x in s.blocks])
        (1, 0, ['b'])
    """
    start = 0
    while start < len(old) and start < len(new) and old[start] is new[start]:
        start += 1
    end = 0
    while end < len(old) - start and end < len(new) - start and old[-1 - end] is new[-1 - end]:
        end += 1
    return Splice(at=start, remove=len(new) - start - end, blocks=old[start:len(old) - end])


def find(doc: Document, block_id: str) -> int:
    """The position of block `block_id` in the reading order; `EditRefused` when the truth has none.

    Example:
        >>> find(Document(provider="t", format="docnorm", blocks=[Block(id="a", page=1, kind="paragraph")]), "a")
        0
    """
    for i, block in enumerate(doc.blocks):
        if block.id == block_id:
            return i
    raise EditRefused(f"no block {block_id[:80]!r} in the truth")


def with_blocks(doc: Document, blocks: list[Block]) -> Document:
    """`doc` with other blocks (everything else shared)."""
    return msgspec.structs.replace(doc, blocks=blocks)


def replaced(doc: Document, changes: dict[int, Block]) -> Document:
    """`doc` with the blocks at the given positions replaced."""
    blocks = list(doc.blocks)
    for i, block in changes.items():
        blocks[i] = block
    return with_blocks(doc, blocks)


def new_id(doc: Document, page: int) -> str:
    """An id no block has, for a block the truth adds: `p{page}-n{k}`, the smallest k free.

    Example:
        >>> new_id(Document(provider="t", format="docnorm", blocks=[Block(id="p2-n1", page=2, kind="paragraph")]), 2)
        'p2-n2'
    """
    ids = {b.id for b in doc.blocks}
    k = 1
    while f"p{page}-n{k}" in ids:
        k += 1
    return f"p{page}-n{k}"


@op(SetText)
def set_text(doc: Document, e: SetText) -> Done:
    """A block's text (a formula's LaTeX with it); undone by its former text."""
    i = find(doc, e.block)
    b = doc.blocks[i]
    if b.table is not None:
        raise EditRefused("a table's text is its cells': edit them in the table editor")
    latex = e.text if b.latex is not None and kind_row(b.kind).text_from == "latex" else b.latex
    plain = latex == b.latex or b.latex == b.text
    return Done(replaced(doc, {i: msgspec.structs.replace(b, text=e.text, latex=latex)}),
                SetText(block=b.id, text=b.text) if plain else None)


@op(SetKind)
def set_kind(doc: Document, e: SetKind) -> Done:
    """A block's kind; a level the kind cannot have is dropped, a new table gets a grid of one cell."""
    i = find(doc, e.block)
    b = doc.blocks[i]
    level = b.level if b.level is not None and b.level <= LEVELLED.get(e.kind, 0) else None
    table = b.table if e.kind == "table" else None
    if e.kind == "table" and table is None:  # a grid of one cell holding the text, to be split in the editor
        table = Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text=b.text)])
    plain = level == b.level and table is b.table
    return Done(replaced(doc, {i: msgspec.structs.replace(b, kind=e.kind, level=level, table=table)}),
                SetKind(block=b.id, kind=b.kind) if plain else None)


@op(SetLevel)
def set_level(doc: Document, e: SetLevel) -> Done:
    """A heading's level (1..6) or a list item's depth; undone by the former level."""
    i = find(doc, e.block)
    b = doc.blocks[i]
    if b.kind not in LEVELLED:
        raise EditRefused(f"a {b.kind} has no level: only headings and list items do")
    if e.level is not None and e.level > LEVELLED[b.kind]:
        raise EditRefused(f"a {b.kind}'s level is 1..{LEVELLED[b.kind]}, not {e.level}")
    return Done(replaced(doc, {i: msgspec.structs.replace(b, level=e.level)}), SetLevel(block=b.id, level=b.level))


@op(SetBox)
def set_box(doc: Document, e: SetBox) -> Done:
    """A block's box, moved, resized or removed; undone by the former box."""
    i = find(doc, e.block)
    b = doc.blocks[i]
    return Done(replaced(doc, {i: msgspec.structs.replace(b, bbox=e.bbox)}), SetBox(block=b.id, bbox=b.bbox))


@op(AddBlock)
def add_block(doc: Document, e: AddBlock) -> Done:
    """A new block (drawn on the page) at its place in the reading order; undone by deleting it."""
    if e.page not in {p.number for p in doc.pages}:
        raise EditRefused(f"the truth has no page {e.page}")
    block_id = e.id or new_id(doc, e.page)
    if any(b.id == block_id for b in doc.blocks):
        raise EditRefused(f"the truth has a block {block_id[:80]!r} already")
    at = e.at if e.at is not None else _after_page(doc, e.page)
    if at > len(doc.blocks):
        raise EditRefused(f"a place in the reading order is 0..{len(doc.blocks)}, not {at}")
    table = Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text=e.text)]) if e.kind == "table" else None
    block = Block(id=block_id, page=e.page, kind=e.kind, text=e.text, bbox=e.bbox, table=table)
    made = msgspec.structs.replace(e, id=block_id, at=at)
    return Done(with_blocks(doc, doc.blocks[:at] + [block] + doc.blocks[at:]), DeleteBlock(block=block_id), made)


def _after_page(doc: Document, page: int) -> int:
    """The place right after the last block of `page` or of any page before it."""
    return max((i + 1 for i, b in enumerate(doc.blocks) if b.page <= page), default=0)


def _unlinked(doc: Document, gone: str, instead: str | None = None) -> dict[int, Block]:
    """Blocks that name `gone` as a caption or parent, naming `instead` (or nothing) now."""
    changes = {}
    for i, b in enumerate(doc.blocks):
        if gone in b.captions or b.parent == gone:
            captions = [instead if c == gone else c for c in b.captions if c != gone or instead]
            changes[i] = msgspec.structs.replace(b, captions=list(dict.fromkeys(captions)),
                                                 parent=instead if b.parent == gone else b.parent)
    return changes


@op(DeleteBlock)
def delete_block(doc: Document, e: DeleteBlock) -> Done:
    """A block gone, and every caption or parent link to it."""
    i = find(doc, e.block)
    linked = replaced(doc, _unlinked(doc, e.block))
    return Done(with_blocks(doc, linked.blocks[:i] + linked.blocks[i + 1:]))


@op(SplitBlock)
def split_block(doc: Document, e: SplitBlock) -> Done:
    """A block split at the caret into two that follow each other, its box cut across at the same share."""
    i = find(doc, e.block)
    b = doc.blocks[i]
    if b.table is not None or b.kind == "figure":
        raise EditRefused(f"a {b.kind} is not split at a caret" + (": split its cells" if b.table else ""))
    if not 0 < e.at < len(b.text):
        raise EditRefused(f"the caret must lie inside the text (1..{max(len(b.text) - 1, 1)}), not at {e.at}")
    block_id = e.id or new_id(doc, b.page)
    if any(x.id == block_id for x in doc.blocks):
        raise EditRefused(f"the truth has a block {block_id[:80]!r} already")
    top, bottom = _cut_box(b.bbox, e.at / len(b.text))
    first = msgspec.structs.replace(b, text=b.text[:e.at].rstrip(), bbox=top, lines=[],
                                    latex=None if b.latex is None else b.text[:e.at].rstrip())
    second = msgspec.structs.replace(b, id=block_id, text=b.text[e.at:].lstrip(), bbox=bottom, captions=[], lines=[],
                                     latex=None if b.latex is None else b.text[e.at:].lstrip(), extra={})
    made = msgspec.structs.replace(e, id=block_id)
    return Done(with_blocks(doc, doc.blocks[:i] + [first, second] + doc.blocks[i + 1:]), None, made)


def _cut_box(bbox: list[float] | None, share: float) -> tuple[list[float] | None, list[float] | None]:
    """A box cut across at `share` of its height (the text above the caret fills the top part)."""
    if not bbox:
        return bbox, None
    y = bbox[1] + (bbox[3] - bbox[1]) * share
    return [bbox[0], bbox[1], bbox[2], y], [bbox[0], y, bbox[2], bbox[3]]


@op(MergeBlocks)
def merge_blocks(doc: Document, e: MergeBlocks) -> Done:
    """A block and the next one on its page as one: texts joined, boxes united, links moved to it."""
    i = find(doc, e.block)
    if i + 1 >= len(doc.blocks) or doc.blocks[i + 1].id != e.next:
        raise EditRefused(f"{e.next[:80]!r} is not the block right after {e.block[:80]!r} in the reading order")
    a, b = doc.blocks[i], doc.blocks[i + 1]
    if a.page != b.page:
        raise EditRefused("blocks on two pages are not merged (a table across pages stays one block per page)")
    table = _stacked(a.table, b.table)
    text = plain_text(table) if table is not None else _joined(a.text, b.text)
    merged = msgspec.structs.replace(a, text=text, bbox=_union(a.bbox, b.bbox), lines=[], table=table,
                                     captions=[c for c in dict.fromkeys(a.captions + b.captions) if c not in (a.id, b.id)],
                                     parent=None if a.parent == b.id else a.parent,
                                     latex=None if a.latex is None else _joined(a.latex, b.latex or b.text))
    changes = _unlinked(doc, b.id, a.id)
    changes.pop(i + 1, None)
    linked = replaced(doc, {**changes, i: merged})
    return Done(with_blocks(doc, linked.blocks[:i + 1] + linked.blocks[i + 2:]))


def _joined(first: str, second: str) -> str:
    return f"{first} {second}" if first and second else first or second


def _union(a: list[float] | None, b: list[float] | None) -> list[float] | None:
    if not a or not b:
        return a or b
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


def _stacked(a: Table | None, b: Table | None) -> Table | None:
    """Two tables of as many columns as one (a table the provider cut in two); `EditRefused` otherwise."""
    if a is None and b is None:
        return None
    if a is None or b is None or a.n_cols != b.n_cols:
        raise EditRefused("only two tables of as many columns merge (their rows stacked)")
    moved = [msgspec.structs.replace(c, row=c.row + a.n_rows) for c in b.cells]
    return Table(n_rows=a.n_rows + b.n_rows, n_cols=a.n_cols, cells=a.cells + moved, continued=a.continued)


@op(MoveBlock)
def move_block(doc: Document, e: MoveBlock) -> Done:
    """A block at another place in the reading order; undone by moving it back."""
    i = find(doc, e.block)
    if e.to >= len(doc.blocks):
        raise EditRefused(f"a place in the reading order is 0..{len(doc.blocks) - 1}, not {e.to}")
    blocks = doc.blocks[:i] + doc.blocks[i + 1:]
    blocks.insert(e.to, doc.blocks[i])
    return Done(with_blocks(doc, blocks), MoveBlock(block=e.block, to=i))


@op(LinkCaption)
def link_caption(doc: Document, e: LinkCaption) -> Done:
    """A caption belonging to a figure or table (or to nothing): listed in that block's captions only."""
    c = find(doc, e.caption)
    if doc.blocks[c].kind != "caption":
        raise EditRefused(f"{e.caption[:80]!r} is a {doc.blocks[c].kind}: make it a caption first")
    target = find(doc, e.target) if e.target is not None else None
    if target == c:
        raise EditRefused("a caption does not caption itself")
    changes = {i: msgspec.structs.replace(b, captions=[x for x in b.captions if x != e.caption])
               for i, b in enumerate(doc.blocks) if e.caption in b.captions}
    if target is not None:
        owner = changes.get(target, doc.blocks[target])
        changes[target] = msgspec.structs.replace(owner, captions=owner.captions + [e.caption])
    return Done(replaced(doc, changes))


@op(Splice)
def splice(doc: Document, e: Splice) -> Done:
    """A run of blocks put back as they were (undo and redo of the edits that changed several)."""
    if e.at + e.remove > len(doc.blocks):
        raise EditRefused(f"a splice of {e.remove} block(s) at {e.at} runs past the truth's {len(doc.blocks)}")
    return Done(with_blocks(doc, doc.blocks[:e.at] + list(e.blocks) + doc.blocks[e.at + e.remove:]))


from . import table_edits  # noqa: E402,F401  (registers the table edits)
