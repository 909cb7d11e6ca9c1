"""Canonical Document -> OmniDocBench's end-to-end predictions: one Markdown file per page, `X.md` for the page
image `X.jpg`, each block written in the form OmniDocBench's extractor reads as the kind it is.

OmniDocBench does not render the Markdown: `utils/extract.py` (`md_tex_filter`) cuts it with patterns, in this
order: image links removed, fences that end a line removed, LaTeX tables, HTML tables, display math (`$$…$$`,
`\\[…\\]`; `$…$` and `\\(…\\)` stay in their text as inline math), pipe tables, fenced code with a language word,
and the rest split at blank lines into text blocks, compared with the ground truth through `clean_string` (which
keeps letters, digits and CJK only). Hence:

- tables: HTML with the canonical spans, cells escaped (taken out first and whole; pipe tables lose their spans);
- display formulas: `Block.latex` between `$$` lines (read as `equation_isolated`, like OmniDocBench's own Markdown);
- code: a fence with a language word, the closing fence not ending its line (a ``` that ends a line is deleted);
- headings `#`, other text as it is (a Markdown escape such as `\\[` would start a formula), with only what the
  extractor would cut out as something else broken, in ways `clean_string` does not see (`_inert`);
- page furniture and footnotes left out (OmniDocBench ignores them: `furniture=True` writes them); figures as
  their image link, never their text. The README's Exports section says more.
"""

from __future__ import annotations

import re
import string
from typing import Callable

import msgspec
from msgspec import Struct

from normalizer.kinds import row as kind_row
from normalizer.schema import Block, Document, Table

from .joined import logical_blocks
from .markdown import safe_url
from .named_files import MAX_NAME_BYTES, NamedFile, safe_file_name, unique_name
from .pages.images import IMAGE_SUFFIXES
from .tables import table_to_html

FIELDS = ("stem", "name", "page", "index")  # what a `names` pattern may use
_NUMBER_SPEC = re.compile(r"0?[1-9]?d?")  # {page:03d}: a bounded width, nothing else


class OmniDocBenchOptions(Struct, frozen=True, kw_only=True):
    """The target's options; a `names` pattern is checked when the options are read, before any work."""
    names: str = ""  # file name pattern of {stem} {name} {page} {index}; "" = OmniDocBench's (see page_names)
    furniture: bool = False  # also write page headers, footers, page numbers and footnotes

    def __post_init__(self) -> None:
        problem = _pattern_problem(self.names)
        if problem:
            raise ValueError(f"option names: {problem}, found {self.names!r}")


