"""Every format's sniffer: what tells an input's format from a `detect.Probe` (or, for text formats, the text).

They live apart from the readers so that detection imports no reader: the registry (`registry.FORMATS`) loads a
reader's module only once its format is detected or named. A sniffer looks at a few keys near the top of the
input and never decodes more than `Probe` does; each provider module still offers its own under its old name
(`somark.sniff`, `llmwhisperer.sniff_text`, …).
"""

from __future__ import annotations

import re
from typing import Iterator

from .detect import RAGFLOW_ERROR_CODES, SOMARK_ERROR_CODES, Probe, error_code

# --- docnorm, Docling, unstructured, marker ---------------------------------------------------------------


def canonical(p: Probe) -> bool:
    """An object (or a non-empty list of objects) whose `schema` says docnorm wrote it."""
    first = p[0] if p.is_(list) else p
    schema = first["schema"].value
    return isinstance(schema, str) and schema.startswith("docnorm/")


def docling(p: Probe) -> bool:
    """`{"schema_name": "DoclingDocument", …}`."""
    return p["schema_name"].value == "DoclingDocument"


def unstructured(p: Probe) -> bool:
    """A list whose first entry is an element: `type` and `text` or `element_id`, with a `metadata` object."""
    first = p[0]
    return p.is_(list) and first.is_(dict) and {"type", "metadata"} <= first.keys() and \
        bool(first.keys() & {"element_id", "text"}) and first["metadata"].is_(dict)


def marker(p: Probe) -> bool:
    """`{"children": [{"block_type": "Page", …}]}` (marker's Document)."""
    first = p["children"][0]
    return p["children"].is_(list) and first.is_(dict) and first["block_type"].value == "Page"


# --- MinerU, OmniDocBench ----------------------------------------------------------------------------------

MINERU_PAGES_SNIFFED = 64  # leading pages without detections (model.json) or items (v2) looked past
MINERU_DETS_SNIFFED = 8  # detections of model.json's first page that has any looked at (one may be damaged)
MINERU_NULLS_SNIFFED = 8  # leading null items of a content_list_v2 page looked past


def mineru(p: Probe) -> bool:
    """A list whose first entry has a `type` and a `page_idx` (MinerU's content list)."""
    first = p[0]
    return p.is_(list) and first.is_(dict) and {"type", "page_idx"} <= first.keys()


def mineru_middle(p: Probe) -> bool:
    """`{"pdf_info": [{"para_blocks": …}]}` (MinerU's middle.json)."""
    return p["pdf_info"].is_(list) and ("para_blocks" in p["pdf_info"][0] or "page_size" in p["pdf_info"][0])


def mineru_v2(p: Probe) -> bool:
    """A list of page lists whose first item is `{type, content}` (MinerU's content_list_v2.json)."""
    if not (p.is_(list) and p[0].is_(list)):
        return False
    for k in range(min(len(p.value), MINERU_PAGES_SNIFFED)):
        page = p[k]
        for i in range(min(len(page.value), MINERU_NULLS_SNIFFED) if page.is_(list) else 0):
            if page[i].value is not None:  # the pipeline writer leaves a null for a block type it does not know
                return page[i].is_(dict) and {"type", "content"} <= page[i].keys()
    return False


def mineru_model(p: Probe) -> bool:
    """A list of `{layout_dets, page_info}` pages whose detections carry a numeric `category_id` (not
    OmniDocBench's annotation, whose detections have a `category_type` word and an `anno_id`).

    Example:
        >>> from normalizer.detect import probe
        >>> mineru_model(probe(b'[{"layout_dets": [{"category_id": 1, "poly": [0, 0, 9, 0, 9, 5, 0, 5], "score": 0.9}],'
        ...                    b' "page_info": {"page_no": 0, "width": 1700, "height": 2200}}]'))
        True
    """
    if not (p.is_(list) and p[0].is_(dict)):
        return False
    for k in range(min(len(p.value), MINERU_PAGES_SNIFFED)):
        page = p[k]
        if not (page.is_(dict) and "layout_dets" in page and page["page_info"].is_(dict)) or "extra" in page:
            return False
        dets = page["layout_dets"]
        if dets.is_(list) and dets.value:
            found = [dets[i] for i in range(min(len(dets.value), MINERU_DETS_SNIFFED)) if dets[i].is_(dict)]
            return not any(d.keys() & {"category_type", "anno_id"} for d in found) and \
                any(type(d["category_id"].value) is int and "poly" in d for d in found)
    return p[0]["page_info"].keys() == {"page_no", "width", "height"}  # only blank pages: MinerU's page_info


