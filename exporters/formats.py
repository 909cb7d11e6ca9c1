"""Every export target, one row each (`Target`): the one table `docnorm export`, the viewer's downloads, the README
check and the tests read. Adding a target is a writer module and a `register(Target(...))` row (docs/recipes.md).

A target's options are its writer's own frozen struct (`MarkdownOptions`, `HtmlOptions`, …): every field is
reachable from the command line (`--opt name=value`, or the named flags) and from the viewer's download menu, and
is checked against the struct before any work. The exporters are imported when a target is written, not when this
table is read: `docnorm normalize` starts without them.
"""

from __future__ import annotations

from typing import Any, Callable, Literal, NamedTuple

import msgspec
from msgspec import Struct

from normalizer.errors import DocnormError
from normalizer.schema import Document, encode

SpanPolicy = Literal["html", "repeat", "anchor"]


class OptionError(DocnormError):
    """An option the target does not have, or a value its type cannot take."""


class ExportSettings(Struct, frozen=True, kw_only=True):
    """What the command line and the viewer let a user choose for an export: the named settings (each applies to
    the targets whose options have a field of that name, or that use it as below) and `options`, the `--opt`
    values, checked against the target's options struct by `options_for`."""

    span_policy: SpanPolicy = "html"
    raw_csv: bool = False  # CSV cells that a spreadsheet would run as formulas, written without the leading '
    remote_images: bool = False  # HTML loads images from other hosts when opened
    source: str | None = None  # HTML: the source document, its pages (with the boxes) embedded beside the text
    bom: bool = False  # CSV: a UTF-8 byte order mark first, so Excel reads the file as UTF-8
    unit: Literal["chunk", "page", "block"] = "chunk"  # langchain-jsonl: one record per chunk, page or block
    source_name: str | None = None  # the result file's name: named files fall back on it (no file_name recorded)
    tokenizer: str | None = None  # chunks: what counts tokens for max_tokens (a tiktoken encoding name or a
    #                               tokenizers JSON file; the command line's --tokenizer, never the viewer's)
    images_dir: str | None = None  # HTML: the result's folder; figure images found there are embedded (data:)
    options: dict[str, Any] = {}  # --opt name=value, for the target's options struct


class NoOptions(Struct, frozen=True, kw_only=True):
    """A target without options."""


class CsvOptions(Struct, frozen=True, kw_only=True):
    span_policy: Literal["repeat", "anchor", "html"] = "repeat"  # "html" is read as repeat: CSV has no spans
    raw: bool = False  # cells a spreadsheet would run as formulas written as they are (no leading ')
    bom: bool = False  # a UTF-8 byte order mark first (Excel then reads UTF-8)


class RecordOptions(Struct, frozen=True, kw_only=True):
    unit: Literal["chunk", "page", "block"] = "chunk"  # one record per chunk, page or block


class Target(NamedTuple):
    """One export target. The first three fields are (suffix, media type, write), as the table's rows were."""
    suffix: str
    media_type: str
    write: Callable[[Document, ExportSettings], str | bytes | list]  # one output, one per table, or named files
    options: type | str = NoOptions  # the writer's options struct, or "module:Name" to import it when first used
    content_only: bool = True  # nothing to write for a job without content (a failed or pending job)
    extra: str | None = None  # the pip extra its optional dependency comes with
    help: str = ""  # one line for `docnorm export --help` and the README
    per_table: bool = False  # one file per logical table
    named: bool = False  # files the writer names (a list of named_files.NamedFile): -o DIRECTORY on the command
    #                      line; the viewer zips them (then `suffix` and `media_type` are the zip's)


def options_type(target: Target) -> type:
    """The target's options struct (imported now when the row names it as "module:Name")."""
    if isinstance(target.options, str):
        import importlib
        module, _, name = target.options.partition(":")
        return getattr(importlib.import_module(module), name)
    return target.options


