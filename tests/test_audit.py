"""The grounding audit on real PDFs and their parsers' real results: the originals score high in their own
frame; copies made wrong on purpose (boxes mirrored, scaled, shifted, one page off, turned; texts swapped,
invented, dropped) are caught, each coordinate fault named and repaired; scans say they have no text layer; a
hostile PDF ends in an error line (docs/audit.md)."""

from __future__ import annotations

import io
import json
import time

import pytest
from msgspec.structs import replace

from exporters import to_json
from exporters.audit import GROUNDED, audit, fix_frame
from exporters.pages.images import PageImages
from normalizer import load
from normalizer.schema import Document
from viewer.cli import main

from . import pdfs
from .conftest import DATA, SAMPLES

AUDIT = DATA / "audit"
PG9 = (SAMPLES / "docling" / "2305.03393v1-pg9.json", SAMPLES / "docling" / "2305.03393v1-pg9.pdf")
MULTI = (AUDIT / "multi_page.json", AUDIT / "multi_page.pdf")
CODE = (AUDIT / "code_and_formula.json", AUDIT / "code_and_formula.pdf")
HARBOR = (SAMPLES / "same_report" / "harbor_q3_llamacloud_v2.json", SAMPLES / "same_report" / "harbor_q3_2025.pdf")
REAL = {"docling-pg9": PG9, "docling-multi-page": MULTI, "docling-code-and-formula": CODE, "llamacloud-harbor": HARBOR}


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    images = PageImages(workers=2, cache_dir=str(tmp_path_factory.mktemp("cache")))
    yield images
    images.close()


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCNORM_CACHE", str(tmp_path / "cli-cache"))  # the command line's pool caches here


def _doc(path) -> Document:
    docs = load(str(path))
    return docs[0] if isinstance(docs, list) else docs


# --- the faults, made on purpose -------------------------------------------------------------------------

def _boxes(doc: Document, move, size=None) -> Document:
    """Every box of the document moved by `move(box, page)`; page sizes by `size(page)`."""
    pages = {p.number: p for p in doc.pages}

    def block(b):
        p = pages[b.page]
        table = b.table and replace(b.table, cells=[replace(c, bbox=c.bbox and move(c.bbox, p)) for c in b.table.cells])
        return replace(b, bbox=b.bbox and move(b.bbox, p), table=table,
                       lines=[replace(ln, bbox=ln.bbox and move(ln.bbox, p)) for ln in b.lines])
    return replace(doc, blocks=[block(b) for b in doc.blocks], pages=[size(p) if size else p for p in doc.pages])


def flipped(doc):
    return _boxes(doc, lambda b, p: [b[0], p.height - b[3], b[2], p.height - b[1]])


def scaled(k):
    return lambda doc: _boxes(doc, lambda b, p: [v * k for v in b])


def shifted(doc):
    return _boxes(doc, lambda b, p: [b[0] + 25, b[1] - 40, b[2] + 25, b[3] - 40])


def turned(doc):
    """The page read turned a quarter clockwise: boxes (x, y) -> (height - y, x), the page's sides swapped."""
    return _boxes(doc, lambda b, p: [p.height - b[3], b[0], p.height - b[1], b[2]],
                  lambda p: replace(p, width=p.height, height=p.width))


def upside_down(doc):
    return _boxes(doc, lambda b, p: [p.width - b[2], p.height - b[3], p.width - b[0], p.height - b[1]])


def page_on(doc):
    """Every page numbered one on (the result's page 1 is the PDF's page 1)."""
    return replace(doc, pages=[replace(p, number=p.number + 1) for p in doc.pages],
                   blocks=[replace(b, page=b.page + 1) for b in doc.blocks])


def cover_skipped(doc):
    """The first page left out and the rest numbered from 1 (the result's page 1 is the PDF's page 2)."""
    return replace(doc, pages=[replace(p, number=p.number - 1) for p in doc.pages if p.number > 1],
                   blocks=[replace(b, page=b.page - 1) for b in doc.blocks if b.page > 1])


