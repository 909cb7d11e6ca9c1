"""Markdown as a Document without geometry, on Markdown written by different writers: OmniDocBench's ground truth
(`tools/json2md.py`, checked against the annotation it came from), one model's predictions (OmniDocBench's
end2end demo), the Markdown of providers docnorm reads (tests/data/markdown) and docnorm's own export; how a
Markdown input is routed (a `.md` file, `format="markdown"`, a known writer's page separators); raw HTML kept
inert; hostile input answered in time linear in its size with a result or a NormalizeError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from exporters import to_html, to_json, to_markdown
from exporters.formats import EXPORTS, ExportSettings
from exporters.markdown import MarkdownOptions
from normalizer import NormalizeError, detect, load, normalize, normalize_all
from normalizer.api import read_file
from normalizer.tables import grid_problems

from .conftest import DATA, ROOT, SAMPLES
from .test_linear_text import growth

OMNI = DATA / "omnidocbench"
TRUTH = json.loads((OMNI / "OmniDocBench_demo.json").read_bytes())
GROUND = sorted((OMNI / "mds").glob("*.md"))
PREDICTED = sorted((OMNI / "end2end").glob("*.md"))
PROVIDERS = sorted((DATA / "markdown").glob("*.md"))
ALL = GROUND + PREDICTED + PROVIDERS


def _md(text: str, **kw):
    return normalize(text, format="markdown", **kw)


def _page_of(path) -> dict:
    return next(p for p in TRUTH if os.path.basename(p["page_info"]["image_path"])[:-4] + ".md" == path.name)


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name[:40]}")
def test_every_file_reads_as_markdown_and_goes_through_every_exporter(path):
    docs = load(path)
    assert [(d.provider, d.format, d.file_name) for d in docs] == [("markdown", "markdown", path.name)]
    doc = docs[0]
    assert doc.markdown == path.read_text(encoding="utf-8") and [p.number for p in doc.pages] == [1]
    assert (doc.pages[0].width, doc.pages[0].unit) == (None, None) and all(b.bbox is None for b in doc.blocks)
    assert all(grid_problems(b.table) == [] for b in doc.blocks if b.table is not None)
    assert normalize(to_json(doc)) == doc
    for name, target in EXPORTS.items():
        for settings in (ExportSettings(), ExportSettings(span_policy="repeat", unit="page", raw_csv=True)):
            assert isinstance(target.write(doc, settings), (str, bytes, list)), name
    for name in ("json", "docling", "elements"):
        json.loads(EXPORTS[name].write(doc, ExportSettings()))


@pytest.mark.parametrize("path", GROUND, ids=lambda p: p.name[:40])
def test_the_ground_truth_markdown_holds_the_annotation_s_tables_formulas_figures_and_titles(path):
    """OmniDocBench wrote these from its annotation (ordered blocks only): both readers must agree."""
    page = _page_of(path)
    ordered = [d for d in page["layout_dets"] if d["order"] is not None]
    doc = load(path)[0]
    kinds = Counter(b.kind for b in doc.blocks)
    wanted = Counter({"table": "table", "formula": "equation_isolated", "figure": "figure", "heading": "title"})
    for kind, category in wanted.items():
        assert kinds[kind] == sum(d["category_type"] == category for d in ordered), kind
    truth = normalize(json.dumps(page))
    assert [b.table for b in doc.blocks if b.kind == "table"] == [b.table for b in truth.blocks if b.kind == "table"]
    assert [b.latex for b in doc.blocks if b.kind == "formula"] == \
        [b.latex for b in truth.blocks if b.kind == "formula"]
    assert all(b.image.url.startswith("./imgs/") and b.image.name.endswith(".jpg") for b in doc.blocks
               if b.kind == "figure")


def test_a_model_s_predictions_read_with_their_math_tables_and_fence_wrappers():
    wrapped = [p for p in PREDICTED if p.read_text(encoding="utf-8").startswith("```markdown")]
    assert len(wrapped) == 9
    for path in wrapped:
        doc = load(path)[0]
        assert doc.warnings[0] == "$.lines[0]: the page is one ```markdown fence (as language models write); its " \
                                  "content is read as Markdown"
        assert not any(b.kind == "code" and b.language == "markdown" for b in doc.blocks)
    physics = load(OMNI / "end2end" / "docstructbench_llm-raw-scihub-o.O-j.physletb.2004.06.101.pdf_3.md")[0]
    formulas = [b for b in physics.blocks if b.kind == "formula"]
    assert len(formulas) == 22 and formulas[0].latex == r"[U(x), \Pi^U(y)] = \delta(x - y),"
    assert formulas[1].latex.endswith(r"\tag{14}") and formulas[1].text.startswith("\\[\n")
    assert r"\( (10) \)" in physics.blocks[0].text  # inline math as written, its escapes untouched
    tables = [b for p in PREDICTED for b in load(p)[0].blocks if b.kind == "table"]
    assert len(tables) == 11 and all(b.table.n_rows and b.table.n_cols for b in tables)  # HTML and pipe tables


def test_provider_markdown_keeps_its_structure():
    cloud = load(DATA / "markdown" / "llamacloud_v2_markdown_full.md")[0]
    assert [b.kind for b in cloud.blocks] == ["heading", "heading", "paragraph", "heading", "table", "formula",
                                              "list_item", "list_item", "figure", "paragraph", "link", "heading",
                                              "code"]
    assert [b.level for b in cloud.blocks if b.kind == "heading"] == [1, 2, 3, 2]
    table = cloud.blocks[4].table
    assert (table.n_rows, table.n_cols) == (5, 3) and (table.cells[0].text, table.cells[0].row_span) == ("Region", 2)
    assert cloud.blocks[5].latex == r"\text{Margin} = \frac{\text{EBIT}}{\text{Revenue}}"
    assert [(b.ordered, b.marker, b.level, b.list_start) for b in cloud.blocks[6:8]] == [(False, "-", 1, None)] * 2
    assert (cloud.blocks[8].image.url, cloud.blocks[8].image.name) == ("page_1_image_1.jpg", "page_1_image_1.jpg")
    assert cloud.blocks[10].url == "https://investors.acme.example"
    assert (cloud.blocks[12].language, cloud.blocks[12].text) == ("python", "forecast = revenue * 1.05")
    assert cloud.blocks[2].text == "Revenue grew 6.5% year over year, driven by North America."
    llama = load(DATA / "markdown" / "llamaparse_v1_puffinparse.md")[0]
    assert [b.kind for b in llama.blocks] == ["heading", "paragraph", "paragraph", "heading", "table"]
    assert (llama.blocks[4].table.n_rows, llama.blocks[4].table.cells[3].text) == (4, "Widget")
    somark = load(DATA / "markdown" / "somark_annual_report.md")[0]
    assert [b.table.n_cols for b in somark.blocks if b.kind == "table"] == [4, 3, 3]
    assert "$8.1\\%$" in somark.blocks[4].text


def test_lists_carry_depth_numbering_and_markers():
    doc = _md("3. three\n4. four\n   - inner\n     1) deep\n\n- \n- - nested first\n\n+ loose\n\n  more\n")
    rows = [(b.kind, b.text, b.level, b.ordered, b.list_start, b.marker) for b in doc.blocks]
    assert rows == [("list_item", "three", 1, True, 3, "3."), ("list_item", "four", 1, True, 3, "4."),
                    ("list_item", "inner", 2, False, None, "-"), ("list_item", "deep", 3, True, 1, "1)"),
                    ("list_item", "", 1, False, None, "-"), ("list_item", "", 1, False, None, "-"),
                    ("list_item", "nested first", 2, False, None, "-"), ("list_item", "loose", 1, False, None, "+"),
                    ("paragraph", "more", None, None, None, None)]


def test_math_code_quotes_rules_links_and_images():
    doc = _md("$$\nE = mc^2\n$$\n\n\\[ a^2 \\]\n\n```math\nx\n```\n\n```js title=x\ncode\n```\n\n    indented\n\n"
              "> quoted $a_1 * b_1*$\n\n---\n\n![alt *text*](img/p.png \"T\") ![b](data:image/png;base64,AAAA)\n\n"
              "see [here](u.md)\n\n[only](https://x.org)\n\n[r]: https://ref.org \"R\"\n")
    rows = [(b.kind, b.text, b.latex, b.language) for b in doc.blocks]
    assert rows[:5] == [("formula", "$$\nE = mc^2\n$$", "E = mc^2", None), ("formula", "\\[ a^2 \\]", "a^2", None),
                        ("formula", "x", "x", None), ("code", "code", None, "js"), ("code", "indented", None, None)]
    assert doc.blocks[3].extra == {"info": "js title=x"}
    assert (doc.blocks[5].text, doc.blocks[5].extra) == ("quoted $a_1 * b_1*$", {"quote": 1})
    assert (doc.blocks[6].kind, doc.blocks[6].text) == ("other", "")
    images = [b.image for b in doc.blocks if b.kind == "figure"]
    assert [(i.name, i.url, i.extra) for i in images] == [("p.png", "img/p.png", {"title": "T"}),
                                                          (None, "data:image/png;base64,AAAA", {})]
    assert doc.blocks[7].text == "alt text"
    see = doc.blocks[9]
    assert (see.kind, see.text, see.extra["links"]) == ("paragraph", "see here", [{"text": "here", "url": "u.md"}])
    assert (doc.blocks[10].kind, doc.blocks[10].url) == ("link", "https://x.org")
    assert doc.extra["references"] == {"R": {"href": "https://ref.org", "title": "R"}}
    assert [b.markdown for b in doc.blocks[:2]] == ["$$\nE = mc^2\n$$", "\\[ a^2 \\]"]


def test_raw_html_is_kept_verbatim_and_never_rendered():
    hostile = ("<script>alert(1)</script>\n\n<div onclick=\"x()\">Hello <b>you</b></div>\n\n"
               "text <img src=x onerror=alert(2)> after<br>next\n\n[x](javascript:alert(3))\n")
    doc = _md(hostile)
    assert [(b.kind, b.text) for b in doc.blocks] == [("other", ""), ("paragraph", "Hello you"),
                                                      ("paragraph", "text  after\nnext"),
                                                      ("paragraph", "[x](javascript:alert(3))")]
    assert doc.blocks[0].html == "<script>alert(1)</script>" and doc.blocks[1].html.startswith("<div onclick")
    for out in (to_html(doc), to_markdown(doc)):
        assert "<script>alert" not in out and "<img src=x" not in out and "<div onclick" not in out


def test_an_html_table_split_by_blank_lines_is_one_table():
    doc = _md("<table>\n<tr><td>a</td><td>b</td></tr>\n\n<tr><td>c</td><td>d</td></tr>\n</table>\n\nafter\n")
    assert [b.kind for b in doc.blocks] == ["table", "paragraph"]
    assert [c.text for c in doc.blocks[0].table.cells] == ["a", "b", "c", "d"]


# --- pages ---------------------------------------------------------------------------------------------------

MARKER_SEP = "-" * 48


def test_marker_paginated_output_gives_its_pages():
    text = f"\n\n{{0}}{MARKER_SEP}\n\n# One\n\ntext\n\n{{1}}{MARKER_SEP}\n\n{{2}}{MARKER_SEP}\n## Three\n"
    assert detect(text) == "markdown"
    doc = normalize(text)
    assert [p.number for p in doc.pages] == [1, 2, 3] and doc.extra["page_separator"] == "marker"
    assert [(b.page, b.text) for b in doc.blocks] == [(1, "One"), (1, "text"), (3, "Three")]
    again = _md(f"lead\n\n{{0}}{MARKER_SEP}\n\na\n\n{{0}}{MARKER_SEP}\n\nb\n")
    assert [p.number for p in again.pages] == [1, 2, 3] and [b.page for b in again.blocks] == [1, 2, 3]
    assert again.warnings == ["$.lines[2]: expected page numbers that increase, found page 1 after 1; numbered 2",
                              "$.lines[6]: expected page numbers that increase, found page 1 after 2; numbered 3"]


@pytest.mark.parametrize("sample", ["annual_report_v2.json", "failed_page_v2.json"])
def test_docnorm_s_own_export_with_page_breaks_reads_back_page_by_page(sample):
    source = load(SAMPLES / "llamacloud" / sample)[0]
    text = to_markdown(source, MarkdownOptions(page_breaks=True))
    doc = normalize(text)
    assert (doc.format, doc.extra["page_separator"]) == ("markdown", "docnorm")
    assert [(p.number, p.ok) for p in doc.pages] == [(p.number, p.ok) for p in source.pages]
    assert [p.error for p in doc.pages if not p.ok] == [p.error for p in source.pages if not p.ok]
    shown = {b.page for b in source.blocks if b.kind not in ("header", "footer", "page_number")}
    assert {b.page for b in doc.blocks} == shown
    assert [b.text for b in doc.blocks if b.kind == "heading"] == \
        [b.text for b in source.blocks if b.kind == "heading"]


def test_form_feeds_separate_pages_when_the_format_is_named():
    doc = _md("# a\n\fb\n\f\fc")
    assert [p.number for p in doc.pages] == [1, 2, 3, 4] and [b.page for b in doc.blocks] == [1, 2, 4]


def test_blank_markdown_is_one_empty_page(tmp_path):
    empty = tmp_path / "blank_page.md"
    empty.write_bytes(b"")
    assert detect(read_file(empty)) == "markdown"
    doc = load(empty)[0]
    assert ([p.number for p in doc.pages], doc.blocks, doc.file_name) == ([1], [], "blank_page.md")
    assert _md(" \n\n").blocks == []
    with pytest.raises(NormalizeError, match="empty input"):
        normalize(" \n")  # unnamed, blank text is still no result


def test_the_sample_reads_back_to_the_markdown_it_was_written_as():
    text = (SAMPLES / "markdown" / "annual_report_page_breaks.txt").read_text(encoding="utf-8")
    assert to_markdown(normalize(text), MarkdownOptions(page_breaks=True)) == text


# --- routing -------------------------------------------------------------------------------------------------

def test_a_markdown_file_is_routed_by_its_name_and_json_detection_is_unchanged(tmp_path):
    path = tmp_path / "notes.markdown"
    path.write_text("[a link](x.md) then text\n", encoding="utf-8")  # starts like JSON, is not
    assert detect(read_file(path)) == "markdown" and load(path)[0].blocks[0].text == "a link then text"
    assert _md("[a link](x.md) then text").blocks[0].kind == "paragraph"
    assert _md(b"# Bytes\n").blocks[0].text == "Bytes"
    with pytest.raises(NormalizeError, match="--format markdown"):
        detect("# My notes\n\nSome text.\n")  # content alone does not say Markdown
    json_file = tmp_path / "result.md"
    json_file.write_bytes((SAMPLES / "llamacloud" / "annual_report_v2.json").read_bytes())
    assert detect((SAMPLES / "llamacloud" / "annual_report_v2.json").read_bytes()) == "llamacloud.v2"
    assert load(json_file)[0].format == "markdown"  # the name says Markdown: its text is read as such
    assert normalize_all(read_file(json_file), format="llamacloud.v2")[0].format == "llamacloud.v2"
    with pytest.raises(NormalizeError, match="expected markdown input"):
        normalize({"a": 1}, format="markdown")
    pdf = tmp_path / "scan.md"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(NormalizeError, match="PDF"):
        load(pdf)


def test_the_command_line_detects_and_normalizes_a_markdown_file(tmp_path):
    path = tmp_path / "page.md"
    path.write_text("# Title\n\n- item\n", encoding="utf-8")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "viewer.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                              text=True)
    out = run("detect", path)
    assert out.returncode == 0 and out.stdout == f"{path}\tmarkdown\n"
    out = run("normalize", path)
    doc = normalize(out.stdout)
    assert out.returncode == 0 and (doc.format, doc.file_name) == ("markdown", "page.md")
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "Title"), ("list_item", "item")]
    stdin = subprocess.run([sys.executable, "-m", "viewer.cli", "normalize", "-", "--format", "markdown"], cwd=ROOT,
                           input="[x](y) z\n", capture_output=True, text=True)
    assert stdin.returncode == 0 and normalize(stdin.stdout).blocks[0].text == "x z"


# --- hostile input -------------------------------------------------------------------------------------------

HOSTILE = {
    "unclosed fence": "```python\n" + "x = 1\n" * 5000,
    "table never closed": "<table><tr><td>a\n" + "<td>b\n" * 5000,
    "100k lines": "a line of words\n" * 100_000,
    "500-deep list": "".join("  " * i + f"- item {i}\n" for i in range(500)),
    "500-deep ordered list": "".join("   " * i + "1. item\n" for i in range(500)),
    "500-deep quote": ">" * 500 + " deep\n",
    "500 quote lines": "".join(">" * i + " q\n" for i in range(500)),
    "unclosed math": "$$\n" + "x\n" * 5000,
    "NUL and controls": "a\x00b\x01\x7f\n\n\x0b# h\n",
    "lone surrogate": "text \ud800 more\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_markdown_gives_a_result_or_a_normalize_error(name):
    for strict in (False, True):
        try:
            doc = _md(HOSTILE[name], strict=strict)
        except NormalizeError as exc:
            assert exc.path.startswith("$")
            continue
        assert normalize(to_json(doc)) == doc
        to_markdown(doc), to_html(doc)


def test_nesting_past_the_bound_is_kept_as_text_with_a_repair():
    doc = _md(HOSTILE["500-deep list"])
    assert [b.level for b in doc.blocks[:64]] == list(range(1, 65))
    assert doc.blocks[-1].kind == "paragraph" and "item 499" in doc.blocks[-1].text
    assert doc.warnings == ["$.lines[63]: expected lists and quotes nested at most 64 deep, found deeper; the "
                            "deeper lines are kept as the text of one block"]
    with pytest.raises(NormalizeError, match="nested at most 64 deep"):
        _md(HOSTILE["500-deep list"], strict=True)


LINEAR = {  # each: the text most likely to make a rule search again and again, of about n characters
    "nested lists": lambda n: "".join("  " * (i % 200) + "- x\n" for i in range(n // 200)),
    "deep quotes": lambda n: (">" * 300 + " q\n") * (n // 303),
    "display math openers": lambda n: "$$ a\n" * (n // 5),
    "inline math openers": lambda n: "\\( " * (n // 3),
    "unclosed HTML tables": lambda n: "<table>\n\n" + "<tr>\n\n" * (n // 6),
    "brackets": lambda n: "[" * n,
}


@pytest.mark.parametrize("name", sorted(LINEAR))
def test_reading_costs_time_in_proportion_to_the_text(name):
    ratio = growth(lambda t: _md(t), LINEAR[name], 12_000, 96_000, rounds=2)
    assert ratio < 24, f"{name}: 8x the text took {ratio:.1f}x the time"


PIECES = ["#", " ", "\n", "\n\n", "-", "*", "1.", "2)", ">", "`", "```", "~~~", "$", "$$", "\\[", "\\]", "\\(", "\\)",
          "|", "---", "<table>", "</table>", "<tr>", "<td>", "<!--", "-->", "<!-- page 2 -->", "{0}" + MARKER_SEP, "[",
          "]", "(", ")", "!", "<", ">", "a", "word", "\t", "    ", "\f", "_", "&amp;", "<br>", "<script>", "\\", "\r"]


def test_random_markdown_pieces_give_a_result_that_round_trips_or_a_normalize_error():
    import random
    rng = random.Random(20261207)
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 80)))
        for strict in (False, True):
            try:
                doc = _md(text, strict=strict)
            except NormalizeError:
                continue
            assert normalize(to_json(doc)) == doc
            to_markdown(doc), to_html(doc)