def omnidocbench(p: Probe) -> bool:
    """A list of page entries with `layout_dets` and `page_info` (or one such entry): OmniDocBench's annotation. Its
    detections name a `category_type`; MinerU's model.json, of the same page shape, numbers a `category_id` (2.x)
    or a `cls_id` with a `label` (3.x), and is not claimed.

    Example:
        >>> from normalizer.detect import probe
        >>> omnidocbench(probe(b'[{"layout_dets": [], "page_info": {"image_path": "p.jpg"}}]'))
        True
    """
    first = p[0] if p.is_(list) else p
    if not (first.is_(dict) and "layout_dets" in first and "page_info" in first):
        return False
    det = first["layout_dets"][0]
    return not det.is_(dict) or "category_type" in det


# --- LlamaCloud, LlamaParse --------------------------------------------------------------------------------

V1_JOB_WORDS = frozenset({"PENDING", "SUCCESS", "ERROR", "PARTIAL_SUCCESS", "CANCELLED"})  # LlamaParse v1's
_V1_STATUS_KEYS = {"id", "status", "error_code", "error_message"}


def llamacloud_v2(p: Probe) -> bool:
    """A response with its job object `{id, status, …}`: the only part every `expand` subset has."""
    job = p["job"]
    return job.is_(dict) and "id" in job and "status" in job


def llamaparse_v1(p: Probe) -> bool:
    """A `/result/json` object (pages with `page` numbers), the SDK's list of them, or the v1 job status."""
    if p.is_(list):
        return len(p.value) > 0 and llamaparse_v1(p[0])
    if p["pages"].is_(list):
        first = p["pages"][0]
        return isinstance(first["page"].value, int) and bool(first.keys() & {"md", "text", "items"}) \
            if first.exists else "job_metadata" in p
    return p.keys() >= {"id", "status"} and p["status"].is_(str) and p["status"].value in V1_JOB_WORDS and \
        p.keys() <= _V1_STATUS_KEYS


# --- RAGFlow, SoMark ---------------------------------------------------------------------------------------

def _ragflow_data(p: Probe) -> Probe | None:
    if "code" in p and p["data"].is_(dict):
        return p["data"]
    return None


_DOC_KEYS = {"id", "name", "run", "kb_id", "dataset_id", "parser_id", "chunk_method", "progress"}


def ragflow_documents(p: Probe) -> bool:
    """`{code, data: {docs}}`, upload-documents' `{code, data: [doc, …]}`, update-document's `{code, data: doc}`,
    a parsing status `{code, data: {progress, status}}`, or an error with one of RAGFlow's codes."""
    if error_code(p) in RAGFLOW_ERROR_CODES:
        return True
    if "code" in p and p["data"].is_(list):
        first = p["data"][0]
        return not first.exists or (first.is_(dict) and bool(first.keys() & _DOC_KEYS))
    data = _ragflow_data(p)
    if data is None:
        return False
    keys = data.keys()
    if data["docs"].is_(list):
        return True
    is_doc = "id" in keys and bool(keys & {"name", "run", "kb_id", "dataset_id"})
    is_status = "progress" in keys and "status" in keys
    return (is_doc or is_status) and not keys & {"chunks", "task_id", "record_id", "result"}


def ragflow_retrieval(p: Probe) -> bool:
    """`{code, data: {chunks, doc_aggs}}` (or an error envelope, when this format is named)."""
    data = _ragflow_data(p)
    return data is not None and data["chunks"].is_(list) and "doc_aggs" in data or \
        error_code(p) in RAGFLOW_ERROR_CODES