FAULTS = {"y-mirrored": (flipped, "y-flipped"), "scaled-x2": (scaled(2.0), "scaled"),
          "px-as-pt": (scaled(96 / 72), "scaled"), "pt-as-px": (scaled(72 / 96), "scaled"),
          "shifted": (shifted, "shifted"), "turned-90": (turned, "rotated"), "turned-180": (upside_down, "rotated"),
          "page-on": (page_on, "wrong-pages"), "cover-skipped": (cover_skipped, "wrong-pages")}


def _close(a: Document, b: Document, tolerance: float = 0.01) -> bool:
    """Every block of `b` where `a` has it: same page, box within `tolerance` of the page's size."""
    sizes = {p.number: (p.width, p.height) for p in a.pages}
    for x, y in zip(a.blocks, b.blocks):
        if x.page != y.page or (x.bbox is None) != (y.bbox is None):
            return False
        if x.bbox and any(abs(u - v) > tolerance * sizes[x.page][k % 2] for k, (u, v) in enumerate(zip(x.bbox, y.bbox))):
            return False
    return True


# --- the originals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", REAL)
def test_a_real_result_scores_high_in_its_own_frame(name, pool):
    result, pdf = REAL[name]
    report = audit(_doc(result), str(pdf), pool)
    assert report.frame == "ok" and report.transform is None
    assert report.score >= 0.99 and report.score_after == report.score
    assert report.blocks == [] and report.blocks_grounded == report.blocks_scored > 0
    assert all(p.status == "ok" and p.pdf_page == p.page for p in report.pages)


def test_docling_s_page_is_all_covered_and_its_table_compared_cell_by_cell(pool):
    doc = _doc(PG9[0])
    report = audit(doc, str(PG9[1]), pool)
    assert report.missed == [] and report.missed_share == 0.0
    table = next(b for b in doc.blocks if b.kind == "table")
    first, second = table.table.cells[9], table.table.cells[10]  # two body cells of different text
    assert first.text != second.text
    cells = list(table.table.cells)
    cells[9], cells[10] = replace(first, text=second.text), replace(second, text=first.text)
    odd = replace(doc, blocks=[replace(b, table=replace(b.table, cells=cells)) if b is table else b for b in doc.blocks])
    flagged = audit(odd, str(PG9[1]), pool)
    (entry,) = flagged.blocks
    assert entry.id == table.id and entry.grounded  # most of the table is right ...
    assert {(c.row, c.col) for c in entry.cells} == {(first.row, first.col), (second.row, second.col)}  # ... but not these


def test_a_provider_whose_boxes_split_a_paragraph_elsewhere_is_flagged_there_only(pool):
    """SoMark's sample splits the report's first paragraph in two boxes; the PDF (drawn from LlamaCloud's boxes)
    has no text under the second."""
    report = audit(_doc(SAMPLES / "same_report" / "harbor_q3_somark.json"), str(HARBOR[1]), pool)
    assert report.frame == "ok" and [b.id for b in report.blocks] == ["p1-b2"]
    assert report.blocks[0].pdf_text == "" and report.blocks[0].similarity == 0.0


def test_cells_that_all_carry_the_table_s_box_are_no_cell_boxes(pool):
    """Baidu's sample gives every cell its table's box: the table is compared as a whole, by its words."""
    report = audit(_doc(SAMPLES / "same_report" / "harbor_q3_baidu.json"), str(HARBOR[1]), pool)
    assert report.frame == "ok" and report.score >= 0.99 and report.blocks == []


# --- coordinate faults -----------------------------------------------------------------------------------

CASES = [(name, fault) for name in REAL for fault in FAULTS if not (name == "docling-pg9" and fault == "cover-skipped")]


