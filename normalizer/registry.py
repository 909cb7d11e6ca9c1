"""Every format docnorm reads, in one ordered table: (format id, provider, sniff, convert, what it expects).

Detection tries the sniffers in table order; the first that holds names the format. A format given by the
caller (`format=`) must still look like itself: its sniffer (for text formats: being text) must hold, or the
error names what was expected and what was found, instead of a "success" with nothing in it.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from . import canonical
from .detect import Probe, shape
from .errors import NormalizeError, Repairs
from .providers import (baidu, docling, llamacloud_v2, llamaparse_v1, llmwhisperer, markdown, marker, mineru,
                        mineru_model, mineru_v2, omnidocbench, paddle, ragflow, somark, unstructured)
from .schema import Document

Convert = Callable[[Any, Repairs], list[Document]]


class Format(NamedTuple):
    id: str
    provider: str
    sniff: Callable[[Any], bool]   # a Probe for JSON formats, the text itself for text formats
    convert: Convert
    expects: str                   # what the input looks like, for the error when a forced format does not fit
    shape: Any = None              # the type the raw JSON decodes into (its provider structs), for the tests
    text: bool = False             # read from plain text, not JSON
    any_text: bool = False         # every text is this format's (Markdown): named, it reads even JSON-looking text


FORMATS: tuple[Format, ...] = (
    Format("docnorm", "docnorm", canonical.sniff, canonical.convert,
           'canonical JSON (an object or a list of objects with "schema": "docnorm/…")', Document),
    Format("docling", docling.PROVIDER, docling.sniff, docling.convert,
           'a DoclingDocument JSON {"schema_name": "DoclingDocument", body, texts, tables, pictures, pages}',
           docling.DoclingJson),
    Format("unstructured", unstructured.PROVIDER, unstructured.sniff, unstructured.convert,
           "unstructured's elements JSON: a list of {type, element_id, text, metadata}", list[unstructured.Element]),
    Format("mineru", mineru.PROVIDER, mineru.sniff, mineru.convert,
           "MinerU's content_list.json: a list of {type, page_idx, bbox, …} blocks", list[mineru.Entry]),
    Format("mineru.middle", mineru.PROVIDER, mineru.sniff_middle, mineru.convert_middle,
           'MinerU\'s middle.json: {"pdf_info": [{page_idx, page_size, para_blocks, discarded_blocks}]}', mineru.Middle),
    Format("mineru.v2", mineru_v2.PROVIDER, mineru_v2.sniff, mineru_v2.convert,
           "MinerU's content_list_v2.json: a list of pages, each a list of {type, content, bbox} items",
           list[list[mineru_v2.Entry | None] | None]),
    Format("mineru.model", mineru_model.PROVIDER, mineru_model.sniff, mineru_model.convert,
           "MinerU's model.json: a list of pages {layout_dets: [{category_id, poly, score, …}], page_info: "
           "{page_no, width, height}}", list[mineru_model.MPage]),
    Format("marker", marker.PROVIDER, marker.sniff, marker.convert,
           'marker\'s JSON: {"children": [{"block_type": "Page", children: [blocks]}]}', marker.MarkerJson),
    Format("omnidocbench", omnidocbench.PROVIDER, omnidocbench.sniff, omnidocbench.convert,
           "OmniDocBench's annotation JSON: a list of pages {layout_dets, page_info, extra: {relation}} (or one page)",
           omnidocbench.Shape),
    Format("llamacloud.v2", llamacloud_v2.PROVIDER, llamacloud_v2.sniff, llamacloud_v2.convert,
           "a v2 parse response with a job object {id, status}", llamacloud_v2.Response),
    Format("ragflow.documents", ragflow.PROVIDER, ragflow.sniff_documents, ragflow.convert_documents,
           "a RAGFlow response {code, data} whose data lists documents, is one, or is a parsing status", ragflow.Envelope),
    Format("ragflow.retrieval", ragflow.PROVIDER, ragflow.sniff_retrieval, ragflow.convert_retrieval,
           "a RAGFlow retrieval response {code, data: {chunks, doc_aggs}}", ragflow.Envelope),
    Format("ragflow.chunks", ragflow.PROVIDER, ragflow.sniff_chunks, ragflow.convert_chunks,
           "a RAGFlow chunk list {code, data: {chunks, doc}}", ragflow.Envelope),
    Format("somark", somark.PROVIDER, somark.sniff, somark.convert,
           "a SoMark envelope {code, message, data} or a bare outputs.json {pages: [{blocks}]}", somark.Envelope),
    Format("paddle.vl", paddle.PROVIDER, paddle.sniff_vl, paddle.convert_vl,
           "a PaddleOCR-VL page result {parsing_res_list, layout_det_res, page_index, …} (or {\"res\": …})",
           paddle.PageRes),
    Format("paddle.structure", paddle.PROVIDER, paddle.sniff_structure, paddle.convert_structure,
           "a PP-StructureV3 page result {parsing_res_list, overall_ocr_res, table_res_list, …} (or {\"res\": …})",
           paddle.PageRes),
    Format("paddle.api", paddle.PROVIDER, paddle.sniff_api, paddle.convert_api,
           "a PaddleOCR layout-parsing response {result: {layoutParsingResults, dataInfo}} or {errorCode, errorMsg}",
           paddle.Api),
    Format("baidu.task", baidu.PROVIDER, baidu.sniff_task, baidu.convert_task,
           "a Baidu task response {log_id, result: {task_id}} or {error_code, error_msg}", baidu.Task),
    Format("baidu.result", baidu.PROVIDER, baidu.sniff_result, baidu.convert_result,
           "a Baidu parse result {file_name, pages: [{layouts, meta}]}", baidu.Result),
    Format("llamaparse.v1", llamaparse_v1.PROVIDER, llamaparse_v1.sniff, llamaparse_v1.convert,
           "a v1 /result/json object {pages: [{page, md|text|items}]}, the SDK's list of them, or a job status",
           llamaparse_v1.Shape),
    Format("whisperer.retrieve", llmwhisperer.PROVIDER, llmwhisperer.sniff_retrieve, llmwhisperer.convert_retrieve,
           "a whisper-retrieve response {result_text, …} or the client's {status_code, extraction}",
           llmwhisperer.Retrieve),
    Format("whisperer.status", llmwhisperer.PROVIDER, llmwhisperer.sniff_status, llmwhisperer.convert_status,
           "a whisper-status response {status, message?, detail?}", llmwhisperer.Status),
    Format("whisperer.text", llmwhisperer.PROVIDER, llmwhisperer.sniff_text, llmwhisperer.convert_text,
           "plain text (LLMWhisperer's result_text)", text=True),
    Format("markdown", markdown.PROVIDER, markdown.sniff, markdown.convert,
           "Markdown text: a .md/.markdown file or format='markdown' (from content alone only with marker's "
           "or docnorm's page separators)", text=True, any_text=True),
)
BY_ID: dict[str, Format] = {f.id: f for f in FORMATS}


def get(format_id: str) -> Format:
    try:
        return BY_ID[format_id]
    except KeyError:
        raise NormalizeError("$", f"expected a format id ({', '.join(sorted(BY_ID))}), "
                                  f"found {format_id!r}") from None


def detect(p: Probe | str) -> Format:
    """The first format whose sniffer holds; a `NormalizeError` describing the input when none does."""
    is_text = isinstance(p, str)
    for f in FORMATS:
        if f.text == is_text and f.sniff(p):
            return f
    if is_text:
        zeros = " (it holds zero bytes: UTF-16 or UTF-32 without a byte order mark? save it as UTF-8)" \
            if "\x00" in p else ""
        raise NormalizeError("$", "expected a known provider format, found plain text without LLMWhisperer's "
                                  f"page separators (a '<<<' line or form feeds){zeros}; if it is LLMWhisperer text "
                                  "with another separator, force it with --format whisperer.text "
                                  "(format='whisperer.text'); if it is Markdown, name the file .md or force "
                                  "--format markdown (format='markdown')")
    raise NormalizeError("$", f"expected a known provider format, found {shape(p)}; known formats: "
                              + ", ".join(sorted(BY_ID)))


def forced(format_id: str, p: Probe | str) -> Format:
    """The format the caller named, once the input has been checked to have its shape."""
    f = get(format_id)
    fits = isinstance(p, str) if f.text else (not isinstance(p, str) and f.sniff(p))
    if not fits:
        raise NormalizeError("$", f"expected {f.id} input ({f.expects}), found {shape(p)}")
    return f