def _pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is no names pattern (None when it is one): only the four fields, no attribute or index
    look-ups, and for the numbers only a bounded width (`{index:03d}`)."""
    expected = "expected a pattern of {stem}, {name}, {page} and {index} (e.g. {name}_{index}.md)"
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return expected
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        bad_spec = bool(spec) and (field in ("stem", "name") or not _NUMBER_SPEC.fullmatch(spec))
        if field not in FIELDS or conversion or bad_spec:
            return expected
    return None


def page_names(doc: Document, pages: list[int], names: str = "", source_name: str | None = None) -> dict[int, str]:
    """The file name of each page, so that OmniDocBench pairs page image `X.jpg` with `X.md`
    (`dataset/end2end_dataset.py`: `img_name[:-4] + '.md'`). `{name}` is the source document's file name without
    its folders (`doc.file_name`; when the provider recorded none, the result file's, `source_name`), `{stem}`
    the same without its suffix, `{page}` the page number and `{index}` the page's 0-based index. By default a
    page image's one page is `{stem}.md` (`foo.pdf_30.jpg` -> `foo.pdf_30.md`) and a PDF's pages are
    `{name}_{index}.md` (`foo.pdf` -> `foo.pdf_0.md`, OmniDocBench's names for pages cut from PDFs); a result
    whose source is not recorded, or is a page's Markdown (`X.md` read back), counts as a page image named like
    that file. A pattern without `{page}`
    or `{index}` gets `_{index}` when there are several pages; `.md` is added when missing. Every name is made
    safe and unique (`named_files.unique_name`).

    Example:
        >>> from normalizer.schema import Document
        >>> page_names(Document(provider="p", format="f", file_name="scans/foo.pdf_30.jpg"), [1])
        {1: 'foo.pdf_30.md'}
        >>> page_names(Document(provider="p", format="f", file_name="../a/foo.pdf"), [1, 2], "{stem}-p{page:02d}")
        {1: 'foo-p01.md', 2: 'foo-p02.md'}
    """
    recorded = _base_name(doc.file_name)
    # cut to leave room for the page part: a long name must not lose it
    name = safe_file_name(recorded or _base_name(source_name) or "document", MAX_NAME_BYTES - 40)
    stem = name.rpartition(".")[0] or name
    pattern = names
    if not pattern:
        image = recorded is None or name.lower().endswith(IMAGE_SUFFIXES + _PAGE_MARKDOWN)
        pattern = ("{stem}.md" if len(pages) == 1 else "{stem}_{index}.md") if image else "{name}_{index}.md"
    if not pattern.endswith(".md"):
        pattern += ".md"
    if len(pages) > 1 and not any(f in ("page", "index") for _, f, _, _ in string.Formatter().parse(pattern)):
        pattern = pattern[:-3] + "_{index}.md"
    used: set[str] = set()
    return {n: unique_name(pattern.format(stem=stem, name=name, page=n, index=n - 1), used) for n in pages}


_PAGE_MARKDOWN = (".md", ".mmd", ".markdown")  # a page's Markdown stands for its page image (`normalizer.load`)


def _base_name(path: str | None) -> str | None:
    name = re.split(r"[/\\]", path)[-1].strip() if path else ""
    return name or None


def to_omnidocbench_md(doc: Document, options: OmniDocBenchOptions = OmniDocBenchOptions(),
                       source_name: str | None = None) -> list[NamedFile]:
    """One Markdown file per page of `doc`, named and written for OmniDocBench's end-to-end evaluation (put them
    all in its `prediction.data_path`). Every page gets its file: a page that failed, or has no blocks, is an
    empty file, so that OmniDocBench scores it as missed instead of skipping it. Tables continued across pages
    stay one fragment per page, as OmniDocBench annotates them.

    Args:
        doc: a canonical Document.
        options: the names pattern, and whether furniture is written.
        source_name: the result file's name, for the file names when the document records no source file.

    Example:
        >>> doc = normalize(open("samples/llamacloud/annual_report_v2.json", "rb").read())
        >>> [f.name for f in to_omnidocbench_md(doc)][1:]
        ['nordwind_annual_report_2025.pdf_1.md', 'nordwind_annual_report_2025.pdf_2.md']
        >>> to_omnidocbench_md(doc)[0].content.splitlines()[0]
        '# Annual Report 2025'
    """
    pages = sorted({p.number for p in doc.pages} | {b.page for b in doc.blocks})
    parts: dict[int, list[str]] = {n: [] for n in pages}
    for block, table in logical_blocks(doc.blocks, join_continued=False):
        text = render_block(block, table, options)
        if text:
            parts[block.page].append(text)
    names = page_names(doc, pages, options.names, source_name)
    # a page of one block ends in a blank line: OmniDocBench splits a page without one at every line break
    return [NamedFile(names[n], "\n\n".join(parts[n]) + ("\n\n" if len(parts[n]) == 1 else "\n") if parts[n] else "")
            for n in pages]


_LEFT_OUT = frozenset({"footnote"})  # OmniDocBench ignores page, table and figure footnotes alike


def render_block(block: Block, table: Table | None,
                 options: OmniDocBenchOptions = OmniDocBenchOptions()) -> str | None:
    """One block as OmniDocBench's extractor should read it (None: nothing written), from its kind's row
    (`normalizer.kinds`), so a kind added there needs nothing here.

    Example:
        >>> from normalizer.schema import Block
        >>> render_block(Block(id="f", page=1, kind="formula", latex="E = mc^2"), None)
        '$$\\nE = mc^2\\n$$'
    """
    info = kind_row(block.kind)
    if (info.furniture or block.kind in _LEFT_OUT) and not options.furniture:
        return None
    if info.docling == "picture" or info.draws_as == "figure":  # seals and barcodes too: figures are not scored
        return _figure(block, table)
    return RENDER.get(info.draws_as, _text)(block, table)


def _lines(text: str) -> str:
    """The text's non-blank lines: a blank line would split one block into two for OmniDocBench."""
    return "\n".join(line for line in text.splitlines() if line.strip())


def _text(b: Block, t: Table | None) -> str:
    return _inert(_lines(b.text))


def _list_item(b: Block, t: Table | None) -> str | None:
    """The item with its marker as printed (`1.`, `a)`), as OmniDocBench's ground truth has it, when the provider
    gave the marker apart from the text."""
    text, marker = _text(b, t), b.marker
    if not marker or not marker.strip() or text.startswith(marker.strip()):
        return text or None
    marker = _inert(" ".join(marker.split()))
    return f"{marker} {text}" if text else (marker if any(ch.isalnum() for ch in marker) else None)


def _heading(b: Block, t: Table | None) -> str | None:
    text = _inert(" ".join(b.text.split()))
    return "#" * min(max(b.level or 1, 1), 6) + " " + text if text else None


def _table(b: Block, t: Table | None) -> str | None:
    if t is None or t.n_rows == 0 or not t.cells:
        return _text(b, t) or None
    cells = [msgspec.structs.replace(c, text=" ".join(c.text.split())) for c in t.cells]  # one line per table
    return table_to_html(msgspec.structs.replace(t, cells=cells))


_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("$", "$"))