def options_for(target: Target, settings: ExportSettings, **named: Any) -> Any:
    """The target's options struct from the named settings it takes (`named`, given by its writer) and the
    `--opt` values; `OptionError` for a name it does not have or a value of the wrong type.

    >>> options_for(EXPORTS["md"], ExportSettings(options={"furniture": "true"})).furniture
    True
    """
    kind = options_type(target)
    fields = {f.name for f in msgspec.structs.fields(kind)}
    given = {name: value for name, value in settings.options.items() if value != ""}  # "": the default
    unknown = sorted(set(given) - fields)
    if unknown:
        have = ", ".join(sorted(fields)) or "none"
        raise OptionError(f"this target has no option {', '.join(unknown)} (its options: {have})")
    try:
        return msgspec.convert({**named, **given}, kind, strict=False)
    except msgspec.ValidationError as exc:  # "Expected `bool`, got `str` - at `$.furniture`"
        expected, _, where = str(exc).partition(" - at `$.")
        if not where:  # the struct's own check (its __post_init__) says what is wrong
            raise OptionError(expected) from None
        name = where.rstrip("`")
        found = given.get(name, named.get(name))
        raise OptionError(f"option {name}: {expected.split(',')[0].lower()}, found {found!r}") from None


def option_fields(target: Target) -> list[tuple[str, str, tuple, Any]]:
    """(name, kind, choices, default) of each option: kind is bool, int, str or choice (then `choices`), for the
    command line's help and the viewer's download menu.

    >>> option_fields(EXPORTS["tables-csv"])[1]
    ('raw', 'bool', (), False)
    """
    out = []
    for field in msgspec.structs.fields(options_type(target)):
        info = msgspec.inspect.type_info(field.type)
        if isinstance(info, msgspec.inspect.UnionType):  # `bool | None`: None stands for "decide by the document"
            info = next((t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)), info)
        if isinstance(info, msgspec.inspect.LiteralType):
            out.append((field.name, "choice", tuple(info.values), field.default))
        else:
            kind = {msgspec.inspect.BoolType: "bool", msgspec.inspect.IntType: "int"}.get(type(info), "str")
            out.append((field.name, kind, (), field.default))
    return out


def _markdown(doc: Document, settings: ExportSettings) -> str:
    from exporters import to_markdown
    return to_markdown(doc, options_for(EXPORTS["md"], settings, span_policy=settings.span_policy))


def _html(doc: Document, settings: ExportSettings) -> str:
    from exporters import to_html
    pages = None
    if settings.source is not None:
        from exporters.pages.render import embedded_pages
        pages = embedded_pages(doc, settings.source)
    figures = None
    if settings.images_dir is not None:  # the command line: figures beside the result travel inside the page
        from exporters.figure_files import local_images
        figures = local_images(doc, settings.images_dir)
    return to_html(doc, options_for(EXPORTS["html"], settings, remote_images=settings.remote_images),
                   page_images=pages, figure_images=figures)


def _text(doc: Document, settings: ExportSettings) -> str:
    from exporters import to_text
    return to_text(doc, options_for(EXPORTS["text"], settings))


def _chunks(doc: Document, settings: ExportSettings) -> str:
    from exporters import to_chunks_jsonl
    return to_chunks_jsonl(doc, options_for(EXPORTS["chunks"], settings), settings.tokenizer)


def _json(doc: Document, settings: ExportSettings) -> str:
    options_for(EXPORTS["json"], settings)
    return encode(doc).decode() + "\n"


def _tables_html(doc: Document, settings: ExportSettings) -> list[str]:
    """Each table as a small HTML document of its own (with its charset, so a browser reads it right)."""
    from html import escape

    from exporters import table_to_html
    options_for(EXPORTS["tables-html"], settings)
    title = escape(doc.file_name or "table")
    return [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title} · table {n}</title>\n'
            f"</head>\n<body>\n{html}\n</body>\n</html>\n" for n, html in enumerate(_tables(doc, table_to_html), 1)]


def _tables_csv(doc: Document, settings: ExportSettings) -> list[str]:
    from exporters import table_to_csv
    opts = options_for(EXPORTS["tables-csv"], settings, span_policy=settings.span_policy, raw=settings.raw_csv,
                       bom=settings.bom)
    bom = "\ufeff" if opts.bom else ""
    return _tables(doc, lambda t: bom + table_to_csv(t, opts.span_policy, raw=opts.raw))


