"""LLMWhisperer v2: retrieve JSON (bare or the Python client's wrapper), plain `result_text`, status responses.

LLMWhisperer returns layout-preserving text, not structure (PROVIDERS.md §4). Pages exist only as a
separator written after every page; the only geometry is a vertical band per line (`line_metadata`),
and the only confidence is a list of the low-confidence words of each line. So a page becomes one
`Page.text` kept verbatim, its paragraphs (runs of non-blank lines) become blocks, and each line
keeps its band and its doubtful words.
"""

from __future__ import annotations

import re
from typing import Any

from ..build import PageBlocks, compact, finish
from ..errors import Repairs
from ..geometry import finite_numbers
from ..kit import status_of
from ..schema import Block, Document, Job, Line, Page, Word
from ..sniffers import WHISPERER_DEFAULT, page_ends, whisperer_separators
from ..sniffers import WHISPERER_SEPARATOR as DEFAULT_SEPARATOR
from ..typed import Raw, decode_as, rest_of

PROVIDER = "llmwhisperer"

# Status words of every API generation (§4.2). Words not listed: any containing "error" failed (as the
# official client decides), `stage_*` running, anything else unknown.
STATUS = {
    "accepted": "queued",
    "processing": "running",
    "processed": "succeeded",
    "delivered": "succeeded",
    "retrieved": "succeeded",
    "failed": "failed",
    "error": "failed",
    "webhook_retries_exceeded": "failed",
    "unknown": "unknown",
}
STATUS_PATTERNS = (("error", "failed"), ("stage_", "running"))

# `add_line_nos` prefixes each line with a hexadecimal line number ("0x001a: ...").
_LINE_NO = re.compile(r"0x([0-9A-Fa-f]+): ?")


# --- raw shape ------------------------------------------------------------------------------------

class ConfidenceWord(Raw, kw_only=True):
    text: str = ""
    confidence: float | None = None


class Extraction(Raw, kw_only=True):
    result_text: str | None = None
    line_metadata: list[list[float]] | None = None
    confidence_metadata: list[list[ConfidenceWord]] | None = None
    metadata: dict[str, Any] | None = None
    webhook_metadata: Any = None


class Retrieve(Extraction, kw_only=True):
    """The bare retrieve response, or the client's `{status_code, extraction, ...}` wrapper."""

    status_code: int | None = None
    extraction: Extraction | None = None
    status: str | None = None
    message: str | None = None
    whisper_hash: str | None = None


class Status(Raw, kw_only=True):
    status: str | None = None
    message: str | None = None
    detail: list[dict[str, Any]] | None = None
    whisper_hash: str | None = None
    status_code: int | None = None
    extraction: dict[str, Any] | None = None


# --- entry points ---------------------------------------------------------------------------------

def convert_retrieve(raw: Any, repairs: Repairs) -> list[Document]:
    got = decode_as(raw, Retrieve, repairs)
    body, root = (got.extraction, "$.extraction") if got.extraction is not None else (got, "$")
    job = _job(got.status, got.message, got.whisper_hash, repairs, "$.status",
               default="succeeded" if body.result_text is not None else "unknown")
    if got.status_code is not None and got.status_code >= 400 and job.status != "failed":
        job.status, job.error = "failed", got.message or f"HTTP {got.status_code}"
    doc = Document(provider=PROVIDER, format="whisperer.retrieve", job=job, text=body.result_text,
                   layout_text=True)
    extra = {"status_code": got.status_code, "message": got.message if job.error is None else None,
             "metadata": body.metadata or None, "webhook_metadata": body.webhook_metadata, **got.rest}
    if body is not got:
        extra.update(rest_of(body, "extraction_"))
    if body.result_text is not None:
        _fill(doc, body.result_text, body.line_metadata, body.confidence_metadata, repairs, root)
        extra.update(doc.extra)
    doc.extra = compact(extra)
    return [finish(doc, repairs)]


def convert_text(raw: Any, repairs: Repairs) -> list[Document]:
    text = raw.decode("utf-8", "replace") if isinstance(raw, (bytes, bytearray)) else raw
    doc = Document(provider=PROVIDER, format="whisperer.text", job=Job(status="succeeded"), text=text,
                   layout_text=True)
    _fill(doc, text, None, None, repairs, "$")
    return [finish(doc, repairs)]


def convert_status(raw: Any, repairs: Repairs) -> list[Document]:
    got = decode_as(raw, Status, repairs)
    job = _job(got.status, got.message, got.whisper_hash, repairs, "$.status", default="unknown")
    pages = {d["page_no"] for d in got.detail or () if isinstance(d, dict) and type(d.get("page_no")) is int}
    job.page_count = len(pages) or None
    doc = Document(provider=PROVIDER, format="whisperer.status", job=job,
                   extra=compact({"message": got.message if job.error is None else None, "detail": got.detail,
                                  "status_code": got.status_code, "extraction": got.extraction or None,
                                  **got.rest}))
    return [finish(doc, repairs)]


