"""OmniDocBench's Markdown-table-to-HTML conversion (`utils/table_utils.py`), reproduced with its quirks.

OmniDocBench cuts a Markdown table into one-row tables (its row pattern stops at the first `|` that ends a
line), turns each into `<table>` HTML, then glues consecutive ones back together, dropping the lines of the
glued rows that hold a colon or `---` (the separator row, and any cell with a colon in it). The converted text
replaces the page's text, so the positions of what is found afterwards are counted in it.
"""

from __future__ import annotations

import re

from .scan import lazy_matches, pipe_rows, replace_spans

_TABLE_LINE = re.compile(r"</?t(able|head|body)>")


def markdown_to_html(markdown_content: str) -> str:
    """OmniDocBench's `convert_markdown_to_html`: every `|...|` row as HTML, consecutive rows merged.

    Why: OmniDocBench scores a Markdown table as the HTML this makes.

    Example:
        >>> html = markdown_to_html("| a | b |\\n|---|---|\\n| 1 | 2 |\\n")
        >>> html.count("<tr>"), '<td colspan="1" rowspan="1">1</td>' in html
        (2, True)
    """
    content = markdown_content.replace("\r", "") + "\n"
    spans = pipe_rows(content)
    content = replace_spans(content, spans, [_row_table(content[a:b]) for a, b in spans])
    merged = _merge_blocks(content)
    return merged.replace("<table>", '<table border="1" >').replace("<td>", '<td colspan="1" rowspan="1">')


def _row_table(markdown_table: str) -> str:
    rows = [row.strip() for row in markdown_table.strip().split("\n")]
    out = ["<table>\n  <thead>\n    <tr>\n"]
    out += [f"      <th>{cell.strip()}</th>\n" for cell in rows[0].split("|")[1:-1]]
    out.append("    </tr>\n  </thead>\n  <tbody>\n")
    for row in rows[2:]:
        out.append("    <tr>\n")
        out += [f"      <td>{cell.strip()}</td>\n" for cell in row.split("|")[1:-1]]
        out.append("    </tr>\n")
    out.append("  </tbody>\n</table>\n")
    return "".join(out)


def _separator_like(line: str) -> bool:
    return ":" in line or "---" in line


def _merge_blocks(text: str) -> str:
    """OmniDocBench's `replace_table_with_placeholder`, line for line (it looks one line behind)."""
    output: list[str] = []
    block: list[str] = []
    in_table = False
    last = ""
    for line in text.split("\n"):
        if "<table>" in line:
            in_table = True
            block.append(last)
        elif in_table:
            if not _separator_like(last) and "</thead>" not in last:
                block.append("\n" + last)
            if "</table>" in last and "<table>" not in line:
                in_table = False
                output.append(_merge_tables("".join(block)))
                block = []
        else:
            output.append(last)
        last = line
    if last:
        if in_table or "</table>" in last:
            block.append("\n" + last)
            output.append(_merge_tables("".join(block)))
        else:
            output.append(last)
    return "\n".join(output)


def _merge_tables(text: str) -> str:
    comments = [(m.start, m.end) for m in lazy_matches(text, [("<!--", "-->")])]
    text = replace_spans(text, comments, [""] * len(comments))
    lines: list[str] = []
    for m in lazy_matches(text, [("<table>", "</table>")]):
        block = [line.replace("<th>", "<td>").replace("</th>", "</td>") if "<th>" in line else line
                 for line in text[m.start:m.end].split("\n")]
        rows = [line for line in block if not _TABLE_LINE.search(line)]
        if len(rows) > 2:
            lines.extend(rows)
    return "\n\n<table>\n{}\n</table>\n\n".format("\n".join(lines))