def _docling(doc: Document, settings: ExportSettings) -> bytes:
    from exporters.docling import to_docling
    options_for(EXPORTS["docling"], settings)
    return to_docling(doc) + b"\n"


def _elements(doc: Document, settings: ExportSettings) -> bytes:
    from exporters.elements import to_elements
    options_for(EXPORTS["elements"], settings)
    return to_elements(doc) + b"\n"


def _langchain_jsonl(doc: Document, settings: ExportSettings) -> str:
    from exporters.frameworks import to_langchain_jsonl
    return to_langchain_jsonl(doc, options_for(EXPORTS["langchain-jsonl"], settings, unit=settings.unit).unit)


def _xlsx(doc: Document, settings: ExportSettings) -> bytes:
    from exporters.spreadsheets import to_xlsx
    options_for(EXPORTS["xlsx"], settings)
    return to_xlsx(doc)


def _omnidocbench_md(doc: Document, settings: ExportSettings) -> list:
    from exporters.omnidocbench_md import to_omnidocbench_md
    return to_omnidocbench_md(doc, options_for(EXPORTS["omnidocbench-md"], settings), settings.source_name)


def _tables(doc: Document, render: Callable) -> list[str]:
    from exporters.joined import logical_blocks
    return [render(table) for block, table in logical_blocks(doc.blocks) if block.kind == "table" and table]


EXPORTS: dict[str, Target] = {}


def register(name: str, target: Target) -> Target:
    """Add an export target (or replace one of that name): the command line, the viewer and the tests read it.

    >>> t = register("shout", Target(".txt", "text/plain", lambda doc, s: doc.text.upper(), help="SHOUTING"))
    >>> "shout" in EXPORTS and EXPORTS.pop("shout") is t
    True
    """
    EXPORTS[name] = target
    return target


register("md", Target(".md", "text/markdown", _markdown, "exporters.markdown:MarkdownOptions",
                      help="Markdown (CommonMark + GFM tables; spanned tables as HTML unless --span-policy)"))
register("html", Target(".html", "text/html", _html, "exporters.html:HtmlOptions", content_only=False,
                        help="one standalone HTML page, a section per page"))
register("text", Target(".txt", "text/plain", _text, "exporters.text:TextOptions",
                        help="plain text in reading order, pages separated by form feeds"))
register("chunks", Target(".jsonl", "application/x-ndjson", _chunks, "exporters.chunks:ChunkOptions",
                          help="JSON lines: the provider's chunks, or heading-aware chunks from the blocks "
                               "(sized in tokens with max_tokens)"))
register("json", Target(".json", "application/json", _json, content_only=False, help="canonical docnorm JSON"))
register("tables-html", Target(".html", "text/html", _tables_html, per_table=True,
                               help="one HTML file per logical table (-o DIRECTORY)"))
register("tables-csv", Target(".csv", "text/csv", _tables_csv, CsvOptions, per_table=True,
                              help="one CSV file per logical table (-o DIRECTORY)"))
register("docling", Target(".docling.json", "application/json", _docling,
                           help="DoclingDocument JSON (docling-core's schema)"))
register("elements", Target(".elements.json", "application/json", _elements, help="unstructured's elements JSON"))
register("langchain-jsonl", Target(".langchain.jsonl", "application/x-ndjson", _langchain_jsonl, RecordOptions,
                                   help="JSON lines {id, page_content, metadata}: LangChain Documents (--unit "
                                        "chunk|page|block)"))
register("xlsx", Target(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx,
                        extra="xlsx", help="an Excel workbook: a sheet per logical table, merged cells for spans"))
register("omnidocbench-md", Target(".omnidocbench.zip", "application/zip", _omnidocbench_md,
                                   "exporters.omnidocbench_md:OmniDocBenchOptions", named=True,
                                   help="OmniDocBench predictions: one Markdown file per page, named after its page "
                                        "image (-o DIRECTORY)"))
