"""Linear-time equivalents of OmniDocBench's lazy regular expressions.

OmniDocBench finds formulas, tables, code and images with patterns such as `\\$(.*?)\\$` or `<table.*?</table>`.
Python's backtracking engine runs such a pattern from every opener to the end of the text when the closer is
missing, so a page with many unclosed openers costs quadratic time. The functions here return exactly the
matches `re.finditer` returns for those patterns (leftmost first, alternatives in order, the shortest body),
but remember where a closer cannot be found any more, so that every character is looked at a bounded
number of times.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator, NamedTuple


class Match(NamedTuple):
    """One match: its span, which alternative matched, and the span of its body (the lazy group)."""

    start: int
    end: int
    alt: int
    body_start: int
    body_end: int


def lazy_matches(text: str, alts: list[tuple[str, str]], dotall: bool = True) -> Iterator[Match]:
    """The matches of `O1(.*?)C1|O2(.*?)C2|...` (literal openers and closers), as `re.finditer` finds them.

    Why: the regex engine re-scans to the end of the text from every opener whose closer is missing.

    Example:
        >>> [m[:3] for m in lazy_matches("a $x$ b $$y$$ $", [("$$", "$$"), ("$", "$")])]
        [(2, 5, 1), (8, 13, 0)]
    """
    n = len(text)
    line_end = _LineEnds(text)
    dead = [0] * len(alts)          # alternative k cannot match at a position below dead[k]
    nxt = [-2] * len(alts)          # next occurrence of opener k at or after pos (-1: none)
    pos = 0
    while pos <= n:
        p = _next_candidate(text, alts, dead, nxt, pos)
        if p < 0:
            return
        for k, (opener, closer) in enumerate(alts):
            if nxt[k] != p or p < dead[k]:
                continue
            body = p + len(opener)
            limit = n if dotall else line_end(body)
            q = text.find(closer, body, limit)
            if q < 0:
                dead[k] = n + 1 if dotall else limit
                continue
            yield Match(p, q + len(closer), k, body, q)
            pos = q + len(closer)
            break
        else:
            pos = p + 1


def _next_candidate(text: str, alts: list[tuple[str, str]], dead: list[int], nxt: list[int], pos: int) -> int:
    best = -1
    for k, (opener, _) in enumerate(alts):
        if dead[k] > len(text):
            nxt[k] = -1
            continue
        if nxt[k] != -1 and nxt[k] < max(pos, dead[k]):
            nxt[k] = text.find(opener, max(pos, dead[k]))
        if nxt[k] >= 0 and (best < 0 or nxt[k] < best):
            best = nxt[k]
    return best


class _LineEnds:
    """The end of the line of a position, remembered while positions only grow (one pass over the text)."""

    def __init__(self, text: str) -> None:
        self.text, self.start, self.end = text, 0, -1

    def __call__(self, at: int) -> int:
        if not (self.start <= at <= self.end):
            found = self.text.find("\n", at)
            self.start, self.end = at, len(self.text) if found < 0 else found
        return self.end


def replace_spans(text: str, spans: list[tuple[int, int]], pieces: list[str] | None = None) -> str:
    """The text with each (start, end) span (sorted, not overlapping) replaced by its piece, or blanked with
    spaces of the same length when no pieces are given (as OmniDocBench blanks what it has extracted).

    Why: one join instead of rebuilding the whole string once per match.

    Example:
        >>> replace_spans("ab$x$cd", [(2, 5)])
        'ab   cd'
    """
    out: list[str] = []
    last = 0
    for k, (start, end) in enumerate(spans):
        out.append(text[last:start])
        out.append(" " * (end - start) if pieces is None else pieces[k])
        last = end
    out.append(text[last:])
    return "".join(out)


def sub_lazy(text: str, alts: list[tuple[str, str]], repl: Callable[[Match, str], str], dotall: bool = True) -> str:
    """`re.sub` of a lazy pattern (see `lazy_matches`), each match replaced by `repl(match, text)`.

    Example:
        >>> sub_lazy("\\\\tag{1} x", [("\\\\tag{", "}")], lambda m, t: "", dotall=False)
        ' x'
    """
    matches = list(lazy_matches(text, alts, dotall))
    return replace_spans(text, [(m.start, m.end) for m in matches], [repl(m, text) for m in matches])


def image_spans(text: str) -> list[tuple[int, int]]:
    """The spans of `!\\[.*?\\]\\(.*?\\)` (a Markdown image, on one line), as OmniDocBench's `re.sub` removes them.

    Example:
        >>> image_spans("see ![a](b.png) and ![c")
        [(4, 15)]
    """
    spans: list[tuple[int, int]] = []
    line_end = _LineEnds(text)
    pos = 0
    while True:
        p = text.find("![", pos)
        if p < 0:
            return spans
        eol = line_end(p)
        q = text.find("](", p + 2, eol)
        r = text.find(")", q + 2, eol) if q >= 0 else -1
        if r < 0:
            pos = eol + 1
            continue
        spans.append((p, r + 1))
        pos = r + 1


def pipe_rows(text: str) -> list[tuple[int, int]]:
    """The spans of `\\|\\s*.*?\\s*\\|\\n` (DOTALL): from a `|` to the first `|` + newline after it (OmniDocBench's
    Markdown table rows).

    Example:
        >>> pipe_rows("| a | b |\\n|---|---|\\n")
        [(0, 10), (10, 20)]
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        p = text.find("|", pos)
        if p < 0:
            return spans
        q = text.find("|\n", p + 1)
        if q < 0:
            return spans
        spans.append((p, q + 2))
        pos = q + 2