@pytest.mark.parametrize("name,fault", CASES)
def test_each_coordinate_fault_is_named_and_repaired(name, fault, pool):
    result, pdf = REAL[name]
    original = _doc(result)
    make, expected = FAULTS[fault]
    wrong = make(original)
    report = audit(wrong, str(pdf), pool)
    assert report.frame == expected, report.notes
    assert report.score is None or report.score < 0.7
    assert report.score_after >= 0.99 and report.transform is not None
    reference = original
    if fault == "cover-skipped":  # the repair numbers the pages as the PDF does: from 2
        reference = replace(original, pages=[p for p in original.pages if p.number > 1],
                            blocks=[b for b in original.blocks if b.page > 1])
    as_given = audit(reference, str(pdf), pool)
    assert report.blocks == [] and report.missed_share <= as_given.missed_share + 0.01  # judged after the repair
    fixed = fix_frame(wrong, report)
    assert fixed.warnings[-1].startswith("$.pages: the boxes were not over their text") and expected in fixed.warnings[-1]
    again = audit(fixed, str(pdf), pool)
    assert again.frame == "ok" and again.score >= 0.99
    assert _close(reference, fixed)


def test_the_scale_is_fitted_and_a_points_pixels_mix_up_is_named(pool):
    report = audit(scaled(96 / 72)(_doc(MULTI[0])), str(MULTI[1]), pool)
    assert report.transform.matrix[0] == pytest.approx(0.75, abs=0.002)
    assert "pixels at 96 dpi given as points" in report.transform.text
    odd = audit(scaled(1.7)(_doc(MULTI[0])), str(MULTI[1]), pool)  # no grid of values holds 1.7
    assert odd.frame == "scaled" and odd.transform.matrix[0] == pytest.approx(1 / 1.7, abs=0.002)


def test_the_offset_is_fitted_in_the_page_s_fractions(pool):
    report = audit(shifted(_doc(PG9[0])), str(PG9[1]), pool)
    *_, du, dv = report.transform.matrix
    assert du * 612 == pytest.approx(-25, abs=1) and dv * 792 == pytest.approx(40, abs=1)


# --- content faults --------------------------------------------------------------------------------------

INVENTED = "The quarterly dividend of the harbour authority will be paid in Norwegian kroner to all shareholders."


@pytest.mark.parametrize("name", ["docling-pg9", "docling-multi-page", "docling-code-and-formula"])
def test_swapped_and_invented_texts_are_not_grounded_and_dropped_text_is_missed(name, pool):
    result, pdf = REAL[name]
    doc = _doc(result)
    paragraphs = [n for n, b in enumerate(doc.blocks) if b.kind == "paragraph" and len(b.text) > 80]
    a, b, c, gone = paragraphs[0], paragraphs[1], paragraphs[2], paragraphs[-1]
    if doc.blocks[a].text == doc.blocks[b].text:  # code_and_formula repeats its Lorem ipsum paragraphs
        b = next(n for n in paragraphs[2:] if doc.blocks[n].text != doc.blocks[a].text)
        c = next(n for n in paragraphs if n not in (a, b, gone))
    blocks = list(doc.blocks)
    blocks[a], blocks[b] = replace(blocks[a], text=doc.blocks[b].text), replace(blocks[b], text=doc.blocks[a].text)
    blocks[c] = replace(blocks[c], text=INVENTED)
    dropped = blocks[gone]
    del blocks[gone]
    report = audit(replace(doc, blocks=blocks), str(pdf), pool)
    assert report.frame == "ok"
    flagged = {x.id: x for x in report.blocks}
    assert set(flagged) == {doc.blocks[n].id for n in (a, b, c)}
    assert all(not x.grounded and x.similarity < GROUNDED for x in flagged.values())
    assert report.blocks == sorted(report.blocks, key=lambda x: x.similarity)  # worst first
    assert flagged[doc.blocks[a].id].pdf_text.split()[:3] == doc.blocks[a].text.split()[:3]  # what is really there
    missed = " ".join(m.text for m in report.missed if m.page == dropped.page)
    assert dropped.text.split()[0] in missed and dropped.text.split()[-1] in missed
    assert report.missed_share > 0
    line = next(m for m in report.missed if m.page == dropped.page)
    assert dropped.bbox[0] - 5 <= line.bbox[0] and line.bbox[3] <= dropped.bbox[3] + 5  # where it is, in its units


