"""What real saved files look like (PROVIDERS.md "Surprises" §16), and repairs of multi-document inputs.

Each shape has a sample of its own under samples/ (with reviewed goldens); these tests state what matters
about each.
"""

from __future__ import annotations

import copy
import json
import time
import tracemalloc

import pytest

from exporters import to_html, to_markdown, to_text
from normalizer import NormalizeError, detect, load, normalize, normalize_all
from normalizer.errors import Repairs
from normalizer.tables import from_html, grid_problems

from .conftest import SAMPLES

W, L, R = SAMPLES / "whisperer", SAMPLES / "llamacloud", SAMPLES / "ragflow"


# --- LLMWhisperer page separators ---------------------------------------------------------------------

@pytest.mark.parametrize("name, pages", [("ledger.line_printer.txt", 2), ("purchase_order_windows.txt", 2),
                                         ("receipt_one_page.txt", 1)])
def test_every_separator_form_splits_pages_and_never_reaches_text(name, pages):
    doc = load(W / name)[0]
    assert doc.format == "whisperer.text" and len(doc.pages) == pages
    assert not any("separator" in w for w in doc.warnings)
    for text in [p.text for p in doc.pages] + [b.text for b in doc.blocks] + \
            [ln.text for b in doc.blocks for ln in b.lines] + [to_markdown(doc), to_text(doc), to_html(doc)]:
        assert "<<<" not in text and "&lt;&lt;&lt;" not in text


def test_line_printer_pages_keep_their_lines():
    doc = load(W / "ledger.line_printer.txt")[0]
    assert doc.pages[1].text.startswith("                         GREENLEAF PROPERTY MANAGEMENT\n")
    assert doc.blocks[-1].text.startswith("Balance due as of 02/28/25:") and doc.blocks[-1].page == 2


def test_crlf_text_keeps_its_page_text_verbatim_and_lines_clean():
    doc = load(W / "purchase_order_windows.txt")[0]
    assert doc.pages[0].text.startswith("PURCHASE ORDER  PO-20931\r\n")
    assert all("\r" not in ln.text for b in doc.blocks for ln in b.lines)
    assert doc.blocks[-1].text == "Terms: net 30. Deliver by 14 March.\nApproved by: J. Lindqvist"


def test_separator_forms_in_retrieve_json_too():
    text = "Page one text\r\n<<<\r\n\fPage two text\n<<<\nPage three\n<<<"
    doc = normalize({"result_text": text})
    assert [b.text for b in doc.blocks] == ["Page one text", "Page two text", "Page three"]
    assert [p.number for p in doc.pages] == [1, 2, 3]


def test_a_separator_inside_a_line_is_text():
    doc = normalize("a line that mentions <<< in passing\nmore\n<<<\n")
    assert len(doc.pages) == 1 and "<<< in passing" in doc.blocks[0].text


# --- null box parts ----------------------------------------------------------------------------------

def test_a_box_with_a_null_part_is_no_box_and_is_kept():
    doc = load(L / "null_box_parts_v1.json")[0]
    heading = doc.blocks[1]
    assert heading.text == "Abstract" and heading.bbox is None
    assert heading.extra["bbox"] == {"y": 310.0, "h": 14.0}  # nulls left out as everywhere in extra
    assert doc.blocks[0].bbox == [118.0, 96.0, 494.0, 117.0]
    assert doc.warnings == ["$.pages[0].items[1].bBox.x: expected a number, found null; no box; "
                            "the raw box is kept in extra"]
    with pytest.raises(NormalizeError) as err:
        normalize((L / "null_box_parts_v1.json").read_bytes(), strict=True)
    assert err.value.path == "$.pages[0].items[1].bBox.x"