def ragflow_chunks(p: Probe) -> bool:
    """`{code, data: {chunks, doc}}` (or an error envelope, when this format is named)."""
    data = _ragflow_data(p)
    return data is not None and data["chunks"].is_(list) and "doc_aggs" not in data or \
        error_code(p) in RAGFLOW_ERROR_CODES


def somark(p: Probe) -> bool:
    """The `{code, message, data}` envelope with a SoMark task or result, SoMark's 11xx error codes, or a bare
    `outputs.json` whose pages hold `blocks` (Baidu's hold `layouts`)."""
    if {"code", "message", "data"} <= p.keys():
        data = p["data"]
        if data.value is None:
            code = p["code"].value
            return code != 0 and not (isinstance(code, int) and code in RAGFLOW_ERROR_CODES)
        return data.is_(dict) and bool(data.keys() & {"task_id", "record_id", "result", "status"}) \
            and "docs" not in data and "chunks" not in data
    if error_code(p) in SOMARK_ERROR_CODES:
        return True
    pages = p["pages"]
    return pages.is_(list) and "blocks" in pages[0] and "layouts" not in pages[0]


# --- PaddleOCR ---------------------------------------------------------------------------------------------

# model_settings keys only PP-StructureV3 writes (PaddleOCR-VL's are use_layout_detection, format_block_content, ...)
PADDLE_STRUCTURE_SETTINGS = frozenset({"use_table_recognition", "use_formula_recognition", "use_region_detection",
                                       "use_general_ocr", "use_textline_orientation"})
PADDLE_STRUCTURE_PARTS = ("overall_ocr_res", "text_paragraphs_ocr_res", "formula_res_list", "seal_res_list",
                          "region_det_res")


def _paddle_page(p: Probe) -> Probe | None:
    """The page result a probe holds, bare or wrapped in `res`; None when it is neither."""
    for page in (p, p["res"]):
        if page.is_(dict) and "parsing_res_list" in page and page["parsing_res_list"].is_(list):
            return page
    return None


def _paddle_structure(page: Probe) -> bool:
    if any(part in page for part in PADDLE_STRUCTURE_PARTS):
        return True
    settings = page["model_settings"]
    return settings.is_(dict) and bool(settings.keys() & PADDLE_STRUCTURE_SETTINGS)


def paddle_vl(p: Probe) -> bool:
    """A page result `{parsing_res_list, ...}` (or `{"res": ...}`) with none of PP-StructureV3's parts: no
    `overall_ocr_res`, no formula or seal lists, no table or formula settings.

    Example:
        >>> from normalizer.detect import probe
        >>> paddle_vl(probe(b'{"res": {"parsing_res_list": [], "model_settings": {"use_layout_detection": true}}}'))
        True
    """
    page = _paddle_page(p)
    return page is not None and not _paddle_structure(page)


def paddle_structure(p: Probe) -> bool:
    """A page result with PP-StructureV3's parts: `overall_ocr_res`, the formula/seal/region results, or its
    table and formula settings in `model_settings`.

    Example:
        >>> from normalizer.detect import probe
        >>> paddle_structure(probe(b'{"parsing_res_list": [], "overall_ocr_res": {"rec_texts": []}}'))
        True
    """
    page = _paddle_page(p)
    return page is not None and _paddle_structure(page)


def paddle_api(p: Probe) -> bool:
    """The layout-parsing response: `result.layoutParsingResults`, the bare `result`, or a failed call's
    `{errorCode, errorMsg}` (camelCase: Baidu's cloud answers `error_code`, SoMark and RAGFlow `code`).

    Example:
        >>> from normalizer.detect import probe
        >>> paddle_api(probe(b'{"logId": "1", "errorCode": 500, "errorMsg": "Internal Server Error"}'))
        True
    """
    if p["result"]["layoutParsingResults"].is_(list) or p["layoutParsingResults"].is_(list):
        return True
    return "errorCode" in p and "errorMsg" in p and "code" not in p


