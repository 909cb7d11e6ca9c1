"""The converter kit: the steps every provider takes after decoding its raw structs.

A provider maps its words through tables (`status_of`, `kind_of`), reads a table from whatever
representation it has (`read_table`), clamps heading levels (`heading_level`) and list depths (`list_level`),
and builds `extra` with the helpers of `typed` (`present`, `present_getter`, `rest_of`, `as_json`) and
`build.compact`. Each step reports what it could not map the same way for every provider.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple

from . import tables
from .canonical import MAX_LEVEL
from .errors import Repairs
from .schema import Table

Fold = Callable[[str], str]


def status_of(word: str | None, table: Mapping[str, str], repairs: Repairs, path: str, *,
              fold: Fold = str.lower, patterns: tuple[tuple[str, str], ...] = (), default: str = "unknown",
              unknown: str = "unknown", what: str = "status") -> str:
    """A provider's status word as a `Job.status`: looked up (after `fold`) in `table`, then by the first
    `(substring, status)` pattern it contains; `default` when there is no word, `unknown` (with a note) when
    the word is not known."""
    if word is None:
        return default
    key = fold(word.strip())
    found = table.get(key)
    if found is None:
        found = next((status for pattern, status in patterns if pattern in key), None)
    if found is None:
        repairs.note(path, f"unknown {what} {word!r}; mapped to {unknown}")
        return unknown
    return found


def kind_of(word: str | None, table: Mapping[str, str], repairs: Repairs, path: str | Callable[[], str], *,
            what: str = "block type", fallback: str = "other") -> str:
    """A provider's label as a `Block.kind`: exact, then case-folded; `fallback` with a note naming it when
    the label is unknown. Called once per block: `path` may be a function, spelled out only for the note."""
    word = word or ""
    kind = table.get(word)
    if kind is None:
        kind = table.get(word.lower())
    if kind is None:
        repairs.note(path() if callable(path) else path, f"unknown {what} {word!r}; kept as kind {fallback!r}")
        return fallback
    return kind


def heading_level(level: int | None, repairs: Repairs, path: str, found: Any = None) -> int:
    """A heading level in 1..6 (1 when the provider gives none); out of range is clamped, with a repair that
    shows `found` (the provider's own spelling, when it is not the number itself)."""
    if level is not None and not 1 <= level <= 6:
        repairs(path, f"expected a heading level 1..6, found {found if found is not None else level!r}", "clamped")
        level = min(max(level, 1), 6)
    return level or 1


def list_level(level: int, repairs: Repairs, path: str | Callable[[], str], found: Any = None) -> int:
    """A list item's level in 1..MAX_LEVEL (the canonical bound): below 1 is the top level, deeper than the bound
    is clamped with a repair that shows `found` (the provider's own depth, when it is not the level itself)."""
    if level > MAX_LEVEL:
        repairs(path() if callable(path) else path,
                f"expected a list depth of at most {MAX_LEVEL}, found {found if found is not None else level!r}",
                f"used {MAX_LEVEL}")
        return MAX_LEVEL
    return max(level, 1)


class TableRead(NamedTuple):
    table: Table
    text: str                 # the table's plain text (rows on lines, cells tab-separated)
    caption: str | None       # an HTML <caption>, when the source had one
    source: str | None        # which representation was read: "html", "markdown", "rows", or None


Given = tuple[str | None, str]  # a representation and its JSON path


def read_table(repairs: Repairs, *, html: Given | None = None, markdown: Given | None = None,
               rows: tuple[list[list[Any]] | None, str] | None = None) -> TableRead:
    """The table from the richest representation present: HTML (carries spans), then markdown holding an
    HTML table or a pipe table, then dense rows; an empty table when there is none."""
    for source, given in (("html", html), ("markdown", markdown)):
        if given is not None and tables.has_html_table(given[0]):
            parsed = tables.from_html(given[0], repairs, given[1])
            return TableRead(parsed.table, tables.plain_text(parsed.table), parsed.caption, source)
    if markdown is not None and markdown[0] and "|" in markdown[0]:
        parsed = tables.from_markdown(markdown[0], repairs, markdown[1])
        return TableRead(parsed.table, tables.plain_text(parsed.table), None, "markdown")
    if rows is not None and rows[0]:
        table = tables.from_rows(rows[0], repairs=repairs, path=rows[1])
        return TableRead(table, tables.plain_text(table), None, "rows")
    return TableRead(Table(n_rows=0, n_cols=0), "", None, None)
