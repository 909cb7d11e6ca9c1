"""RAGFlow: run states in both spellings, legacy keys, positions, table chunks, retrieval grouping."""

from __future__ import annotations

import json

import pytest

from normalizer import NormalizeError, load, normalize, normalize_all
from normalizer.providers import ragflow

from .conftest import SAMPLES, shared_files

R = SAMPLES / "ragflow"


def chunk_list(*chunks, doc=None):
    data = {"total": len(chunks), "chunks": list(chunks)}
    if doc is not None:
        data["doc"] = doc
    return json.dumps({"code": 0, "data": data}).encode()


def chunk(cid="c1", content="text", positions=(), kind="text"):
    return {"id": cid, "content": content, "document_id": "d1", "docnm_kwd": "f.pdf", "doc_type_kwd": kind,
            "positions": list(positions)}


def test_every_task_status_name_and_digit_is_mapped():
    assert set(ragflow.RUN_STATUS) == {"UNSTART", "RUNNING", "CANCEL", "DONE", "FAIL", "SCHEDULE"}
    assert set(ragflow.RUN_NAMES) == {"0", "1", "2", "3", "4", "5"}
    assert set(ragflow.CHUNK_KINDS) >= {"text", "table", "image", "video", ""}


def test_document_lists_in_both_key_styles_agree():
    http = load(R / "documents_http.json")
    legacy = load(R / "documents_legacy.json")
    assert [d.job.status for d in http] == ["succeeded", "failed", "running", "queued", "cancelled"]
    assert [d.job.status for d in legacy] == ["succeeded", "failed", "running", "queued", "cancelled", "queued"]
    assert [d.job.provider_status for d in http] == ["DONE", "FAIL", "RUNNING", "UNSTART", "CANCEL"]
    assert [d.job.provider_status for d in legacy] == ["3", "4", "1", "0", "2", "5"]
    for a, b in zip(http, legacy):
        assert a.file_name == b.file_name and a.job.id == b.job.id and a.job.error == b.job.error
        for key in ("dataset_id", "chunk_method", "chunk_count", "token_count"):
            assert a.extra[key] == b.extra[key], key
        assert not set(b.extra) & set(ragflow.LEGACY_KEYS)
    assert all(d.pages == [] and d.blocks == [] for d in http)


def test_failure_text_comes_from_error_lines_and_progress_minus_one_is_not_a_progress():
    failed = load(R / "documents_http.json")[1]
    assert failed.job.error.splitlines() == [
        "[ERROR]Fail to bind LLM used by RAPTOR: model 'qwen-plus' not authorised",
        "[ERROR]handle_task got exception, please check log"]
    assert failed.job.progress is None and failed.extra["progress"] == -1
    running = load(R / "documents_http.json")[2]
    assert running.job.progress == 0.35 and running.job.error is None


def test_status_one_is_not_a_job_state_and_progress_minus_one_wins():
    doc = {"id": "x", "name": "a.pdf", "run": "DONE", "status": "1", "progress": -1, "progress_msg": "boom"}
    docs = normalize_all(json.dumps({"code": 0, "data": {"total": 1, "docs": [doc]}}).encode())
    assert docs[0].job.status == "failed" and docs[0].job.error == "boom" and docs[0].extra["status"] == "1"
    assert any("progress -1" in w for w in docs[0].warnings)


def test_unknown_run_state_is_reported():
    docs = normalize_all(b'{"code": 0, "data": {"docs": [{"id": "x", "run": "PAUSED"}]}}')
    assert docs[0].job.status == "unknown" and any("PAUSED" in w for w in docs[0].warnings)


def test_positions_become_locations_and_boxes_with_x_first_order_undone():
    doc = load(R / "chunks_agreement.json")[0]
    first = doc.chunks[0]
    assert [(loc.page, loc.bbox) for loc in first.locations] == [(1, [72, 70, 523, 96]), (1, [72, 104, 523, 150])]
    block = doc.blocks[0]
    assert block.bbox == [72, 70, 523, 150] and block.extra["boxes"] == [[72, 70, 523, 96], [72, 104, 523, 150]]
    assert all(p.unit == "pt" and p.width is None for p in doc.pages)


def test_a_chunk_over_two_pages_keeps_every_location_and_a_box_on_each_page():
    doc = load(R / "chunks_agreement.json")[0]
    term = next(c for c in doc.chunks if c.text.startswith("2. Term"))
    assert [loc.page for loc in term.locations] == [1, 2]
    blocks = [b for b in doc.blocks if b.id in term.block_ids]
    assert [(b.page, b.bbox) for b in blocks] == [(1, [72, 690, 523, 770]), (2, [72, 56, 523, 118])]
    assert blocks[0].text == term.text and blocks[1].text == "" and blocks[1].extra["continues"] == blocks[0].id
    assert term.extra["available"] is False and term.keywords == ["termination"]


