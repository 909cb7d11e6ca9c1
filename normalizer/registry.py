"""Every format docnorm reads, in one ordered table: (format id, provider, sniff, reader, what it expects, shape).

Detection tries the sniffers in table order; the first that holds names the format. A format given by the
caller (`format=`) must still look like itself: its sniffer (for text formats: being text) must hold, or the
error names what was expected and what was found, instead of a "success" with nothing in it.

The sniffers are cheap (`normalizer.sniffers`, nothing but `detect`); a row names its reader as
`"module:function"` strings, imported the first time that format is converted (`Format.convert`), so that
detecting a format or starting the command line imports no reader, and reading one format imports only its own.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, NamedTuple

from . import sniffers as s
from .detect import Probe, shape
from .errors import NormalizeError, Repairs
from .schema import Document

Convert = Callable[[Any, Repairs], list[Document]]


def resolve(name: str) -> Any:
    """What a `"module:attribute"` string names, the module imported on first use (a bare module name is one of
    `normalizer.providers`).

    Example:
        >>> resolve("somark:PROVIDER"), resolve("normalizer.schema:SCHEMA")
        ('somark', 'docnorm/1')
    """
    found = _RESOLVED.get(name)
    if found is None:
        module, _, attribute = name.partition(":")
        path = module if "." in module else f"normalizer.providers.{module}"
        found = _RESOLVED[name] = getattr(importlib.import_module(path), attribute)
    return found


_RESOLVED: dict[str, Any] = {}


class Format(NamedTuple):
    id: str
    provider: str
    sniff: Callable[[Any], bool]   # a Probe for JSON formats, the text itself for text formats
    reader: str                    # "module:function" converting it, imported on first use
    expects: str                   # what the input looks like, for the error when a forced format does not fit
    shape_of: str | None = None    # "module:Name" of the type the raw JSON decodes into (its provider structs)
    text: bool = False             # read from plain text, not JSON
    any_text: bool = False         # every text is this format's (Markdown): named, it reads even JSON-looking text

    @property
    def convert(self) -> Convert:
        """The reader: `convert(raw, repairs) -> list[Document]` (its module imported now, if it was not)."""
        return resolve(self.reader)

    @property
    def shape(self) -> Any:
        """The type the raw JSON decodes into (its provider structs), for the tests; None for text formats."""
        return resolve(self.shape_of) if self.shape_of else None


FORMATS: tuple[Format, ...] = (
    Format("docnorm", "docnorm", s.canonical, "normalizer.canonical:convert",
           'canonical JSON (an object or a list of objects with "schema": "docnorm/…")', "normalizer.schema:Document"),
    Format("docling", "docling", s.docling, "docling:convert",
           'a DoclingDocument JSON {"schema_name": "DoclingDocument", body, texts, tables, pictures, pages}',
           "docling:DoclingJson"),
    Format("unstructured", "unstructured", s.unstructured, "unstructured:convert",
           "unstructured's elements JSON: a list of {type, element_id, text, metadata}", "unstructured:Shape"),
    Format("mineru", "mineru", s.mineru, "mineru:convert",
           "MinerU's content_list.json: a list of {type, page_idx, bbox, …} blocks", "mineru:Shape"),
    Format("mineru.middle", "mineru", s.mineru_middle, "mineru:convert_middle",
           'MinerU\'s middle.json: {"pdf_info": [{page_idx, page_size, para_blocks, discarded_blocks}]}',
           "mineru:Middle"),
    Format("mineru.v2", "mineru", s.mineru_v2, "mineru_v2:convert",
           "MinerU's content_list_v2.json: a list of pages, each a list of {type, content, bbox} items",
           "mineru_v2:Shape"),
    Format("mineru.model", "mineru", s.mineru_model, "mineru_model:convert",
           "MinerU's model.json: a list of pages {layout_dets: [{category_id, poly, score, …}], page_info: "
           "{page_no, width, height}}", "mineru_model:Shape"),
    Format("marker", "marker", s.marker, "marker:convert",
           'marker\'s JSON: {"children": [{"block_type": "Page", children: [blocks]}]}', "marker:MarkerJson"),
    Format("omnidocbench", "omnidocbench", s.omnidocbench, "omnidocbench:convert",
           "OmniDocBench's annotation JSON: a list of pages {layout_dets, page_info, extra: {relation}} (or one page)",
           "omnidocbench:Shape"),
    Format("llamacloud.v2", "llamacloud", s.llamacloud_v2, "llamacloud_v2:convert",
           "a v2 parse response with a job object {id, status}", "llamacloud_v2:Response"),
    Format("ragflow.documents", "ragflow", s.ragflow_documents, "ragflow:convert_documents",
           "a RAGFlow response {code, data} whose data lists documents, is one, or is a parsing status",
           "ragflow:Envelope"),
    Format("ragflow.retrieval", "ragflow", s.ragflow_retrieval, "ragflow:convert_retrieval",
           "a RAGFlow retrieval response {code, data: {chunks, doc_aggs}}", "ragflow:Envelope"),
    Format("ragflow.chunks", "ragflow", s.ragflow_chunks, "ragflow:convert_chunks",
           "a RAGFlow chunk list {code, data: {chunks, doc}}", "ragflow:Envelope"),
    Format("somark", "somark", s.somark, "somark:convert",
           "a SoMark envelope {code, message, data} or a bare outputs.json {pages: [{blocks}]}", "somark:Envelope"),
    Format("paddle.vl", "paddle", s.paddle_vl, "paddle:convert_vl",
           "a PaddleOCR-VL page result {parsing_res_list, layout_det_res, page_index, …} (or {\"res\": …})",
           "paddle:PageRes"),
    Format("paddle.structure", "paddle", s.paddle_structure, "paddle:convert_structure",
           "a PP-StructureV3 page result {parsing_res_list, overall_ocr_res, table_res_list, …} (or {\"res\": …})",
           "paddle:PageRes"),
    Format("paddle.api", "paddle", s.paddle_api, "paddle:convert_api",
           "a PaddleOCR layout-parsing response {result: {layoutParsingResults, dataInfo}} or {errorCode, errorMsg}",
           "paddle:Api"),
    Format("baidu.task", "baidu", s.baidu_task, "baidu:convert_task",
           "a Baidu task response {log_id, result: {task_id}} or {error_code, error_msg}", "baidu:Task"),
    Format("baidu.result", "baidu", s.baidu_result, "baidu:convert_result",
           "a Baidu parse result {file_name, pages: [{layouts, meta}]}", "baidu:Result"),
    Format("llamaparse.v1", "llamacloud", s.llamaparse_v1, "llamaparse_v1:convert",
           "a v1 /result/json object {pages: [{page, md|text|items}]}, the SDK's list of them, or a job status",
           "llamaparse_v1:Shape"),
    Format("whisperer.retrieve", "llmwhisperer", s.whisperer_retrieve, "llmwhisperer:convert_retrieve",
           "a whisper-retrieve response {result_text, …} or the client's {status_code, extraction}",
           "llmwhisperer:Retrieve"),
    Format("whisperer.status", "llmwhisperer", s.whisperer_status, "llmwhisperer:convert_status",
           "a whisper-status response {status, message?, detail?}", "llmwhisperer:Status"),
    Format("whisperer.text", "llmwhisperer", s.whisperer_text, "llmwhisperer:convert_text",
           "plain text (LLMWhisperer's result_text)", text=True),
    Format("markdown", "markdown", s.markdown, "markdown:convert",
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
