"""`--to omnidocbench-md`: one Markdown file per page, named and written for OmniDocBench's end-to-end evaluation
(its `utils/extract.py` reads tables, display formulas, code and text out of each page's Markdown with patterns;
the ones it keys on are copied below), on real provider results and OmniDocBench's own demo names."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

import msgspec
import pytest

from exporters.formats import EXPORTS, ExportSettings, OptionError, options_for
from exporters.named_files import MAX_NAME_BYTES, safe_file_name
from exporters.omnidocbench_md import to_omnidocbench_md
from normalizer import normalize
from normalizer.schema import Block, Cell, Document, Page, Table, encode

from .conftest import DATA, SAMPLES

MINERU = SAMPLES / "mineru" / "overtopping_content_list.json"  # a table with spans, a formula, furniture, code
REPORT = SAMPLES / "llamacloud" / "annual_report_v2.json"  # nordwind_annual_report_2025.pdf, 3 pages
DEMO = DATA / "omnidocbench" / "end2end"  # OmniDocBench's demo predictions: the names it pairs with page images

# OmniDocBench's patterns (utils/extract.py): display math, the start of an HTML table, fenced code, pipe-table rows
DISPLAY = re.compile(r"\$\$(.*?)\$\$|\\\[(.*?)\\\]|\$(.*?)\$|\\\((.*?)\\\)", re.S)
HTML_TABLE = re.compile(r"<table(?:[^>]*)>")
CODE = re.compile(r"```(\w+)\n(.*?)```", re.S)
PIPE_ROW = re.compile(r"\|\s*.*?\s*\|\n", re.S)


def _files(doc: Document, **options: str) -> dict[str, str]:
    out = EXPORTS["omnidocbench-md"].write(doc, ExportSettings(options=options, source_name=MINERU.name))
    return {f.name: f.content for f in out}


def _doc(path=MINERU, **changes) -> Document:
    return msgspec.structs.replace(normalize(path.read_bytes()), **changes)


def test_a_pdf_result_gives_one_file_per_page_named_as_omnidocbench_names_pdf_pages():
    assert list(_files(_doc(REPORT))) == [f"nordwind_annual_report_2025.pdf_{i}.md" for i in range(3)]
    assert list(_files(_doc(REPORT), names="{stem}_p{page:03d}")) == [
        f"nordwind_annual_report_2025_p00{n}.md" for n in (1, 2, 3)]
    assert list(_files(_doc(REPORT), names="{stem}.md")) == [  # several pages named alike: the index added
        f"nordwind_annual_report_2025_{i}.md" for i in range(3)]


def test_a_page_image_result_is_named_after_the_image_as_in_omnidocbench_demo():
    one_page = _doc(SAMPLES / "somark" / "oxr_paper_sync.json",
                    file_name="images/docstructbench_llm-raw-scihub-o.O-j.chroma.2005.05.085.pdf_4.jpg")
    [name] = _files(one_page)
    assert (DEMO / name).is_file()  # the very name of OmniDocBench's prediction for that page image


def test_without_a_recorded_source_the_result_file_names_the_pages():
    doc = _doc(file_name=None)  # MinerU's content list records no file name
    out = to_omnidocbench_md(doc, source_name="runs/foo.pdf_30.json")
    assert [f.name for f in out] == ["foo.pdf_30_0.md", "foo.pdf_30_1.md"]
    one = msgspec.structs.replace(doc, pages=doc.pages[:1], blocks=[b for b in doc.blocks if b.page == 1])
    assert [f.name for f in to_omnidocbench_md(one, source_name="foo.pdf_30.json")] == ["foo.pdf_30.md"]


def test_a_names_pattern_is_checked_before_any_work():
    for bad in ("{stem.__class__}", "{0}", "{page!r}", "{page:099999999d}", "{stem:>300}", "{nope}", "{stem"):
        with pytest.raises(OptionError, match="option names: expected a pattern"):
            options_for(EXPORTS["omnidocbench-md"], ExportSettings(options={"names": bad}))
    assert options_for(EXPORTS["omnidocbench-md"], ExportSettings(options={"names": "{name}-{index:04d}"}))


def test_tables_are_html_with_their_spans_and_escaped_cells():
    page2 = _files(_doc())["overtopping_content_list_1.md"]
    assert '<td rowspan="2">Crest width</td><td colspan="2">Coefficient</td>' in page2
    assert not PIPE_ROW.search(page2)  # no pipe table: OmniDocBench would rebuild it without spans
    report = "".join(_files(_doc(REPORT)).values())
    assert "<td>Industrial &amp; Energy</td>" in report
    hostile = Table(n_rows=2, n_cols=2, cells=[Cell(row=0, col=0, col_span=2, text="</table><script>\n$1"),
                                                 Cell(row=1, col=0, text="a|b"), Cell(row=1, col=1, text="c")])
    doc = Document(provider="t", format="t", file_name="t.pdf", pages=[Page(number=1)],
                   blocks=[Block(id="t", page=1, kind="table", table=hostile)])
    [text] = _files(doc).values()
    assert text.count("<table>") == 1 and text.count("</table>") == 1  # one whole table, taken out first
    assert '<td colspan="2">&lt;/table&gt;&lt;script&gt; $1</td>' in text  # one line: newlines become spaces


def test_every_table_fragment_stays_on_its_own_page():
    for sample in (REPORT, SAMPLES / "baidu" / "annual_report_result.json"):
        doc = _doc(sample)
        files = list(_files(doc).values())
        for block in doc.blocks:
            if block.table is not None and block.table.cells:
                assert f">{block.table.cells[0].text.replace('&', '&amp;')}<" in files[block.page - 1]


def test_display_formulas_are_the_latex_between_dollar_lines():
    page1 = _files(_doc())["overtopping_content_list_0.md"]
    assert "$$\nq / \\sqrt{g H_{m0}^3} = a \\exp(-b R_c / H_{m0})\n$$" in page1
    formulas = [m.group(1) for m in DISPLAY.finditer(page1)]
    assert formulas == ["\nq / \\sqrt{g H_{m0}^3} = a \\exp(-b R_c / H_{m0})\n"]  # the one match on the page
    report = _files(_doc(REPORT))["nordwind_annual_report_2025.pdf_0.md"]
    assert "$$\n\\text{EBIT margin} = \\frac{\\text{EBIT}}{\\text{Revenue}} = 9.8\\%\n$$" in report  # LaTeX, not text


def test_furniture_and_footnotes_are_left_out_unless_asked_and_figures_are_their_link():
    doc = _doc()
    written = "".join(_files(doc).values())
    furniture = ["Journal of Coastal Engineering", "118", "Corresponding author", "least squares on log q"]
    assert not any(text in written for text in furniture)
    asked = "".join(_files(doc, furniture="true").values())
    assert all(text in asked for text in furniture)
    assert "![](images/9f2d77aa.jpg)" in written and "Fig. 2. Measured against predicted discharge." in written


def test_code_is_fenced_with_a_language_and_survives_omnidocbench_fence_removal():
    page2 = _files(_doc())["overtopping_content_list_1.md"]
    without_fences = re.sub(r"```\n?$", "", page2, flags=re.M)  # data_preprocess.remove_markdown_fences
    [code] = CODE.findall(without_fences)
    assert code[0] == "text" and code[1].strip().startswith("1: for each crest width do")
    sql = _files(_doc(REPORT))["nordwind_annual_report_2025.pdf_1.md"]
    assert "```sql\nSELECT quarter" in sql


def test_text_is_read_as_text_only():
    """A lone `$` would pair with the next formula's, `<table` start a table, a line ending in `|` a pipe table:
    each is broken, and display math is exactly the formula blocks."""
    blocks = [Block(id="a", page=1, kind="paragraph", text="It costs $5, not <table> or ![x](y.png)\nsee |"),
              Block(id="b", page=1, kind="formula", latex="E = mc^2"),
              Block(id="c", page=1, kind="heading", level=2, text="Inline $x$ stays | and so"),
              Block(id="d", page=1, kind="paragraph", text="Totals |\n\n\nnext")]
    doc = Document(provider="t", format="t", file_name="t.pdf", pages=[Page(number=1)], blocks=blocks)
    [text] = _files(doc).values()
    assert [m.group(0) for m in DISPLAY.finditer(text)] == ["$$\nE = mc^2\n$$", "$x$"]
    assert not HTML_TABLE.search(text) and not PIPE_ROW.search(text) and "![x](y.png)" not in text
    assert "It costs \uff045" in text and "## Inline $x$ stays | and so" in text
    assert "Totals | \nnext" in text  # one block: no blank line inside


def test_every_page_has_a_file_and_a_failed_page_is_an_empty_one():
    files = _files(_doc(SAMPLES / "llamacloud" / "failed_page_v2.json"))
    assert list(files) == [f"site_survey_scanned.pdf_{i}.md" for i in range(3)]
    assert files["site_survey_scanned.pdf_1.md"] == "" and files["site_survey_scanned.pdf_0.md"]


HOSTILE = ["../x", "a/b", "..", "/", "x\x00\x1b[31m\n\u202e.pdf", "C:\\evil\\..\\x.jpg", "年报" * 200 + ".pdf", ""]


def _safe(name: str) -> bool:
    return (name.endswith(".md") and "/" not in name and "\\" not in name and ".." not in name
            and not name.startswith(".") and len(name.encode()) <= MAX_NAME_BYTES
            and not any(unicodedata.category(ch)[0] == "C" for ch in name))


@pytest.mark.parametrize("file_name", HOSTILE)
def test_names_from_provider_strings_are_made_safe(file_name):
    doc = _doc(REPORT, file_name=file_name)
    for pattern in ("", "../../{name}/{page}", "{stem}\n{index}"):
        names = list(_files(doc, names=pattern))
        assert len(names) == 3 and all(_safe(n) for n in names), names
        assert not any(n.endswith("-2.md") for n in names)  # the page part survives a long name's cut


def test_safe_file_name_keeps_one_harmless_component():
    assert [safe_file_name(n) for n in ("../x", "a/b", "a\x00b\nc", "..", "x" * 300 + ".md")] == [
        "_x", "a_b", "a_b_c", "_", "x" * 197 + ".md"]


def test_the_command_line_writes_one_file_per_page_into_the_folder(tmp_path, capsys):
    from viewer.cli import main
    out = tmp_path / "predictions"
    assert main(["export", str(MINERU), "--to", "omnidocbench-md", "-o", str(out)]) == 0
    written = {p.name: p.read_text() for p in out.iterdir()}
    assert written == {f.name: f.content for f in to_omnidocbench_md(_doc(), source_name=MINERU.name)}
    assert sorted(written) == ["overtopping_content_list_0.md", "overtopping_content_list_1.md"]
    assert main(["export", str(MINERU), "--to", "omnidocbench-md"]) == 2  # two pages: a folder is needed
    assert "give -o DIRECTORY" in capsys.readouterr().err
    assert main(["export", str(MINERU), "--to", "omnidocbench-md", "--opt", "names={bad}", "-o", str(out)]) == 2


def test_hostile_names_cannot_leave_the_output_folder(tmp_path):
    from viewer.cli import main
    doc = _doc(REPORT, file_name="../../escaped/\x1b[2J../x.pdf")
    source = tmp_path / "in" / "hostile.json"
    source.parent.mkdir()
    source.write_bytes(encode(doc))
    out = tmp_path / "out"
    assert main(["export", str(source), "--to", "omnidocbench-md", "--opt", "names=../{name}/{page}", "-o",
                 str(out)]) == 0
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "in/hostile.json", "out/_x.pdf_1.md", "out/_x.pdf_2.md", "out/_x.pdf_3.md"]


def test_several_inputs_write_into_one_folder_and_a_page_named_twice_gets_a_number(tmp_path):
    from viewer.cli import main
    folder = tmp_path / "results"
    folder.mkdir()
    for stem in ("a", "b"):  # two results for the same PDF: its pages are named alike
        (folder / f"{stem}.json").write_bytes(REPORT.read_bytes())
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        assert main(["export", str(folder), "--to", "omnidocbench-md", "-o", str(out), "-j", jobs]) == 0
        names = sorted(p.name for p in out.iterdir())
        assert names == sorted([f"nordwind_annual_report_2025.pdf_{i}.md" for i in range(3)]
                               + [f"nordwind_annual_report_2025.pdf_{i}-2.md" for i in range(3)])


def test_the_viewer_downloads_the_pages_as_one_zip(tmp_path):
    from viewer import create_app
    client = create_app(str(REPORT.parent)).test_client()
    response = client.get(f"/export/omnidocbench-md?f={REPORT.name}&opt.names=../{{stem}}/{{page}}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "annual_report_v2.omnidocbench.zip" in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert names == ["_nordwind_annual_report_2025_1.md", "_nordwind_annual_report_2025_2.md",
                     "_nordwind_annual_report_2025_3.md"]
    assert client.get(f"/export/omnidocbench-md?f={REPORT.name}&opt.names={{x}}").status_code == 400


@pytest.mark.parametrize("module", ["exporters.omnidocbench_md", "exporters.named_files"])
def test_module_examples_run(module, monkeypatch):
    import doctest
    import importlib

    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), extraglobs={"normalize": normalize})
    assert result.attempted > 0 and result.failed == 0


def test_omnidocbench_own_ground_truth_comes_back_under_its_page_names_in_its_form():
    """OmniDocBench's demo annotations, read as documents (one per page image) and exported: every page is named
    as its demo prediction is, and holds the ground truth's tables and display formulas in the form above."""
    pytest.importorskip("normalizer.providers.omnidocbench")
    from normalizer import normalize_all
    truth = DATA / "omnidocbench" / "OmniDocBench_demo.json"
    docs = normalize_all(truth.read_bytes())
    files = {f.name: f.content for doc in docs for f in to_omnidocbench_md(doc)}
    assert sorted(files) == sorted(p.name for p in DEMO.iterdir())
    ground_truth = DATA / "omnidocbench" / "mds"
    for name, text in files.items():
        expected = (ground_truth / name).read_text(encoding="utf-8")
        assert len(HTML_TABLE.findall(text)) == len(HTML_TABLE.findall(expected)), name
        assert text.count("$$\n") == expected.count("$$\n"), name