def test_formulas_and_figures_are_left_out_of_the_score(pool):
    doc = _doc(CODE[0])
    formula = next(b for b in doc.blocks if b.kind == "formula")
    said = replace(doc, blocks=[replace(b, text=r"\int_0^1 f(x)\,dx") if b is formula else b for b in doc.blocks])
    report = audit(said, str(CODE[1]), pool)
    assert report.blocks == [] and report.score >= 0.99
    assert report.blocks_scored == sum(1 for b in doc.blocks if b.kind != "formula" and b.text.strip() and b.bbox)
    assert not any(m.page == formula.page for m in report.missed)  # the formula's PDF text is under its box


# --- scans, rotation, crop box ---------------------------------------------------------------------------

def _with_scan_page(tmp_path) -> str:
    """The harbor report's first page, then an image-only page (Pillow's PDF)."""
    import pypdfium2 as pdfium
    from PIL import Image
    scan = tmp_path / "scan.pdf"
    Image.new("RGB", (850, 1100), "white").save(scan, resolution=100.0)
    out = pdfium.PdfDocument.new()
    out.import_pages(pdfium.PdfDocument(str(HARBOR[1])), [0])
    out.import_pages(pdfium.PdfDocument(str(scan)))
    path = tmp_path / "mixed.pdf"
    out.save(str(path))
    return str(path)


