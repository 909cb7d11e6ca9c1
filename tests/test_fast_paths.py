"""Hot-path shortcuts agree with the general code they skip.

The converters take shortcuts for clean input (speed: benchmarks/run.py). Each shortcut may answer only
when the general code would give the same answer with nothing to repair; these properties pin that.
"""

from __future__ import annotations

import math

import msgspec
import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from normalizer import grid, normalize, tables
from normalizer.build import compact
from normalizer.geometry import checked_box, clean_box, clean_xywh
from normalizer import registry
from normalizer.detect import Probe, probe
from normalizer.errors import Repairs
from normalizer.providers.ragflow import CHUNK_EXTRA, RChunk
from normalizer.typed import present, present_getter

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3))
box_like = st.one_of(st.lists(json_scalars, min_size=0, max_size=6),
                     st.lists(st.floats(-1e4, 1e4) | st.integers(-10**4, 10**4), min_size=4, max_size=4),
                     json_scalars)


def _same_box(a, b) -> bool:
    return a == b and all(type(x) is float for x in a)


@settings(max_examples=400, deadline=None)
@given(box_like)
def test_clean_box_answers_only_what_checked_box_gives_without_a_repair(values):
    fast = clean_box(values)
    repairs = Repairs()
    slow = checked_box(values, repairs, "$.bbox")
    if fast is not None:
        assert _same_box(fast, slow) and not repairs.warnings
    elif slow is not None and not repairs.warnings:
        # the fast path declines clean boxes only when the corners come reversed (checked_box reorders them)
        assert values[0] > values[2] or values[1] > values[3]


@settings(max_examples=400, deadline=None)
@given(box_like)
def test_clean_xywh_answers_only_what_checked_box_gives_without_a_repair(values):
    fast = clean_xywh(values)
    repairs = Repairs()
    slow = checked_box(values, repairs, "$.position", xywh_order=True)
    if fast is not None:
        assert _same_box(fast, slow) and not repairs.warnings
    elif slow is not None and not repairs.warnings:
        assert values[2] < 0 or values[3] < 0  # a negative size: checked_box flips it


def test_clean_box_declines_what_is_not_four_finite_numbers():
    for bad in ([1, 2, 3], [1, 2, 3, math.inf], [1, 2, 3, math.nan], ["1", 2, 3, 4], [1, 2, 3, None], None, {}):
        assert clean_box(bad) is None and clean_xywh(bad) is None


chunk_fields = st.dictionaries(
    st.sampled_from(CHUNK_EXTRA + ("unknown_a", "unknown_b")),
    st.one_of(st.none(), st.integers(), st.text(max_size=4), st.lists(st.integers(), max_size=2)), max_size=6)


@given(chunk_fields)
def test_present_getter_equals_compact_present(fields):
    known = {k: v for k, v in fields.items() if k in CHUNK_EXTRA}
    rest = {k: v for k, v in fields.items() if k not in CHUNK_EXTRA}
    chunk = RChunk(**known, rest=rest)
    out: dict = {}
    present_getter(CHUNK_EXTRA)(chunk, out)
    assert out == compact(present(chunk, CHUNK_EXTRA))
    assert list(out) == list(compact(present(chunk, CHUNK_EXTRA)))  # same key order: goldens are byte-compared


# --- HTML table placement: the consistent-table shortcut vs the repairing placement -------------------

raw_rows = st.lists(st.lists(st.tuples(st.text("ab", max_size=2), st.integers(1, 3), st.integers(1, 3),
                                       st.booleans()), min_size=1, max_size=4), min_size=1, max_size=5)


def _html_placement(rows):
    """The HTML table algorithm on an unbounded grid: each cell at the first free slot of its row. Returns the
    cells, or None when the result is not an exact rectangle (past the last row, ragged, overlapping)."""
    taken: set[tuple[int, int]] = set()
    cells = []
    for r, row in enumerate(rows):
        col = 0
        for text, rs, cs, header in row:
            while (r, col) in taken:
                col += 1
            slots = {(r + i, col + k) for i in range(rs) for k in range(cs)}
            if slots & taken:
                return None
            taken |= slots
            cells.append((r, col, rs, cs, text, header))
            col += cs
    width = max(c for _, c in taken) + 1
    if taken != {(r, c) for r in range(len(rows)) for c in range(width)}:
        return None
    return cells


@settings(max_examples=300, deadline=None)
@given(raw_rows)
@example([[("a", 1, 1, False), ("b", 2, 1, False)], [("c", 1, 2, False)]])  # colspan into a carried cell
def test_consistent_placement_is_the_html_algorithm_when_the_table_fits(rows):
    quick = grid._place_consistent([list(r) for r in rows])
    expected = _html_placement(rows)
    if expected is None:
        assert quick is None  # anything that does not fit goes to the repairing placement
        return
    assert quick is not None and not tables.grid_problems(quick)
    assert [(c.row, c.col, c.row_span, c.col_span, c.text, c.header) for c in quick.cells] == expected