_WORD_LINE = re.compile(r"\w+\n")


def code_blocks(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, language, code) of each match of ```` ```(\\w+)\\n(.*?)``` ```` (DOTALL): OmniDocBench's code
    blocks.

    Example:
        >>> code_blocks("```py\\nx = 1\\n```")
        [(0, 15, 'py', 'x = 1\\n')]
    """
    found: list[tuple[int, int, str, str]] = []
    pos = 0
    while True:
        p = text.find("```", pos)
        if p < 0:
            return found
        opener = _WORD_LINE.match(text, p + 3)
        if opener is None:
            pos = p + 1
            continue
        q = text.find("```", opener.end())
        if q < 0:
            return found
        found.append((p, q + 3, text[p + 3:opener.end() - 1], text[opener.end():q]))
        pos = q + 3


def braced_command(text: str, command: str, star: bool, space: bool) -> str:
    """`re.sub(r'\\\\command\\*?\\s*\\{\\s*(.*?)\\s*\\}', r'\\1', text, flags=re.DOTALL)`: the command unwrapped to
    its argument with the argument's outer whitespace dropped (`star`: an optional `*` after the name; `space`:
    whitespace allowed before the brace).

    Example:
        >>> braced_command("\\\\title { Intro } text", "\\\\title", star=False, space=True)
        'Intro text'
    """
    out: list[str] = []
    last = pos = 0
    while True:
        p = text.find(command, pos)
        if p < 0:
            break
        k = p + len(command)
        if star and text.startswith("*", k):
            k += 1
        while space and k < len(text) and text[k].isspace():
            k += 1
        if not text.startswith("{", k):
            pos = p + 1
            continue
        q = text.find("}", k + 1)
        if q < 0:
            break
        out += [text[last:p], text[k + 1:q].strip()]
        last = pos = q + 1
    out.append(text[last:])
    return "".join(out)


def first_array(text: str) -> tuple[str, str, int] | None:
    """(column spec, body, body start) of the first `\\begin{array}{spec}body\\end{array}`, as OmniDocBench's
    `ARRAY_RE.search` finds it, or None.

    Example:
        >>> first_array("\\\\begin{array}{l} a \\\\end{array}")
        ('l', ' a ', 16)
    """
    p = text.find("\\begin{array}{")
    if p < 0:
        return None
    k = text.find("}", p + 14)
    if k < 0:
        return None
    q = text.find("\\end{array}", k + 1)
    if q < 0:
        return None
    return text[p + 14:k], text[k + 1:q], k + 1


def display_bracket(text: str) -> str | None:
    """The body of the first `\\\\\\[(.+?)(?<!\\\\)\\\\\\]` in the text (one line, closer not escaped), or None: how
    OmniDocBench strips `\\[ \\]` from a formula.

    Example:
        >>> display_bracket("\\\\[ x^2 \\\\]")
        ' x^2 '
    """
    line_end = _LineEnds(text)
    pos = 0
    while True:
        p = text.find("\\[", pos)
        if p < 0:
            return None
        eol = line_end(p + 2)
        q = text.find("\\]", p + 3, eol)
        while q >= 0 and text[q - 1] == "\\":
            q = text.find("\\]", q + 1, eol)
        if q >= 0:
            return text[p + 2:q]
        pos = max(p + 1, eol)