def test_a_v2_box_with_a_null_part_is_no_box():
    raw = {"job": {"id": "pjb-1", "status": "COMPLETED"}, "items": {"pages": [{"page_number": 1, "page_width": 612,
           "page_height": 792, "success": True, "items": [{"type": "text", "md": "x", "value": "x",
                                                           "bbox": [{"x": 1, "y": None, "w": 3, "h": 4}]}]}]}}
    doc = normalize(raw)
    assert doc.blocks[0].bbox is None and doc.blocks[0].extra["bbox"] == {"x": 1.0, "w": 3.0, "h": 4.0}
    assert doc.warnings[0].startswith("$.items.pages[0].items[0].bbox[0].y: expected a number, found null")


# --- RAGFlow endpoints beyond the three ----------------------------------------------------------------

def test_upload_documents_response_is_one_document_per_uploaded_file():
    docs = load(R / "upload_documents.json")
    assert [d.format for d in docs] == ["ragflow.documents"] * 2
    assert [d.file_name for d in docs] == ["supplier_contract_2025.pdf", "price_list_q1.xlsx"]
    assert {d.job.status for d in docs} == {"queued"}
    assert docs[0].extra["dataset_id"] == "527fa74891e811ef9c650242ac120006"  # raw kb_id, HTTP name
    assert docs[0].extra["parser_config"]["chunk_token_num"] == 128


def test_parsing_status_and_update_document_responses():
    status = load(R / "parsing_status.json")[0]
    assert (status.job.status, status.job.provider_status, status.job.progress) == ("running", "RUNNING", 0.42)
    updated = normalize({"code": 0, "data": {"id": "d1", "name": "report.pdf", "run": "DONE", "progress": 1.0,
                                             "chunk_count": 12}})
    assert (updated.file_name, updated.job.status, updated.extra["chunk_count"]) == ("report.pdf", "succeeded", 12)


def test_a_failed_chunks_call_is_a_failed_document():
    doc = normalize({"code": 100, "data": None, "message": "AttributeError('NoneType')"})
    assert doc.job.status == "failed" and "AttributeError" in doc.job.error


# --- what is not a result ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["# My notes\n\nSome text about the project.\nAnother line.\n",
                                  "just one line of plain words"])
def test_plain_text_is_not_llmwhisperer(text):
    with pytest.raises(NormalizeError, match="--format whisperer.text"):
        detect(text)
    assert normalize(text, format="whisperer.text").format == "whisperer.text"


@pytest.mark.parametrize("given", ["path/to/result.json", "C:\\results\\report.pdf", " ./out/lease.txt\n"])
def test_a_path_given_as_content_points_to_load(given):
    with pytest.raises(NormalizeError, match=r"file path .*normalizer\.load"):
        normalize(given)


def test_a_path_object_points_to_load(tmp_path):
    with pytest.raises(NormalizeError, match=r"normalizer\.load"):
        normalize(tmp_path / "result.json")


