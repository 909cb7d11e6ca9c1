"""OmniDocBench's reading of a predicted page (`utils/extract.py`, `md_tex_filter`), reproduced step by step.

In its order: images are removed, Markdown fences and runs of spaces or underscores cut, then SPICE netlists
(the evaluator's fork), LaTeX tables, HTML tables, display formulas (inline ones are kept in the text and also
listed), Markdown tables (converted to HTML, which replaces the page's text), code blocks, and at last the
paragraphs, split on blank lines. Each item found is blanked out of the text with spaces and keeps its
position, by which the items are sorted. Every search here is linear (see `scan.py`); the nested-table search
keeps OmniDocBench's restart rule but stops after a bounded amount of work.
"""

from __future__ import annotations

from .mdtable import markdown_to_html
from .normalize import remove_markdown_fences, replace_repeated_chars
from .scan import braced_command, code_blocks, image_spans, lazy_matches, pipe_rows, replace_spans, sub_lazy

DISPLAY = [("$$", "$$"), ("\\[", "\\]"), ("$", "$"), ("\\(", "\\)")]
DOLLAR = [("$$", "$$"), ("$", "$"), ("\\(", "\\)")]
NESTING_LEVELS = 990      # OmniDocBench recurses once per unclosed table and dies near Python's limit of 1000
NESTING_STEPS = 2_000_000  # events looked at by the nested-table search, over all its restarts on one page


def md_tex_filter(content: str, notes: list[str] | None = None) -> dict[str, list[dict]]:
    """The items of a predicted page by category ('text_all', 'equation_isolated', 'html_table', 'latex_table',
    'circuit_diagram'), each a dict with its content and position, as OmniDocBench's `md_tex_filter` finds them.

    Why: what is scored is what OmniDocBench reads out of the Markdown, quirks included.

    Example:
        >>> items = md_tex_filter("# Title\\n\\nSome text.\\n\\n$$x^2$$\\n")
        >>> [(i["category_type"], i["content"]) for group in items.values() for i in group]
        [('text_all', '# Title'), ('text_all', 'Some text.'), ('equation_isolated', '\\\\[x^2\\\\]')]
    """
    notes = notes if notes is not None else []
    spans = image_spans(content)
    content = replace_spans(content, spans, [""] * len(spans))
    content = replace_repeated_chars(remove_markdown_fences(content))
    for tag in ("<html>", "</html>", "<body>", "</body>"):
        content = content.replace(tag, "")
    found: list[dict] = []
    content = _spice(content, found)
    content = _tables(content, found, notes)
    content = _display_formulas(content, found)
    content = _markdown_tables(content, found)
    content = _code(content, found)
    _paragraphs(_latex_style(content), found)
    found.sort(key=lambda item: item["position"][0])
    dataset: dict[str, list[dict]] = {}
    for item in found:
        dataset.setdefault(item["category_type"], []).append(item)
    return dataset


def _blank(content: str, spans: list[tuple[int, int]]) -> str:
    return replace_spans(content, sorted(spans)) if spans else content


def _spice(content: str, found: list[dict]) -> str:
    spans = []
    for m in lazy_matches(content, [("```spice\n", "```")]):
        spans.append((m.start, m.end))
        found.append({"category_type": "circuit_diagram", "position": [m.start, m.end],
                      "content": content[m.body_start:m.body_end].strip()})
    return _blank(content, spans)


def _tables(content: str, found: list[dict], notes: list[str]) -> str:
    latex: list[tuple[tuple[int, int], str]] = []
    local = content
    spans = [(m.start, m.end) for m in lazy_matches(content, [("\\begin{table}", "\\end{table}")])]
    latex += [((a, b), content[a:b]) for a, b in spans]
    local = _blank(local, spans)
    latex += [((a, b), local[a:b]) for a, b in _nested(local, "\\begin{tabular}", "\\end{tabular}", 14, 16, notes)]
    latex.sort(key=lambda pair: pair[0][0])
    spans = []
    for (start, _), table in latex:
        spans.append((start, start + len(table)))
        found.append({"category_type": "latex_table", "position": [start, start + len(table)], "content": table})
    content = _blank(content, spans)
    spans = []
    for start, end in _nested(content, "<table", "</table>", 8, 16, notes):
        spans.append((start, end))
        found.append({"category_type": "html_table", "position": [start, end], "content": content[start:end]})
    return _blank(content, spans)


def _nested(text: str, begin: str, end: str, skip: int, restart: int, notes: list[str]) -> list[tuple[int, int]]:
    """OmniDocBench's `extract_tabular` / `extract_html_table`: outermost balanced begin...end regions. After a
    begin it moves on `skip` characters (the length of its end pattern); when a begin is left open it searches
    again from that begin plus `restart` characters (the length of its begin pattern), once per open begin."""
    finder = _Events(text, begin, end)
    regions: list[tuple[int, int]] = []
    base, levels = 0, 0
    while True:
        bottom = _scan_level(text, finder, base, skip, len(end), regions)
        if bottom is None:
            return regions
        levels += 1
        if levels >= NESTING_LEVELS or finder.steps > NESTING_STEPS:
            notes.append(f"the search for tables inside {levels} unclosed {begin!r} stopped there (OmniDocBench "
                         f"searches again once per unclosed one and fails past about {NESTING_LEVELS}); the rest "
                         "is text")
            return regions
        base = bottom + restart
        finder.reset()