def test_plain_cells_and_marked_up_cells_get_the_same_text():
    html = ("<table><tr><td> a  b </td><td>x&amp;y</td><td>one<br>two</td><td>\tpad </td><td>plain</td></tr>"
            "</table>")
    cells = tables.from_html(html, Repairs(), "$").table.cells
    assert [c.text for c in cells] == [tables.cell_text(f) for f in (" a  b ", "x&amp;y", "one<br>two", "\tpad ",
                                                                      "plain")]


# --- detection: each level decoded once, containers told apart without decoding ----------------------

def test_probe_decodes_a_level_once_and_answers_container_checks_without_decoding():
    p = probe(orjson.dumps({"code": 0, "data": {"chunks": [{"id": "c"}], "total": 1}}))
    assert isinstance(p, Probe)
    assert p["data"] is p["data"]
    chunks = p["data"]["chunks"]
    assert chunks.is_(list) and not chunks.is_(dict)
    assert isinstance(chunks._value, msgspec.Raw)  # the list itself was not decoded to answer
    assert chunks[0]["id"].value == "c"  # and decodes when asked for its content
    assert registry.detect(p).id == "ragflow.chunks"


@pytest.mark.parametrize("raw, kind", [(b'{"a": "[x"}', str), (b'{"a": 3}', int), (b'{"a": null}', type(None)),
                                       (b'{"a": {"b": []}}', dict), (b'{"a": [{}]}', list)])
def test_probe_container_check_on_every_kind_of_value(raw, kind):
    value = probe(raw)["a"]
    assert value.is_(kind)
    assert value.is_((dict, list)) == (kind in (dict, list))


# --- converters: shortcuts for clean input give what the general path gives -----------------------------

def test_somark_blocks_out_of_idx_order_and_in_order_give_the_same_document():
    blocks = [{"idx": i, "type": t, "bbox": [10, 10 * i, 100, 10 * i + 8], "content": f"b{i}", "format": "text",
               **({"captions": [str(i + 1)]} if t == "figure" else {})}
              for i, t in enumerate(["title", "text", "figure", "figure_caption", "text"])]
    def doc(order):
        return normalize(orjson.dumps({"pages": [{"page_num": 0, "page_size": {"w": 200, "h": 100},
                                                  "blocks": [blocks[i] for i in order]}]}))
    in_order, shuffled = doc([0, 1, 2, 3, 4]), doc([3, 0, 4, 2, 1])
    assert [b.text for b in shuffled.blocks] == [b.text for b in in_order.blocks] == ["b0", "b1", "b2", "b3", "b4"]
    assert in_order.blocks[2].captions == [in_order.blocks[3].id]  # a caption idx given as a string
    assert msgspec.json.encode(shuffled) == msgspec.json.encode(in_order)


def test_clean_structs_share_one_read_only_empty_rest_and_the_walker_gives_its_own():
    from normalizer.providers.somark import SBlock
    from normalizer.typed import decode_as
    a, b = msgspec.json.decode(b'[{"idx": 1}, {"idx": 2}]', type=list[SBlock])
    assert a.rest == {} and a.rest is b.rest
    with pytest.raises(TypeError):
        a.rest["x"] = 1  # type: ignore[index]
    walked = decode_as(b'{"idx": 1, "new_key": [1]}', SBlock, Repairs())
    assert walked.rest == {"new_key": [1]} and type(walked.rest) is dict


# --- Markdown escaping: the search-first shortcut against the plain substitutions ------------------------

def _escape_reference(text: str, block: bool = True) -> str:
    from exporters import markdown as md
    text = md._INLINE_SPECIAL.sub(r"\\\1", text)
    if not block:
        return text
    return md._LINE_START.sub(md._escape_marker, md._BLOCK_INDENT.sub(r"\1", text))


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=" \t\n\r#>+=-0123456789.)*_`[]<>|~\\ab收", max_size=30), st.booleans())
@example("  # x", True)
@example("1. item\n\n    code", True)
def test_markdown_escape_shortcut_matches_the_substitutions(text, block):
    from exporters.markdown import escape
    assert escape(text, block) == _escape_reference(text, block)


markup = st.lists(st.sampled_from(["<", ">", "a", " ", "<p>", "</p>", "<b x='>'>", "<!--", "-->", "<script>",
                                   "</script>", "<sTyle", "<br/>", "&amp;", "\n", "\t", "\u00a0"]), max_size=14).map("".join)


@settings(max_examples=3000, deadline=None)
@given(markup, st.sampled_from(["", " "]))
@example("<p>text</p>", "")
@example("<a <b>c", "")
def test_strip_tags_shortcut_equals_the_walk(fragment, replacement):
    """The one-pass shortcut (every "<" closed, nothing skipped whole) gives what the walk gives. A trailing "<"
    that opens nothing forces the walk and is text, so the walk's answer is the same string plus that "<"."""
    walked = tables.strip_tags(fragment + "<", replacement)
    assert walked.endswith("<") and tables.strip_tags(fragment, replacement) == walked[:-1]


@settings(max_examples=2000, deadline=None)
@given(markup)
def test_cell_text_folds_every_space_run_and_strips_each_line(fragment):
    text = tables.cell_text(fragment)
    assert text == text.strip() and all(line == line.strip() for line in text.split("\n"))
    assert not any(run in text for run in ("  ", "\t", "\r", "\f", "\v"))