def _formula(b: Block, t: Table | None) -> str | None:
    latex = b.latex if b.latex is not None else b.text
    bare = latex.strip()
    for left, right in _DELIMITERS:  # a provider's own delimiters around the whole formula, once
        inner = bare[len(left):-len(right)]
        if len(bare) >= len(left) + len(right) and bare.startswith(left) and bare.endswith(right) \
                and right not in inner:
            latex = inner
            break
    latex = _lines(latex).replace("$$", "$ $")  # `$$` inside would end the formula early
    return f"$$\n{latex}\n$$" if latex.strip() else None


_FENCES_TAKEN = frozenset({"markdown", "html", "latex", "spice"})  # fences OmniDocBench strips, or reads as circuits


def _code(b: Block, t: Table | None) -> str | None:
    code = _inert("\n".join(b.text.splitlines()).strip("\n"), math=False)
    if not code.strip():
        return None
    language = b.language
    word = language if isinstance(language, str) and re.fullmatch(r"\w+", language) else "text"
    word = "text" if word.lower() in _FENCES_TAKEN else word
    return f"```{word}\n{code}\n``` "  # the space keeps remove_markdown_fences off the closing fence


def _figure(b: Block, t: Table | None) -> str | None:
    url = safe_url(b.image.url if b.image else None)
    return f"![]({url})" if url else None


RENDER: dict[str, Callable[[Block, Table | None], str | None]] = {
    "heading": _heading, "list_item": _list_item, "table": _table, "formula": _formula, "code": _code,
    "figure": _figure,
}  # paragraphs, captions, links and furniture (when asked for): their text (`_text`)


_OPENER = re.compile(r"\$\$|\\\[|\$|\\\(")  # display_reg's alternatives, in its order
_CLOSER = {"$$": "$$", "\\[": "\\]", "$": "$", "\\(": "\\)"}
_BROKEN = {"$$": "\uff04\uff04", "$": "\uff04", "\\[": "\\ [", "\\(": "\\ ("}
_TICKS = re.compile(r"`{3,}")


def _inert(text: str, math: bool = True) -> str:
    """Text that OmniDocBench's extractor reads as this block's text and nothing else, changed only where it
    would cut part of it out as another kind, and only in ways `clean_string` does not see (it drops spaces,
    punctuation and `$`): math delimiters that would pair with one outside the block (`_closed_math`), `<table`
    and `\\begin{tab…` (tables), ``` (code), `![…](…)` (an image, deleted), a `|` ending a line (two such lines
    make the page a pipe table). Code (`math=False`) has every math delimiter broken: it holds no math."""
    text = _closed_math(text, math)
    if "<table" in text:
        text = text.replace("<table", "< table")
    if "\\begin{tab" in text:
        text = text.replace("\\begin{tab", "\\begin {tab")
    if "```" in text:
        text = _TICKS.sub(lambda m: " ".join(m.group()[i:i + 2] for i in range(0, len(m.group()), 2)), text)
    if "![" in text:
        text = "\n".join(line.replace("![", "! [") if "](" in line else line for line in text.split("\n"))
    text = text.replace("|\n", "| \n")
    return text + " " if text.endswith("|") else text


def _closed_math(text: str, keep: bool = True) -> str:
    """`text` with every math delimiter that OmniDocBench's `display_reg` (DOTALL, lazy, over the whole page)
    would pair with one after the block broken: a lone `$` ("costs $5") would swallow the text up to the next
    block's `$` and take a display formula apart. It scans as `display_reg` does, in linear time (a closer looked
    for in vain is not looked for again); a broken `$` becomes the fullwidth `＄`, a `\\[` or `\\(` gets a space.
    With `keep=False` every delimiter is broken.

    Example:
        >>> _closed_math("a $x$ costs $5")
        'a $x$ costs ＄5'
    """
    if "$" not in text and "\\[" not in text and "\\(" not in text:
        return text
    out: list[str] = []
    at = pos = 0
    missing: set[str] = set()
    while (m := _OPENER.search(text, pos)) is not None:
        opener = m.group()
        end = -1 if not keep or opener in missing else text.find(_CLOSER[opener], m.end())
        if end >= 0:
            pos = end + len(_CLOSER[opener])
            continue
        missing.add(opener)
        out.append(text[at:m.start()] + _BROKEN[opener])
        at = pos = m.end()
    return "".join(out) + text[at:]
