"""The raw shape of LlamaCloud v2's `GET /api/v2/parse/{job_id}` response, as typed structs (any `expand` subset;
the pre-1.0 `bBox` / `startIndex` spellings too): decoding into them is both the validation and the fast path."""

from __future__ import annotations

from typing import Any

from msgspec import field

from ..typed import Raw
from .llama_common import Box

# --- raw shape (PROVIDERS.md §1.2) ----------------------------------------------------------------

class Item(Raw, kw_only=True):
    type: str | None = None
    md: str | None = None
    value: str | None = None
    text: str | None = None
    level: int | None = None
    bbox: list[Box] | None = None
    bBox: list[Box] | None = None  # pre-1.0 spelling
    items: list[Item] = field(default_factory=list)
    ordered: bool | None = None
    language: str | None = None
    html: str | None = None
    csv: str | None = None
    rows: list[list[str | int | float | None]] | None = None
    merged_from_pages: list[int] | None = None
    merged_into_page: int | None = None
    parse_concerns: list[Any] | None = None
    caption: str | None = None
    url: str | None = None


class ItemsPage(Raw, kw_only=True):
    page_number: int | None = None
    page_width: float | None = None
    page_height: float | None = None
    success: bool | None = None
    items: list[Item] = field(default_factory=list)
    error: str | None = None
    revisions: list[Any] | None = None


class MarkdownPage(Raw, kw_only=True):
    page_number: int | None = None
    markdown: str | None = None
    success: bool | None = None
    error: str | None = None
    header: str | None = None
    footer: str | None = None
    line_numbers: list[Any] | None = None


class TextPage(Raw, kw_only=True):
    page_number: int | None = None
    text: str | None = None


class MetadataPage(Raw, kw_only=True):
    page_number: int | None = None
    confidence: float | None = None
    cost_optimized: bool | None = None
    original_orientation_angle: float | None = None
    printed_page_number: str | None = None
    slide_section_name: str | None = None
    speaker_notes: str | None = None
    triggered_auto_mode: bool | None = None
    watermark: str | None = None


class ImageBox(Raw, kw_only=True):
    x: float | None = None
    y: float | None = None
    w: float | None = None
    h: float | None = None


class ImageMeta(Raw, kw_only=True):
    filename: str | None = None
    index: int | None = None
    bbox: ImageBox | None = None
    category: str | None = None
    content_type: str | None = None
    presigned_url: str | None = None
    size_bytes: int | None = None


class ItemsPages(Raw, kw_only=True):
    pages: list[ItemsPage] = field(default_factory=list)


class MarkdownPages(Raw, kw_only=True):
    pages: list[MarkdownPage] = field(default_factory=list)


class TextPages(Raw, kw_only=True):
    pages: list[TextPage] = field(default_factory=list)


class Metadata(Raw, kw_only=True):
    pages: list[MetadataPage] = field(default_factory=list)
    document: dict[str, Any] | None = None


class ImagesMeta(Raw, kw_only=True):
    images: list[ImageMeta] = field(default_factory=list)
    total_count: int | None = None


class JobV2(Raw, kw_only=True):
    id: str | None = None
    project_id: str | None = None
    status: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    error_message: str | None = None
    name: str | None = None
    tier: str | None = None
    usage: dict[str, Any] | None = None
    user_metadata: dict[str, Any] | None = None


class Response(Raw, kw_only=True):
    job: JobV2 | None = None
    items: ItemsPages | None = None
    markdown: MarkdownPages | None = None
    markdown_full: str | None = None
    text: TextPages | None = None
    text_full: str | None = None
    metadata: Metadata | None = None
    images_content_metadata: ImagesMeta | None = None
    result_content_metadata: dict[str, Any] | None = None
    forms: dict[str, Any] | None = None
    job_metadata: dict[str, Any] | None = None
    raw_parameters: dict[str, Any] | None = None