def _scan_level(text: str, finder: "_Events", base: int, skip: int, end_len: int,
                regions: list[tuple[int, int]]) -> int | None:
    stack: list[int] = []
    cur = base
    while cur < len(text):
        b, e = finder.begin(cur), finder.end(cur)
        if b < 0 and e < 0:
            break
        if b >= 0 and (e < 0 or b < e):
            stack.append(b)
            cur = b + skip
        else:
            if stack:
                start = stack.pop()
                if not stack:
                    regions.append((start, e + end_len))
            cur = e + skip
    return stack[0] if stack else None


class _Events:
    """Next begin / end at or after a position, remembered while positions only grow (linear per level)."""

    def __init__(self, text: str, begin: str, end: str) -> None:
        self.text, self.begin_word, self.end_word = text, begin, end
        # '<table' needs a '>' somewhere after it to match `<table(?:[^>]*)>`
        self.last_open = text.rfind(">") - len(begin) if begin == "<table" else len(text)
        self.steps = 0
        self.reset()

    def reset(self) -> None:
        self._b = (-1, -2)   # (asked from, answer)
        self._e = (-1, -2)

    def begin(self, at: int) -> int:
        self.steps += 1
        asked, answer = self._b
        if not (asked <= at and (answer == -1 or answer >= at)) or answer == -2:
            answer = self.text.find(self.begin_word, at)
            if answer > self.last_open:
                answer = -1
            self._b = (at, answer)
        return answer

    def end(self, at: int) -> int:
        asked, answer = self._e
        if not (asked <= at and (answer == -1 or answer >= at)) or answer == -2:
            answer = self.text.find(self.end_word, at)
            self._e = (at, answer)
        return answer


def _display_formulas(content: str, found: list[dict]) -> str:
    spans = []
    for m in lazy_matches(content, DISPLAY):
        single_line = " ".join(content[m.start:m.end].strip().split("\n"))
        first = next(lazy_matches(single_line, DOLLAR), None)
        item = {"category_type": "equation_isolated", "position": [m.start, m.end], "content": single_line}
        if first is not None and first.alt == 0 and first.body_end > first.body_start:
            item["content"] = _dollar_sub(single_line, keep=(0,))
        elif first is not None:
            item["content"] = _dollar_sub(single_line, keep=(1, 2))
            item["fine_category_type"] = "equation_inline"
            found.append(item)
            continue
        spans.append((m.start, m.end))
        found.append(item)
    return _blank(content, spans)


def _dollar_sub(text: str, keep: tuple[int, ...]) -> str:
    """`re.sub` of OmniDocBench's dollar pattern by `\\[` + the kept groups + `\\]`."""
    return sub_lazy(text, DOLLAR, lambda m, t: "\\[" + (t[m.body_start:m.body_end] if m.alt in keep else "") + "\\]")


def _markdown_tables(content: str, found: list[dict]) -> str:
    if len(pipe_rows(content + "\n")) < 2:
        return content
    content = markdown_to_html(content)
    spans = []
    for m in lazy_matches(content, [("<table", "</table>")]):
        spans.append((m.start, m.end))
        found.append({"category_type": "html_table", "position": [m.start, m.end],
                      "content": content[m.start:m.end].strip(), "fine_category_type": "md2html_table"})
    return _blank(content, spans)


def _code(content: str, found: list[dict]) -> str:
    spans = []
    for start, end, language, code in code_blocks(content):
        spans.append((start, end))
        found.append({"category_type": "text_all", "position": [start, end], "content": code.strip(),
                      "language": language, "fine_category_type": "code"})
    return _blank(content, spans)


def _keep_body(m, text: str) -> str:
    return text[m.body_start:m.body_end]


def _latex_style(content: str) -> str:
    content = sub_lazy(content, [("\\title{", "}")], _keep_body, dotall=False)
    content = braced_command(content, "\\title", star=False, space=True)
    content = braced_command(content, "\\text", star=False, space=True)
    content = sub_lazy(content, [("\\section*{", "}"), ("\\section{", "}")], _keep_body, dotall=False)
    return braced_command(content, "\\section", star=True, space=False)


def _paragraphs(content: str, found: list[dict]) -> None:
    parts = content.split("\n\n")
    if len(parts) == 1:
        parts = content.split("\n")
    at = 0
    for part in parts:
        position = [at, at + len(part)]
        at += len(part)   # OmniDocBench does not count the separators
        text = "\n".join(line.strip() for line in part.strip().strip("\n").split("\n") if line.strip())
        if not text:
            continue
        if text.startswith("<table") and text.endswith("</table>"):
            found.append({"category_type": "html_table", "position": position, "content": text})
        elif text.startswith("$") and text.endswith("$"):
            if text.replace("$", "").strip():
                found.append({"category_type": "equation_isolated", "position": position, "content": text.strip()})
        else:
            found.append({"category_type": "text_all", "position": position, "content": text.strip(),
                          "fine_category_type": "text_block"})