def test_a_page_without_a_text_layer_says_so_instead_of_scoring_zero(tmp_path, pool):
    report = audit(_doc(HARBOR[0]), _with_scan_page(tmp_path), pool)
    first, second = report.pages
    assert (first.status, second.status) == ("ok", "no text layer") and second.score is None
    assert report.frame == "ok" and report.score >= 0.99 and report.blocks == []
    assert any("no text layer" in n for n in report.notes)
    only_scans = tmp_path / "scans.pdf"
    from PIL import Image
    Image.new("RGB", (850, 1100), "white").save(only_scans, save_all=True, resolution=100.0,
                                                append_images=[Image.new("RGB", (850, 1100), "white")])
    nothing = audit(_doc(HARBOR[0]), str(only_scans), pool)
    assert nothing.score is None and nothing.frame == "unknown" and nothing.missed_share is None
    assert {p.status for p in nothing.pages} == {"no text layer"}


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_the_source_page_s_rotation_and_crop_box_are_applied(tmp_path, pool, rotation):
    """A PDF page with /Rotate and a crop box away from the origin; the result's boxes where PDFium itself puts
    them on the page as shown (FPDF_PageToDevice): the audit finds the text under them."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    pdf = pdfium.PdfDocument(str(HARBOR[1]))
    page = pdf[0]
    page.set_cropbox(30, 40, 600, 780)
    page.set_rotation(rotation)
    path = tmp_path / f"turned-{rotation}.pdf"
    pdf.save(str(path))
    shown = pdfium.PdfDocument(str(path))[0]
    width, height = shown.get_size()
    dx, dy = ctypes.c_int(), ctypes.c_int()

    def device(x, y):  # page space -> the page as shown, in tenths of a point
        raw.FPDF_PageToDevice(shown, 0, 0, int(width * 10), int(height * 10), 0, x, y, dx, dy)
        return dx.value / 10, dy.value / 10

    def move(box, p):  # the result's box (top-left origin on the 612 x 792 page) as shown
        corners = [device(x, 792 - y) for x in (box[0], box[2]) for y in (box[1], box[3])]
        return [min(c[0] for c in corners), min(c[1] for c in corners), max(c[0] for c in corners),
                max(c[1] for c in corners)]
    doc = _doc(HARBOR[0])
    one = replace(doc, pages=[replace(doc.pages[0], width=width, height=height)],
                  blocks=[b for b in doc.blocks if b.page == 1])
    report = audit(_boxes(one, move), str(path), pool)
    assert report.frame == "ok" and report.score >= 0.99, report.notes


# --- bounds ----------------------------------------------------------------------------------------------

def test_page_words_are_read_once_then_come_from_the_disk_cache(tmp_path, monkeypatch):
    images = PageImages(workers=1, cache_dir=str(tmp_path / "cache"))
    try:
        first = images.text(str(PG9[1]), 0)
        monkeypatch.setattr(images, "_ask", lambda *a: pytest.fail("asked the worker again"))
        assert images.text(str(PG9[1]), 0) == first
        width, height, turn, crop, words, boxes, lines = first
        assert len(boxes) == 32 * len(words) and len(words) > 300 and lines[0] == 0
        assert len(json.dumps(words)) + len(boxes) < 40_000  # a page of text: a few tens of kilobytes
    finally:
        images.close()


@pytest.mark.parametrize("make,said", [(pdfs.stream_bomb, "page 1: the renderer stopped"),
                                       (pdfs.malformed, "not a readable PDF")])
def test_a_hostile_pdf_ends_in_an_error_line_not_a_hang(tmp_path, capsys, make, said):
    (tmp_path / "report.pdf").write_bytes(make())
    result = tmp_path / "result.json"
    result.write_bytes(to_json(replace(_doc(HARBOR[0]), file_name="report.pdf")))
    started = time.monotonic()
    assert main(["audit", str(result), "--timeout", "5", "-j", "1"]) == 1
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert said in err and err.count("\n") <= 3


@pytest.mark.parametrize("make", [pdfs.huge_page, pdfs.deep_nesting, pdfs.slow_page])
def test_a_hostile_pdf_with_no_text_is_bounded_and_says_so(tmp_path, capsys, make):
    (tmp_path / "report.pdf").write_bytes(make())
    result = tmp_path / "result.json"
    result.write_bytes(to_json(replace(_doc(PG9[0]), file_name="report.pdf")))
    started = time.monotonic()
    assert main(["audit", str(result), "--timeout", "5", "-j", "1"]) in (0, 1)
    assert time.monotonic() - started < 30
    err = capsys.readouterr().err
    assert "no text layer" in err or "page 1:" in err


# --- the command line ------------------------------------------------------------------------------------

def test_the_command_line_reports_and_repairs(tmp_path, capsys):
    (tmp_path / "multi_page.pdf").write_bytes(MULTI[1].read_bytes())
    (tmp_path / "good.json").write_bytes(MULTI[0].read_bytes())
    (tmp_path / "mirrored.json").write_bytes(to_json(flipped(_doc(MULTI[0]))))
    out = tmp_path / "out"
    assert main(["audit", str(tmp_path / "good.json"), str(tmp_path / "mirrored.json"), "--json", str(tmp_path / "a.json"),
                 "--html", str(tmp_path / "a.html"), "--csv", str(tmp_path / "a.csv"), "--fix-frame", "-o", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["score", "frame", "after"] and "y-flipped" in lines[2]
    good, mirrored = json.loads((tmp_path / "a.json").read_text())["documents"]
    assert set(good) == {"file", "source", "score", "frame", "transform", "score_after", "blocks", "blocks_scored",
                         "blocks_grounded", "missed", "missed_share", "pages", "notes"}
    assert good["frame"] == "ok" and mirrored["frame"] == "y-flipped" and mirrored["score_after"] >= 0.99
    assert mirrored["transform"]["matrix"] == [1.0, 0.0, 0.0, -1.0, 0.0, 1.0]
    assert mirrored["pages"][0] | {"score": None} == {"page": 1, "pdf_page": 1, "status": "ok", "score": None,
                                                     "blocks": 14, "grounded": 14, "frame": [595.2, 841.92],
                                                     "error": None}
    html = (tmp_path / "a.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "y-flipped" in html and "<script" not in html
    assert (tmp_path / "a.csv").read_text().splitlines()[0].startswith("file,score,frame,score_after")
    repaired = _doc(out / "mirrored.json")
    assert any("y-flipped" in w for w in repaired.warnings) and _close(_doc(MULTI[0]), repaired)
    assert _doc(out / "good.json") == _doc(MULTI[0])


def test_sources_are_found_in_a_sources_folder_by_the_recorded_name(tmp_path, capsys):
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "runs").mkdir()
    (tmp_path / "pdfs" / "code_and_formula.pdf").write_bytes(CODE[1].read_bytes())
    (tmp_path / "runs" / "docling.json").write_bytes(CODE[0].read_bytes())
    assert main(["audit", str(tmp_path / "runs"), "--sources", str(tmp_path / "pdfs")]) == 0
    assert " ok " in capsys.readouterr().out
    assert main(["audit", str(tmp_path / "runs")]) == 1  # not beside it, and no --sources
    assert "no source document found" in capsys.readouterr().err


def test_one_bad_file_is_its_own_failure_and_the_run_goes_on(tmp_path, capsys):
    (tmp_path / "2305.03393v1-pg9.pdf").write_bytes(PG9[1].read_bytes())
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_bytes(PG9[0].read_bytes())
    assert main(["audit", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "a.json" in captured.err and "b.json" in captured.out


@pytest.mark.parametrize("argv,message", [
    (["a.json", "b.json", "--source", "x.pdf"], "--source names one PDF"),
    (["a.json", "--fix-frame"], "give both --fix-frame and -o DIR"),
    (["a.json", "--sources", "/no/such/folder"], "--sources: no such folder"),
])
def test_mistakes_in_the_call_are_exit_2_before_any_work(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    for name in ("a.json", "b.json", "x.pdf"):
        (tmp_path / name).write_bytes(b"{}" if name.endswith("json") else PG9[1].read_bytes())
    assert main(["audit", *argv]) == 2
    assert message in capsys.readouterr().err


def test_the_library_reads_the_json_shape_documented(pool):
    from exporters.audit.report import to_csv, to_json as audits_json
    report = audit(flipped(_doc(PG9[0])), str(PG9[1]), pool, name="pg9.json")
    shape = json.loads(audits_json([report]))["documents"][0]
    assert shape["file"] == "pg9.json" and shape["frame"] == "y-flipped" and shape["transform"]["swap_size"] is False
    assert list(io.StringIO(to_csv([report])))[1].startswith("pg9.json,")


@pytest.mark.parametrize("module", ["exporters.audit", "exporters.audit.words", "exporters.audit.judge",
                                    "exporters.audit.repair", "exporters.audit.report"])
def test_the_audit_s_examples_run(module, monkeypatch):
    import doctest
    import importlib

    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_page_workers_text_request_has_its_example(monkeypatch, tmp_path):
    import doctest

    import exporters.pages.images as images
    import exporters.pages.worker as worker
    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    for fn, module in ((worker.text, worker), (images.PageImages.text, images)):
        test = doctest.DocTestFinder().find(fn, fn.__name__, globs=dict(vars(module)))[0]
        assert doctest.DocTestRunner().run(test).failed == 0


def test_the_wrong_pdf_is_no_frame_at_all(pool):
    report = audit(_doc(PG9[0]), str(HARBOR[1]), pool)
    assert report.frame == "unknown" and report.score < 0.2 and report.transform is None
    assert any("is this the PDF the result was made from?" in n for n in report.notes)


def test_a_damaged_cache_file_is_read_again(tmp_path):
    images = PageImages(workers=1, cache_dir=str(tmp_path / "cache"))
    try:
        first = images.text(str(PG9[1]), 0)
        (cached,) = (tmp_path / "cache").rglob("*.words")
        cached.write_bytes(b"\xc1 not msgpack")
        assert images.text(str(PG9[1]), 0) == first and cached.read_bytes()[:1] != b"\xc1"
    finally:
        images.close()