@pytest.mark.parametrize("head, what", [(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
                                        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
                                        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
                                        (b"PK\x03\x04\x14\x00\x06\x00", "Office document"),
                                        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a WebP image")])
def test_a_document_file_is_named_for_what_it_is(head, what):
    with pytest.raises(NormalizeError, match=f"this is .*{what}.*not a parsing service's result"):
        normalize(head + bytes(range(256)) * 4)


@pytest.mark.parametrize("sample, forced", [("baidu/annual_report_result.json", "somark"),
                                            ("llamacloud/pending_job_v2.json", "ragflow.documents"),
                                            ("baidu/task_pending.json", "baidu.result"),
                                            ("somark/bare_outputs.json", "whisperer.text"),
                                            ("whisperer/sales.text.txt", "llamacloud.v2")])
def test_a_forced_format_of_another_shape_is_an_error(sample, forced):
    data = (SAMPLES / sample).read_bytes()
    for strict in (False, True):
        with pytest.raises(NormalizeError, match=f"expected {forced} input") as err:
            normalize_all(data, format=forced, strict=strict)
        assert "found" in err.value.message


def test_a_forced_format_that_fits_is_read():
    data = (SAMPLES / "somark" / "bare_outputs.json").read_bytes()
    assert normalize(data, format="somark") == normalize(data)


# --- repairs belong to the document they were made in -----------------------------------------------------

def _v1_list():
    return json.loads((L / "quarterly_v1_sdk_list.json").read_bytes())


def test_sdk_list_repairs_reach_their_entry():
    raw = _v1_list()
    raw[1]["pages"][0]["width"] = "abc"
    docs = normalize_all(json.dumps(raw))
    assert not any("width" in w for w in docs[0].warnings)
    assert any(w.startswith("$[1].pages[0].width: expected number") for w in docs[1].warnings)
    with pytest.raises(NormalizeError) as err:
        normalize_all(json.dumps(raw), strict=True)
    assert err.value.path == "$[1].pages[0].width"


def test_document_list_repairs_reach_their_document():
    raw = json.loads((R / "documents_http.json").read_bytes())
    raw["data"]["docs"][1]["name"] = 5
    raw["data"]["total"] = "2"  # the envelope's: every document is told
    docs = normalize_all(raw)
    assert docs[1].file_name == "5"
    assert any(w.startswith("$.data.docs[1].name: expected string") for w in docs[1].warnings)
    assert not any(".name" in w for w in docs[0].warnings)
    assert all(any(w.startswith("$.data.total") for w in d.warnings) for d in docs)
    with pytest.raises(NormalizeError) as err:
        normalize_all(raw, strict=True)
    assert err.value.path in ("$.data.total", "$.data.docs[1].name")


def test_upload_list_repairs_reach_their_document():
    raw = json.loads((R / "upload_documents.json").read_bytes())
    raw["data"][0]["size"] = "big"  # declared Any: no repair; a typed field is
    raw["data"][0]["progress"] = "half"
    docs = normalize_all(raw)
    assert any(w.startswith("$.data[0].progress") for w in docs[0].warnings) and docs[1].warnings == []


def test_retrieval_repairs_reach_the_document_of_the_chunk():
    raw = json.loads((R / "retrieval_two_documents.json").read_bytes())
    index = next(i for i, c in enumerate(raw["data"]["chunks"]) if c["document_id"] != raw["data"]["chunks"][0]["document_id"])
    raw["data"]["chunks"][index]["content"] = 42
    docs = normalize_all(raw)
    assert any(w.startswith(f"$.data.chunks[{index}].content") for w in docs[1].warnings)
    assert not any(".content" in w for w in docs[0].warnings)
    with pytest.raises(NormalizeError) as err:
        normalize_all(raw, strict=True)
    assert err.value.path == f"$.data.chunks[{index}].content"


def test_split_matches_whole_path_steps():
    repairs = Repairs()
    for path in ("$[1].a", "$[10].b", "$[1]", "$.x"):
        repairs.note(path, "n")
    one, ten = repairs.split([("$[1]",), ("$[10]",)])
    assert [w.split(":")[0] for w in one.collected()] == ["$.x", "$[1].a", "$[1]"]
    assert [w.split(":")[0] for w in ten.collected()] == ["$.x", "$[10].b"]


# --- hostile tables cost what their size costs -------------------------------------------------------------

def _cost(fn):
    """(result, CPU seconds, peak bytes): the best of three runs' CPU time (for ratios between two runs, never
    a bound on its own: the machine may be loaded), then one more run under tracemalloc."""
    elapsed = float("inf")
    for _ in range(3):
        start = time.process_time()
        result = fn()
        elapsed = min(elapsed, time.process_time() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


@pytest.mark.parametrize("html", [
    '<table><tr><td colspan="99999999">x</td></tr></table>',
    '<table><tr><td rowspan="99999999">x</td><td>y</td></tr><tr><td>z</td></tr></table>',
    '<table><tr><td colspan="' + "9" * 5000 + '">x</td></tr></table>',
    "<table>" + ("<tr>" + "<td colspan=1000>x</td>" * 100 + "</tr>") * 2 + "<tr><td>y</td></tr>" * 100 + "</table>",
], ids=["colspan", "rowspan", "digits", "wide-spans"])
def test_a_hostile_table_is_bounded(html):
    repairs = Repairs()
    parsed, _, peak = _cost(lambda: from_html(html, repairs, "$.html"))
    table = parsed.table
    assert peak < 50 * 2**20, peak  # with the grid bound below: what the table costs, whatever its spans say
    assert grid_problems(table) == [] and table.n_rows * table.n_cols <= max(16 * len(table.cells), 65_536)
    assert repairs.warnings
    with pytest.raises(NormalizeError):
        from_html(html, Repairs(strict=True), "$.html")


def test_a_ragged_table_costs_what_its_cells_cost():
    ragged = "<table><tr>" + "<td>x</td>" * 3000 + "</tr>" + "<tr><td>y</td></tr>" * 3000 + "</table>"
    square = "<table>" + ("<tr>" + "<td>x</td>" * 60 + "</tr>") * 100 + "</table>"  # as many cells, no padding
    repairs = Repairs()
    parsed, elapsed, peak = _cost(lambda: from_html(ragged, repairs, "$.html"))
    _, plain, plain_peak = _cost(lambda: from_html(square, Repairs(), "$.html"))
    assert elapsed < 5 * plain + 0.01 and peak < 3 * plain_peak, (elapsed, plain, peak, plain_peak)
    assert (parsed.table.n_rows, parsed.table.n_cols) == (3001, 1) and grid_problems(parsed.table) == []
    assert parsed.table.cells[0].text.count("\t") == 2999 and "one cell" in repairs.warnings[0]


def test_a_hostile_somark_table_normalizes_quickly():
    raw = json.loads((SAMPLES / "somark" / "bare_outputs.json").read_bytes())
    page = copy.deepcopy(raw["pages"][0])
    page["blocks"] = [{"idx": 0, "type": "table", "format": "html", "bbox": [0, 0, 10, 10],
                       "content": "<table>" + ("<tr>" + "<td colspan=1000>x</td>" * 100 + "</tr>") * 2
                                  + "<tr><td>y</td></tr>" * 100 + "</table>"}]
    raw["pages"] = [page]
    doc, _, peak = _cost(lambda: normalize(raw))
    assert peak < 50 * 2**20
    assert doc.blocks[0].table.n_cols == 100 and any("spans ignored" in w for w in doc.warnings)


@pytest.mark.parametrize("text, refused", [
    ("a" * 1_000_000, True), ("<<<" * 340_000, True), ("<<< " * 250_000, True),
    ("\n<<<" * 250_000 + "x", False), (("x" * 999 + "\f") * 1000, False), (("\r\n" * 10 + "<<<\r") * 40_000, False),
], ids=["one-line", "separators-glued", "separator-words", "separator-lines", "form-feeds", "carriage-returns"])
def test_separator_detection_is_linear_on_a_megabyte(text, refused):
    """Plain text without separators is refused, the rest converts; either way in time linear in its size: 8x the
    text costs about 8x the CPU time (below 24; a quadratic scan gives 64), measured without a wall-clock bound."""
    from normalizer import sniffers
    from normalizer.providers import llmwhisperer

    from .test_linear_text import BOUND, growth
    pages = llmwhisperer.split_pages(text, llmwhisperer.separator_of(text))
    assert sniffers.whisperer_text(text) is not refused
    assert sum(len(p) for p, _ in pages) <= len(text)
    split = lambda t: llmwhisperer.split_pages(t, llmwhisperer.separator_of(t))  # noqa: E731
    assert growth(split, lambda n: text[:n], len(text) // 8, len(text)) < BOUND
    if refused:
        with pytest.raises(NormalizeError, match="without LLMWhisperer's page separators"):
            normalize(text)
    else:
        assert normalize(text).pages