def _job(word: str | None, message: str | None, whisper_hash: str | None, repairs: Repairs, path: str,
         default: str) -> Job:
    status = status_of(word, STATUS, repairs, path, patterns=STATUS_PATTERNS, default=default)
    return Job(id=whisper_hash, status=status, provider_status=word,  # type: ignore[arg-type]
               error=(message or word) if status == "failed" else None)


# --- pages, paragraphs, lines ---------------------------------------------------------------------

def separator_of(text: str) -> str:
    """The page separator: the default when present in any of its forms, else whatever line every form feed
    follows ("" for form feeds alone). One pass over the form feeds, however long the text."""
    if next(page_ends(text, WHISPERER_DEFAULT), None) is not None:
        return DEFAULT_SEPARATOR
    found = set()
    at = text.find("\f")
    while at >= 0:
        line_end = at - 1 if at > 0 and text[at - 1] == "\n" else at
        line_end -= 1 if line_end > 0 and text[line_end - 1] == "\r" else 0
        line_start = text.rfind("\n", 0, line_end) + 1
        found.add(text[line_start:line_end].strip())
        if len(found) > 1:
            return ""
        at = text.find("\f", at + 1)
    return found.pop() if found else ""


def split_pages(text: str, separator: str) -> list[tuple[str, int]]:
    """Each page's text, verbatim, with the index of the line it starts on.

    The provider writes the separator after every page, the last one too. Blank text after the last
    separator is not a page.
    """
    pages: list[tuple[str, int]] = []
    start = line = 0
    for m in page_ends(text, WHISPERER_DEFAULT if separator == DEFAULT_SEPARATOR else whisperer_separators(separator)):
        pages.append((text[start:m.start()], line))
        line += text.count("\n", start, m.end())
        start = m.end()
    if text[start:].strip() or not pages:
        pages.append((text[start:], line))
    return pages


def _fill(doc: Document, text: str, bands: list[list[float]] | None,
          confidence: list[list[ConfidenceWord]] | None, repairs: Repairs, root: str) -> None:
    separator = separator_of(text)
    split = split_pages(text, separator)
    if len(split) == 1 and split[0][0] == text:
        repairs.note(f"{root}.result_text", "no page separator found; the text is kept as one page")
    elif separator != DEFAULT_SEPARATOR:
        doc.extra["page_separator"] = separator
    pages = [(page_text.split("\n"), first) for page_text, first in split]
    numbers = _line_numbers(pages)
    if numbers:  # `add_line_nos`: hexadecimal numbers taken out of the text, kept on the lines
        pages = [([ln[numbers[first + k][1]:] if first + k in numbers else ln for k, ln in enumerate(lines)], first)
                 for lines, first in pages]
    texts = {first + k: ln for lines, first in pages for k, ln in enumerate(lines) if ln.strip()} \
        if confidence else {}
    n_lines = text.count("\n") + 1
    for name, given in (("line_metadata", bands), ("confidence_metadata", confidence)):
        if given is not None and len(given) != n_lines:
            repairs.note(f"{root}.{name}", f"expected one entry per line ({n_lines}), found {len(given)}; "
                                           "matched by line index")
    unplaced: list[dict[str, Any]] = []
    word_rest: dict[int, list[dict[str, Any]]] = {}
    words = _place_words(confidence, texts, unplaced, word_rest, repairs, root) if confidence else {}
    if unplaced:
        doc.extra["unplaced_words"] = unplaced
    n_bands = len(bands) if bands is not None else 0
    for lines, first in pages:
        page = Page(number=len(doc.pages) + 1, text="\n".join(lines))
        doc.pages.append(page)
        out = PageBlocks(page.number, doc.blocks)
        paragraph: list[Line] = []
        for i, line_text in enumerate(lines, first):  # the hot loop: one pass per line of the document
            if not line_text or line_text.isspace():
                if paragraph:
                    _paragraph(out, paragraph)
                    paragraph = []
                continue
            line = Line(text=line_text.rstrip())
            if i in words:
                line.words = words[i]
            if i in numbers:
                line.extra = {"line_no": numbers[i][0]}
            if i in word_rest:
                line.extra = {**line.extra, "words_extra": word_rest[i]}
            if i < n_bands:
                _band(line, page, bands[i], repairs, root, i)  # type: ignore[index]
            paragraph.append(line)
        if paragraph:
            _paragraph(out, paragraph)
    doc.job.page_count = doc.job.page_count or len(doc.pages) or None


