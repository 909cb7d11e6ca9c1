"""The edits review mode makes to a truth, as the JSON a page sends and the edit log keeps: one tagged struct
per action (`{"op": "set_text", "block": "p1-b3", "text": "…"}`), every field typed and bounded, unknown fields
refused. Decoding is the first validation: a malformed edit never reaches the document.
"""

from __future__ import annotations

from typing import Annotated, Union

import msgspec
from msgspec import Meta, Struct

from normalizer.errors import DocnormError
from normalizer.schema import Block, Kind

BlockId = Annotated[str, Meta(min_length=1, max_length=200)]
Text = Annotated[str, Meta(max_length=200_000)]
Index = Annotated[int, Meta(ge=0, le=10_000_000)]
Count = Annotated[int, Meta(ge=1, le=100_000)]
PageNumber = Annotated[int, Meta(ge=1, le=10_000_000)]
Box = Annotated[list[float], Meta(min_length=4, max_length=4)]
Level = Annotated[int, Meta(ge=1, le=64)]


class EditRefused(DocnormError):
    """An edit that cannot be made (malformed, or naming what the truth has not): nothing was changed."""


class Edit(Struct, tag_field="op", forbid_unknown_fields=True, kw_only=True, frozen=True):
    """One action on a truth; `op` names it."""


class SetText(Edit, tag="set_text"):
    block: BlockId
    text: Text


class SetKind(Edit, tag="set_kind"):
    block: BlockId
    kind: Kind


class SetLevel(Edit, tag="set_level"):
    block: BlockId
    level: Level | None = None


class SetBox(Edit, tag="set_bbox"):
    block: BlockId
    bbox: Box | None = None


class AddBlock(Edit, tag="add_block"):
    page: PageNumber
    kind: Kind = "paragraph"
    text: Text = ""
    bbox: Box | None = None
    at: Index | None = None      # position in the reading order; None: after the page's last block
    id: BlockId | None = None    # None: the truth gives it one


class DeleteBlock(Edit, tag="delete_block"):
    block: BlockId


class SplitBlock(Edit, tag="split_block"):
    block: BlockId
    at: Index                    # the caret: a character offset into the block's text
    id: BlockId | None = None    # the second part's id; None: the truth gives it one


class MergeBlocks(Edit, tag="merge_blocks"):
    block: BlockId
    next: BlockId                # the block right after it in the reading order, on the same page


class MoveBlock(Edit, tag="move_block"):
    block: BlockId
    to: Index                    # its position in the reading order once moved


class LinkCaption(Edit, tag="link_caption"):
    caption: BlockId
    target: BlockId | None = None   # None: the caption belongs to nothing


class SetCell(Edit, tag="set_cell"):
    block: BlockId
    row: Index
    col: Index
    text: Text


class MergeCells(Edit, tag="merge_cells"):
    block: BlockId
    row: Index
    col: Index
    rows: Count = 1
    cols: Count = 1


class SplitCell(Edit, tag="split_cell"):
    block: BlockId
    row: Index
    col: Index


class InsertRow(Edit, tag="insert_row"):
    block: BlockId
    at: Index


class DeleteRow(Edit, tag="delete_row"):
    block: BlockId
    row: Index


class InsertCol(Edit, tag="insert_col"):
    block: BlockId
    at: Index


class DeleteCol(Edit, tag="delete_col"):
    block: BlockId
    col: Index


class Splice(Edit, tag="splice"):
    """Blocks `at` .. `at + remove` replaced by `blocks`: the inverse of an edit that changed several blocks,
    recorded with their former values. Only undo and redo apply it."""
    at: Index
    remove: Index
    blocks: list[Block] = []


ClientEdit = Union[SetText, SetKind, SetLevel, SetBox, AddBlock, DeleteBlock, SplitBlock, MergeBlocks, MoveBlock,
                   LinkCaption, SetCell, MergeCells, SplitCell, InsertRow, DeleteRow, InsertCol, DeleteCol]
AnyEdit = Union[ClientEdit, Splice]
CLIENT_OPS = tuple(t.__struct_config__.tag for t in ClientEdit.__args__)  # type: ignore[attr-defined]


def edit_from(value: object, logged: bool = False) -> Edit:
    """An edit from its JSON form (a page's request, or with `logged` an edit log entry, which may splice);
    `EditRefused` naming what is wrong otherwise.

    Example:
        >>> edit_from({"op": "set_text", "block": "p1-b0", "text": "Revenue"})
        SetText(block='p1-b0', text='Revenue')
        >>> edit_from({"op": "set_text", "block": "p1-b0"})
        Traceback (most recent call last):
        ...
        viewer.review.edit_types.EditRefused: malformed edit: Object missing required field `text`
    """
    try:
        return msgspec.convert(value, AnyEdit if logged else ClientEdit)  # type: ignore[arg-type]
    except msgspec.ValidationError as exc:
        raise EditRefused(f"malformed edit: {exc}") from None


def as_json(edit: Edit) -> dict:
    """The edit as the log keeps it (plain JSON values).

    Example:
        >>> as_json(MoveBlock(block="p1-b2", to=0))
        {'op': 'move_block', 'block': 'p1-b2', 'to': 0}
    """
    return msgspec.to_builtins(edit)