def test_table_chunk_becomes_a_table_with_spans_and_a_linked_caption():
    doc = load(R / "chunks_agreement.json")[0]
    table = next(b for b in doc.blocks if b.kind == "table")
    cells = {(c.row, c.col): (c.text, c.row_span, c.col_span, c.header) for c in table.table.cells}
    assert cells[(0, 0)] == ("Service", 2, 1, True) and cells[(0, 1)] == ("Fee (EUR)", 1, 2, True)
    assert cells[(3, 1)] == ("included", 1, 2, False)
    assert (table.table.n_rows, table.table.n_cols) == (5, 3) and table.html.startswith("<table>")
    caption = next(b for b in doc.blocks if b.id in table.captions)
    assert caption.kind == "caption" and caption.text == "Schedule A: Service fees"
    chunk_ = next(c for c in doc.chunks if c.kind == "table")
    assert chunk_.extra["image_id"].endswith(chunk_.id)


def test_image_chunk_is_a_figure_and_a_chunk_without_positions_is_still_shown():
    doc = load(R / "chunks_agreement.json")[0]
    figure = next(b for b in doc.blocks if b.kind == "figure")
    assert figure.image.id.endswith("4e5f60718293a4b5c6d7e8f90a1b2c3d") and figure.page == 2
    last = doc.blocks[-1]
    assert last.text.startswith("Signed for") and last.bbox is None and last.page == 2
    assert doc.chunks[-1].locations == []


@pytest.mark.parametrize("positions", [[], [""]])
def test_empty_positions_are_tolerated(positions):
    doc = normalize(chunk_list(chunk(positions=positions)))
    assert doc.warnings == ["$.data.chunks: 1 chunk(s) have no positions; each placed on the page of the chunk "
                            "before it, without a box"]
    assert doc.blocks[0].text == "text" and doc.chunks[0].locations == []


def test_a_malformed_position_is_kept_or_raised_with_its_path():
    data = chunk_list(chunk(positions=[[1, 10, 20, 30, 40], [1, 2, 3], "x"]))
    doc = normalize(data)
    assert doc.chunks[0].extra["bad_positions"] == [[1, 2, 3], "x"] and len(doc.chunks[0].locations) == 1
    with pytest.raises(NormalizeError) as err:
        normalize(data, strict=True)
    assert err.value.path == "$.data.chunks[0].positions[1]"


def test_a_table_chunk_without_html_is_a_paragraph_with_a_note():
    doc = normalize(chunk_list(chunk(content="Region | Revenue", kind="table", positions=[[1, 0, 10, 0, 10]])))
    assert doc.blocks[0].kind == "paragraph" and any("without an HTML table" in w for w in doc.warnings)


def test_retrieval_gives_one_document_per_document_id_with_scores():
    docs = load(R / "retrieval_two_documents.json")
    assert [d.file_name for d in docs] == ["master_services_agreement.pdf", "employee_handbook_2025.pdf"]
    assert [len(d.chunks) for d in docs] == [2, 1]
    scores = docs[0].chunks[0].scores
    assert (scores["similarity"], scores["vector_similarity"], scores["term_similarity"]) == (0.7931, 0.841, 0.7726)
    assert docs[0].extra["retrieval"]["doc_aggs"][1]["doc_name"] == "employee_handbook_2025.pdf"
    assert docs[1].blocks[0].page == 7 and [p.number for p in docs[1].pages] == [7]


@pytest.mark.parametrize("fmt", ["ragflow.documents", "ragflow.chunks", "ragflow.retrieval"])
@pytest.mark.parametrize("data", [{}, {"data": None}, {"data": False}, {"data": {}}])
def test_an_error_envelope_is_one_failed_document_with_the_message(fmt, data):
    raw = {"code": 102, "message": "You don't own the dataset.", **data}
    doc = normalize(raw, format=fmt)
    assert (doc.format, doc.job.status) == (fmt, "failed")
    assert doc.job.error == "code 102: You don't own the dataset."
    assert doc.extra["list"]["code"] == 102 and doc.extra["list"].get("data", False) is False
    assert not doc.warnings and not doc.blocks


def test_an_empty_document_list_is_no_document_not_a_failure():
    assert normalize_all({"code": 0, "message": "success", "data": {"docs": [], "total": 0}}) == []


def test_empty_retrieval_is_one_empty_document():
    docs = normalize_all(b'{"code": 0, "data": {"chunks": [], "doc_aggs": [], "total": 0}}')
    assert len(docs) == 1 and docs[0].chunks == [] and docs[0].extra["retrieval"]["total"] == 0


@pytest.mark.parametrize("path", shared_files("ragflow_"), ids=lambda p: p.name)
def test_shared_examples_normalize(path):
    docs = normalize_all(path.read_bytes())
    assert docs and all(d.provider == "ragflow" and d.warnings == [] for d in docs)


def test_shared_chunk_example(shared_dir):
    doc = normalize((shared_dir / "examples" / "ragflow_http_list_chunks.json").read_bytes())
    assert len(doc.chunks) == 4 and [p.number for p in doc.pages] == [1, 2]
    assert next(b for b in doc.blocks if b.kind == "table").table.n_cols == 3