def test_omnidocbench_ground_truth_markdown_read_and_exported_scores_close_to_perfect():
    """OmniDocBench's demo ground truth as Markdown (its `mds/`), read as documents and exported with this target,
    scored by OmniDocBench's evaluator (`exporters.eval.omnidocbench`, its exact port): every page found under
    its name, and every element within a hair of perfect (what is left comes from reading the Markdown, e.g. a
    table cell's outer spaces, not from writing it)."""
    omnidocbench = pytest.importorskip("exporters.eval.omnidocbench")
    pytest.importorskip("normalizer.providers.markdown")
    from normalizer import load
    truth = omnidocbench.load_truth(DATA / "omnidocbench" / "OmniDocBench_demo.json")
    predictions = {f.name.removesuffix(".md"): f.content for path in sorted((DATA / "omnidocbench" / "mds").iterdir())
                   for doc in load(path) for f in to_omnidocbench_md(doc)}
    result = omnidocbench.evaluate(truth, predictions)
    assert result.missing == [] and len(predictions) == len(truth) == 18
    scores = result.metric_result
    assert scores["text_block"]["all"]["Edit_dist"]["ALL_page_avg"] < 0.005
    assert scores["display_formula"]["all"]["Edit_dist"]["ALL_page_avg"] < 0.005
    assert scores["table"]["all"]["TEDS"]["all"] > 0.995
    assert scores["table"]["all"]["TEDS_structure_only"]["all"] == 1.0
    assert scores["reading_order"]["all"]["Edit_dist"]["ALL_page_avg"] < 0.005