def _line_numbers(pages: list[tuple[list[str], int]]) -> dict[int, tuple[int, int]]:
    """Line index -> (number, length of its prefix) when every text line starts with an `add_line_nos` number."""
    found: dict[int, tuple[int, int]] = {}
    for lines, first in pages:
        for k, ln in enumerate(lines):
            if ln.strip():
                m = _LINE_NO.match(ln)
                if m is None:
                    return {}
                found[first + k] = (int(m.group(1), 16), m.end())
    return found


def _band(line: Line, page: Page, meta: list[float], repairs: Repairs, root: str, i: int) -> None:
    """Line `i`'s `[page, base_y, height, page_height]` as its vertical extent (called once per line: the JSON
    path is spelled out only for a repair)."""
    if len(meta) != 4 or not finite_numbers(meta) or not finite_numbers((meta[1] - meta[2],)):  # top: base_y - height
        repairs(f"{root}.line_metadata[{i}]", f"expected [page, base_y, height, page_height] of finite numbers, "
                                              f"found {meta!r:.60}", "kept in the line's extra")
        line.extra = {**line.extra, "line_metadata": meta}
        return
    on_page, base_y, height, page_height = meta
    if not (base_y or height or page_height):
        return  # blank-line marker
    if on_page != page.number - 1:
        repairs.note(f"{root}.line_metadata[{i}]", f"line is on page {page.number} of the text, its metadata "
                                                   f"says page {on_page + 1:g}; kept the text's page")
    line.top, line.bottom = base_y - height, base_y
    if page_height and page.height is None:
        page.height, page.unit = page_height, "px"


_WINDOW = 25  # how far from its listed line a misplaced word is looked for


def _place_words(confidence: list[list[ConfidenceWord]], texts: dict[int, str], unplaced: list[dict[str, Any]],
                 kept: dict[int, list[dict[str, Any]]], repairs: Repairs, root: str) -> dict[int, list[Word]]:
    """Low-confidence words by line index: the listed line when the word is on it, else the nearest text line
    holding it (or, failing that, the nearest text line)."""
    placed: dict[int, list[Word]] = {}
    for i, entries in enumerate(confidence):
        for j, entry in enumerate(entries):
            target = i
            if entry.text not in texts.get(i, ""):
                near = sorted((k for k in range(i - _WINDOW, i + _WINDOW + 1) if k in texts),
                              key=lambda k: abs(k - i))
                target = next((k for k in near if entry.text in texts[k]), near[0] if near else -1)
                path = f"{root}.confidence_metadata[{i}][{j}]"
                if target < 0:
                    repairs(path, f"expected a text line near line {i + 1} holding {entry.text!r}, found none",
                            "kept in the document's extra as unplaced_words")
                    unplaced.append({"line": i + 1, "text": entry.text, "confidence": entry.confidence, **entry.rest})
                    continue
                repairs(path, f"expected the word {entry.text!r} on line {i + 1}, found it on line {target + 1}"
                        if entry.text in texts[target] else
                        f"expected the word {entry.text!r} on line {i + 1}, found it on no line nearby",
                        f"attached to line {target + 1}")
            placed.setdefault(target, []).append(Word(text=entry.text, confidence=entry.confidence))
            if entry.rest:  # what a Word has no field for stays with its line
                kept.setdefault(target, []).append({"text": entry.text, **entry.rest})
    return {i: _in_line_order(words, texts[i]) for i, words in placed.items()}


def _in_line_order(words: list[Word], text: str) -> list[Word]:
    """A line's doubtful words in the order they stand in its text (the provider lists them in any order: the lease
    sample gives "Lindqvist" before "Okafor", its left neighbour), each at its first occurrence not taken by an
    earlier one; a line's words are in reading order, as every reader of them expects."""
    taken: set[int] = set()

    def position(word: Word) -> int:
        at = text.find(word.text) if word.text else -1
        while at >= 0 and at in taken:
            at = text.find(word.text, at + 1)
        if at < 0:
            return len(text)
        taken.add(at)
        return at
    return [w for _, _, w in sorted((position(w), n, w) for n, w in enumerate(words))]


def _paragraph(out: PageBlocks, lines: list[Line]) -> None:
    out.append(Block(id=out.next_id(), page=out.page, kind="paragraph", text=_dedent([ln.text for ln in lines]),
                     lines=lines))


def _dedent(texts: list[str]) -> str:
    """Lines joined with their common indent removed: alignment between lines survives, page centring does not."""
    if len(texts) == 1:
        return texts[0].lstrip()
    indent = min([len(t) - len(t.lstrip()) for t in texts])
    return "\n".join([t[indent:] for t in texts]) if indent else "\n".join(texts)
