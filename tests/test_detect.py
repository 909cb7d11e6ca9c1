"""Detection: every documented shape gets its pinned format id, from bytes, str or parsed JSON."""

from __future__ import annotations

import json

import pytest

from normalizer import NormalizeError, detect

from .conftest import SAMPLES

EXPECTED = {
    "baidu_error_task_not_exist.json": "baidu.task",
    "baidu_parse_result.json": "baidu.result",
    "baidu_task_query_failed.json": "baidu.task",
    "baidu_task_query_success.json": "baidu.task",
    "baidu_task_submit.json": "baidu.task",
    "baidu_task_query_success_xmind.json": "baidu.task",
    "llamacloud_v1_job_status_success.json": "llamaparse.v1",
    "llamacloud_v1_result_json.json": "llamaparse.v1",
    "llamacloud_v1_sdk_get_json_result_list.json": "llamaparse.v1",
    "llamacloud_v2_parse_get_completed.json": "llamacloud.v2",
    "llamacloud_v2_parse_get_failed.json": "llamacloud.v2",
    "llamaparse_v1_result_json_puffinparse.json": "llamaparse.v1",
    "llmwhisperer_v2_client_whisper_result.json": "whisperer.retrieve",
    "llmwhisperer_v2_whisper_retrieve.json": "whisperer.retrieve",
    "llmwhisperer_v2_whisper_status_processed.json": "whisperer.status",
    "llmwhisperer_v2_whisper_status_processing.json": "whisperer.status",
    "llmwhisperer_v2_whisper_submit_202.json": "whisperer.status",
    "llmwhisperer_result_text_handwritten-form.form.layout_preserving.txt": "whisperer.text",
    "llmwhisperer_result_text_restaurant_invoice_photo.high_quality.layout_preserving.txt": "whisperer.text",
    "llmwhisperer_result_text_restaurant_invoice_photo.high_quality.text.txt": "whisperer.text",
    "ragflow_http_list_chunks.json": "ragflow.chunks",
    "ragflow_http_list_documents.json": "ragflow.documents",
    "ragflow_http_retrieval.json": "ragflow.retrieval",
    "ragflow_web_v1_document_list_legacy.json": "ragflow.documents",
    "somark_async_check_processing.json": "somark",
    "somark_async_check_success.json": "somark",
    "somark_async_submit.json": "somark",
    "somark_error_invalid_key.json": "somark",
    "somark_dmxapi_responses_capture.json": "somark",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shared_examples_and_captures(name, shared_dir):
    path = next(shared_dir.glob(f"*/{name}"))
    data = path.read_bytes()
    assert detect(data) == EXPECTED[name]
    assert detect(data.decode("utf-8")) == EXPECTED[name]
    if path.suffix == ".json":
        assert detect(json.loads(data)) == EXPECTED[name]


def test_every_shared_file_is_covered(shared_dir):
    names = {p.name for p in shared_dir.glob("*/*") if p.suffix in (".json", ".txt")}
    assert names - {"llmwhisperer_v2_highlights.json"} == set(EXPECTED)  # highlights is a sidecar, no format id


# Shapes written inline, so detection is tested from the documented shapes alone.
INLINE = [
    ({"job": {"id": "pjb-1", "project_id": "p", "status": "RUNNING"}}, "llamacloud.v2"),
    ({"pages": [{"page": 1, "md": "# x"}], "job_metadata": {}}, "llamaparse.v1"),
    ([{"pages": [{"page": 1, "text": "x"}], "job_id": "j", "file_path": "a.pdf"}], "llamaparse.v1"),
    ({"id": "j", "status": "SUCCESS"}, "llamaparse.v1"),
    ({"code": 0, "message": "ok", "data": {"task_id": "t", "result": {"outputs": {"json": {"pages": []}}}}}, "somark"),
    ({"code": 1107, "message": "API Key invalid", "data": None}, "somark"),
    ({"pages": [{"page_num": 0, "page_size": {"w": 1, "h": 1}, "blocks": []}]}, "somark"),
    ({"log_id": "1", "error_code": 0, "error_msg": "", "result": {"task_id": "t", "status": "running"}}, "baidu.task"),
    ({"log_id": "1", "error_code": 282007, "error_msg": "task not exist"}, "baidu.task"),
    ({"file_name": "a.pdf", "file_id": "f", "pages": [{"page_id": "p0", "page_num": 0, "layouts": []}]}, "baidu.result"),
    ({"result_text": "a<<<\f", "confidence_metadata": [], "metadata": {}}, "whisperer.retrieve"),
    ({"status_code": 200, "extraction": {"result_text": "x"}}, "whisperer.retrieve"),
    ({"status": "processing"}, "whisperer.status"),
    ({"status": "error_ocr", "message": "bad"}, "whisperer.status"),
    ({"code": 0, "data": {"docs": [], "total": 0}}, "ragflow.documents"),
    ({"code": 0, "data": {"chunks": [], "doc": {}, "total": 0}}, "ragflow.chunks"),
    ({"code": 0, "data": {"chunks": [], "doc_aggs": [], "total": 0}}, "ragflow.retrieval"),
    # error envelopes carry no data: the code's documented range tells the provider (SoMark 11xx, RetCode)
    ({"code": 1107, "message": "API Key invalid"}, "somark"),
    ({"code": 102, "message": "You don't own the dataset."}, "ragflow.documents"),
    ({"code": 109, "message": "Authentication error: API key is invalid!", "data": False}, "ragflow.documents"),
    ({"code": 102, "message": "Document not found", "data": None}, "ragflow.documents"),
    ({"code": [], "message": "x", "data": None}, "somark"),  # a code of the wrong type is not a crash
    ({"schema": "docnorm/1", "provider": "x", "format": "docnorm"}, "docnorm"),
    # the open-source parsers, each told from the services and from each other
    ({"schema_name": "DoclingDocument", "version": "1.5.0", "body": {"children": []}, "texts": []}, "docling"),
    ([{"type": "Title", "element_id": "e1", "text": "x", "metadata": {"page_number": 1}}], "unstructured"),
    ([{"type": "text", "text": "x", "bbox": [0, 0, 10, 10], "page_idx": 0}], "mineru"),
    ({"pdf_info": [{"page_idx": 0, "page_size": [612, 792], "para_blocks": []}], "_backend": "pipeline"},
     "mineru.middle"),
    ([[], [{"type": "paragraph", "content": {"paragraph_content": [{"type": "text", "content": "x"}]}}]], "mineru.v2"),
    ([{"layout_dets": [{"category_id": 15, "poly": [0, 0, 9, 0, 9, 5, 0, 5], "score": 1.0, "text": "x"}],
       "page_info": {"page_no": 0, "width": 1700, "height": 2200}}], "mineru.model"),
    ({"children": [{"id": "/page/0/Page/0", "block_type": "Page", "children": []}], "block_type": "Document"},
     "marker"),
    # PaddleOCR: the two pipelines' page results (bare or as res.json's {"res": ...}) and their service, told from
    # each other and from Baidu's cloud results (PaddleOCR-VL there is {file_name, pages: [{layouts}]}: baidu.result)
    ({"input_path": "a.pdf", "page_index": 0, "model_settings": {"use_layout_detection": True},
      "parsing_res_list": [{"block_label": "text", "block_content": "x", "block_bbox": [0, 0, 9, 9]}],
      "layout_det_res": {"boxes": []}}, "paddle.vl"),
    ({"res": {"input_path": "a.jpg", "page_index": None, "parsing_res_list": []}}, "paddle.vl"),
    ({"parsing_res_list": [], "model_settings": {"use_table_recognition": True}}, "paddle.structure"),
    ({"res": {"parsing_res_list": [], "overall_ocr_res": {"rec_texts": []}}}, "paddle.structure"),
    ({"parsing_res_list": [], "formula_res_list": []}, "paddle.structure"),
    ({"logId": "l", "errorCode": 0, "errorMsg": "Success",
      "result": {"layoutParsingResults": [{"prunedResult": {"parsing_res_list": []}, "markdown": {"text": ""}}],
                 "dataInfo": {"type": "image", "width": 1, "height": 1}}}, "paddle.api"),
    ({"layoutParsingResults": [], "dataInfo": {"type": "pdf", "numPages": 0, "pages": []}}, "paddle.api"),
    ({"logId": "l", "errorCode": 500, "errorMsg": "Internal Server Error"}, "paddle.api"),
    ({"file_name": "a.pdf", "file_id": "f", "pages": [{"page_id": "p0", "page_num": 0, "layouts": [
        {"layout_id": "v-0", "text": "x", "position": [0, 0, 9, 9], "type": "paragraph_title"}]}]}, "baidu.result"),
    ({"log_id": "1", "error_code": 282007, "error_msg": "task not exist"}, "baidu.task"),
    # ground truth: OmniDocBench's annotation, a list of pages or one page
    ([{"layout_dets": [{"category_type": "title", "poly": [0, 0, 1, 0, 1, 1, 0, 1], "order": 1, "anno_id": 0}],
       "page_info": {"image_path": "p.jpg", "width": 10, "height": 10, "page_no": 0}, "extra": {"relation": []}}],
     "omnidocbench"),
    ({"layout_dets": [], "page_info": {"image_path": "p.jpg"}}, "omnidocbench"),
]


@pytest.mark.parametrize("raw,expected", INLINE, ids=[e for _, e in INLINE])
def test_inline_shapes(raw, expected):
    assert detect(raw) == expected
    assert detect(json.dumps(raw).encode()) == expected


def test_text_and_bad_input():
    assert detect("Invoice\n<<<\f") == "whisperer.text"
    assert detect("{0}" + "-" * 48 + "\n\n# Page one\n") == "markdown"  # marker's paginated Markdown
    assert detect("<!-- page 1 -->\n\n# Page one\n") == "markdown"  # docnorm's own, with page breaks
    assert detect(b"\xef\xbb\xbf{\"status\": \"processed\"}") == "whisperer.status"  # UTF-8 BOM
    for bad, message in [(b"", "empty"), (b"{\"a\": ", "malformed"), (b"\xff\xfe\x00", "undecodable"),
                         (b"[1, 2]", "array of 2"), (b'{"x": 1}', "known provider format"),
                         (b'{"code": 7, "message": "no such code"}', "known provider format"),
                         (b'{"code": true, "message": "x"}', "known provider format")]:
        with pytest.raises(NormalizeError, match=message) as err:
            detect(bad)
        assert err.value.path == "$"


def test_canonical_files_are_detected():
    from exporters import to_json
    from normalizer import load
    doc = load(SAMPLES / "llamacloud" / "pending_job_v2.json")[0]
    assert detect(to_json(doc)) == "docnorm"