# --- Baidu -------------------------------------------------------------------------------------------------

def baidu_task(p: Probe) -> bool:
    """`{log_id, error_code?, result: {task_id, …}}`, or a top-level error `{error_code, error_msg}`."""
    result = p["result"]
    if result.is_(dict) and "task_id" in result and ("error_code" in p or "log_id" in p):
        return True
    return "error_code" in p and "error_msg" in p and not result.exists


def baidu_result(p: Probe) -> bool:
    """`{file_name, file_id, pages: [{page_id, layouts, …}]}` (a result of no pages still has its file_id)."""
    pages = p["pages"]
    first = pages[0]
    return pages.is_(list) and ("layouts" in first or "page_id" in first or ("file_id" in p and not first.exists))


# --- LLMWhisperer ------------------------------------------------------------------------------------------

WHISPERER_SEPARATOR = "<<<"
# Keys that say a response is some other format's: a status response has none of them.
_OTHER_KEYS = {"code", "data", "pages", "job", "result", "id", "items", "error_code", "log_id", "result_text"}


def whisperer_separators(separator: str) -> re.Pattern[str]:
    """The separator then a form feed (`<<<\\f`, `<<<\\n\\f`, `<<<\\r\\n\\f`), or the separator ending its line
    with no form feed (older modes, and text people saved: it must then also start its line, see `page_ends`).
    Linear, and found by the separator's literal first characters.

    Example:
        >>> whisperer_separators("<<<").search("page one\\n<<<\\fpage two").start()
        9
    """
    if not separator:
        return re.compile(r"\r?\n?(\f)")
    return re.compile(re.escape(separator) + r"(?:(?:\r?\n)?(\f)|[ \t]*\r?(?:\n|\Z))")


WHISPERER_DEFAULT = whisperer_separators(WHISPERER_SEPARATOR)


def page_ends(text: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """The separators in `text`: a match without a form feed counts only when it is a line of its own.

    Example:
        >>> [m.start() for m in page_ends("a <<<\\nb\\n<<<\\n", WHISPERER_DEFAULT)]
        [8]
    """
    for m in pattern.finditer(text):
        if m.group(1) is not None or m.start() == 0 or text[m.start() - 1] == "\n":
            yield m


def whisperer_retrieve(p: Probe) -> bool:
    """`{result_text, …}`, or the Python client's `{status_code, extraction: {…}}`."""
    return "result_text" in p or ("status_code" in p and p["extraction"].is_(dict))


def whisperer_status(p: Probe) -> bool:
    """`{status, message?, detail?, whisper_hash?, …}` with a status word of ours (not LlamaParse v1's)."""
    return p["status"].is_(str) and not p.keys() & _OTHER_KEYS and p["status"].value not in V1_JOB_WORDS


def whisperer_text(text: str) -> bool:
    """Plain text that shows LLMWhisperer's page separators (in any of their forms) or form feeds."""
    return "\f" in text or next(page_ends(text, WHISPERER_DEFAULT), None) is not None


# --- Markdown ----------------------------------------------------------------------------------------------

MARKER_PAGE = re.compile(r"^\{(\d{1,6})\}-{48}[ \t]*$", re.M)  # marker's paginated Markdown: `{N}` and 48 dashes
DOCNORM_PAGE = re.compile(r"^<!-- page (\d{1,6})(?: failed: ([^\n]*))? -->[ \t]*$", re.M)  # docnorm's export


def markdown(text: str) -> bool:
    """Text with the page separators of a known Markdown writer (marker's `{N}----…`, docnorm's `<!-- page N -->`).
    Other Markdown is told by its file name (`.md`, `.markdown`) or `format="markdown"`: any text is Markdown.

    Example:
        >>> markdown("{0}" + "-" * 48 + "\\n\\n# Title\\n"), markdown("# My notes\\n")
        (True, False)
    """
    return MARKER_PAGE.search(text) is not None or DOCNORM_PAGE.search(text) is not None
