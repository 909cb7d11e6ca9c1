"""An evaluation as a standalone HTML report, and the same report's body for the viewer's Evaluate page.

The report has the leaderboard (every summary score of the protocol, what each measures), bars per block kind
(docnorm) or per OmniDocBench category for each prediction set, drawn server-side as inline SVG whose bars are
placed in percent of its width (so the text keeps its size from a phone to a desktop), then each page, worst
first, the truth beside each prediction with the differences marked, and what could not be read. No script;
every provider string and file name is escaped text (the template autoescapes; nothing is marked safe but our
own markup).
"""

from __future__ import annotations

from typing import Callable, Iterable, NamedTuple

from markupsafe import Markup

from ..diff.align import text_ops
from ..jinja_env import env as _env
from .result import MEANINGS, OMNIDOCBENCH_SCORES, EvalResult, Entry, KindScore, PageResult
from .tables import LABELS, score_names

Links = Callable[[str | None, int, str | None, int | None], str | None]

FULL_PAGES = 50      # pages shown in full (the truth and each prediction); the rest are listed by name and score
ERRORS_SHOWN = 10    # differences shown per page and prediction (the worst; the rest counted)
ATTRIBUTES = 24      # page attributes charted under the omnidocbench protocol, at most
KEYS_SHOWN = 20      # missing or unmatched page names listed per prediction set
PALETTE = 8          # colours of the prediction sets, repeated past that
SPAN = 84.0          # percent of a chart's width that the value 1.0 spans (the rest holds the labels)
NAME_CUT = 18        # characters of a set's name written beside its bar (the legend has it whole)
NARROW = 320         # px: a chart's width on a 390 px phone, for which its labels are placed
BAR, GAP, HEAD = 18, 4, 22   # a chart's bar height, the space between bars, a group's heading (px)


class Column(NamedTuple):
    """A leaderboard column: the score's key, its label, what it measures, and whether lower is better."""

    key: str
    label: str
    meaning: str
    lower: bool


class Bar(NamedTuple):
    series: int
    name: str
    value: float | None
    label: str
    title: str
    y: float
    width: float          # percent of the chart's width
    inside: bool          # the label written inside the bar's end (a long bar) or after it


class Group(NamedTuple):
    label: str
    y: float
    bars: list[Bar]


class Chart(NamedTuple):
    title: str
    axis: str             # what the horizontal axis measures
    groups_name: str      # what the groups are (the vertical axis)
    groups: list[Group]
    height: float
    axis_y: float
    ticks: list[tuple[float, str]]   # (percent, label)


class ErrorView(NamedTuple):
    status: str
    kind: str
    similarity: float
    truth: list[tuple[str, str]]     # ("=" | "-", text): the truth's text, what the prediction lacks marked
    predicted: list[tuple[str, str]]  # ("=" | "+", text): the prediction's, what it adds marked


class Card(NamedTuple):
    """One prediction of one page."""

    series: int
    name: str
    page: PageResult | None          # None: this set has no row for the page (its scoring failed for it)
    scores: list[tuple[str, str]]    # (label, value)
    errors: list[ErrorView]
    more: int                        # differences not shown
    link: str | None


class PageView(NamedTuple):
    key: str
    anchor: str
    truth_file: str | None
    truth_page: int
    worst: float | None
    cards: list[Card]


def columns(result: EvalResult) -> list[Column]:
    """The leaderboard's columns: the protocol's summary scores with their labels and meanings, and whether
    lower is better (OmniDocBench's edit distances), so the best of each column can be marked.

    Example:
        >>> [c.label for c in columns(EvalResult(protocol="docnorm", truth="t", pages=0))][:3]
        ['overall', 'content', 'segment.']
    """
    return [Column(n, LABELS.get(n, n), MEANINGS.get(n, ""), n.endswith("_edit")) for n in score_names(result)]


def best_values(result: EvalResult) -> dict[str, float]:
    """The best value of each score over the sets (lowest for an edit distance), to mark in the leaderboard;
    nothing when there is only one set to compare.

    Example:
        >>> r = EvalResult(protocol="docnorm", truth="t", pages=1, entries=[
        ...     Entry(name="a", path="a", scores={"overall": 0.5}), Entry(name="b", path="b", scores={"overall": 0.9})])
        >>> best_values(r)["overall"]
        0.9
    """
    if len(result.entries) < 2:
        return {}
    best: dict[str, float] = {}
    for column in columns(result):
        values = [v for e in result.entries if (v := e.scores.get(column.key)) is not None]
        if values:
            best[column.key] = min(values) if column.lower else max(values)
    return best


def _px(text: str) -> float:
    """About how wide `text` is in a chart's 12 px bold font (wide characters count double)."""
    return sum(12.0 if ord(c) >= 0x2E80 else 7.0 for c in text)


def _bar(series: int, name: str, value: float | None, y: float, what: str) -> Bar:
    """One bar, its label inside its end or after it, whichever fits on the narrowest chart (NARROW px); when
    neither does, the value alone, after it (the legend and the bar's tooltip name the set)."""
    short = name if len(name) <= NAME_CUT else name[:NAME_CUT - 1] + "…"
    if value is None:
        return Bar(series % PALETTE, name, None, f"– · {short}", f"{name}: {what}", y, 0.0, False)
    width = max(0.0, min(1.0, value)) * SPAN
    label = f"{value:.3f} · {short}"
    room_in, room_out = NARROW * width / 100 - 10, NARROW * (100 - width) / 100 - 8
    inside = _px(label) <= room_in
    if not inside and _px(label) > room_out:
        label = f"{value:.3f}"
        inside = _px(label) > room_out
    return Bar(series % PALETTE, name, value, label, f"{name}: {value:.4f} ({what})", y, width, inside)


def chart(title: str, axis: str, groups_name: str, rows: Iterable[tuple[str, list[tuple[str, float | None, str]]]],
          ) -> Chart:
    """A horizontal bar chart laid out for the template: one group per row label, one bar per (set name, value,
    what the value is) in it, values 0..1 placed in percent of the width.

    Example:
        >>> c = chart("t", "content", "kind", [("table", [("mds", 0.5, "2 blocks")])])
        >>> c.groups[0].bars[0].label, c.groups[0].bars[0].width
        ('0.500 · mds', 42.0)
    """
    groups: list[Group] = []
    y = 26.0
    for label, values in rows:
        bars = [_bar(k, name, value, y + HEAD + k * (BAR + GAP), what) for k, (name, value, what) in enumerate(values)]
        groups.append(Group(label, y, bars))
        y += HEAD + len(bars) * (BAR + GAP) + 10
    ticks = [(t * SPAN, f"{t:g}") for t in (0, 0.25, 0.5, 0.75, 1)]
    return Chart(title, axis, groups_name, groups, y + 46, y + 4, ticks)


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def kind_charts(result: EvalResult) -> list[Chart]:
    """The bars of each prediction set: per block kind its content (and its layout F1 where boxes were compared)
    under the docnorm protocol; per OmniDocBench category its metric under the omnidocbench protocol.

    Example:
        >>> from exporters.eval import evaluate_sets
        >>> r = evaluate_sets("tests/data/omnidocbench/OmniDocBench_demo.json", ["tests/data/omnidocbench/mds"])
        >>> [g.label.split(" ")[0] for g in kind_charts(r)[0].groups][:3]
        ['caption', 'figure', 'footnote']
    """
    entries = result.entries
    if result.protocol == "omnidocbench":
        return _official_charts(entries)
    kinds = [{k.kind: k for k in e.kinds} for e in entries]
    truth = {k.kind: k.truth for e in entries for k in e.kinds}
    names = sorted(truth)
    content = [(f"{kind} · {truth[kind]} in the truth", [_content(e.name, ks.get(kind), truth[kind])
                                                         for e, ks in zip(entries, kinds)])
               for kind in names if truth[kind]]
    charts = [chart("Content by block kind", "content similarity, 0 to 1 (higher is better)", "block kind",
                    content)] if content else []
    layout = [(kind, [_layout(e.name, ks.get(kind)) for e, ks in zip(entries, kinds)]) for kind in names]
    layout = [(kind, bars) for kind, bars in layout if any(value is not None for _, value, _ in bars)]
    if layout:
        charts.append(chart("Layout by block kind", "box F1 at IoU 0.5, 0 to 1 (higher is better)", "block kind",
                            layout))
    return charts


def _dig(value: object, *keys: str) -> dict:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def _official_charts(entries: list[Entry]) -> list[Chart]:
    """OmniDocBench's metrics per category (`Entry.scores`), and its text edit distance per page attribute
    (`metric_result`: data source, language, layout…), lower being better for every edit distance."""
    rows = [(f"{LABELS.get(n, n)}{' (lower is better)' if n.endswith('_edit') else ''}",
             [(e.name, e.scores.get(n), MEANINGS.get(n, n)) for e in entries])
            for n in OMNIDOCBENCH_SCORES if n != "overall" and any(e.scores.get(n) is not None for e in entries)]
    charts = [chart("OmniDocBench metrics by category", "score, 0 to 1 (edit distances: lower is better)",
                    "category", rows)] if rows else []
    tables = [_dig(e.metric_result, "text_block", "page", "Edit_dist") for e in entries]
    keys = sorted({k for t in tables for k in t if k not in ("ALL", "None")})[:ATTRIBUTES]
    by_page = [(key, [(e.name, v if isinstance(v := t.get(key), (int, float)) else None,
                       f"text edit distance of the pages with {key}") for e, t in zip(entries, tables)])
               for key in keys]
    if by_page:
        charts.append(chart("Text edit distance by page attribute", "text edit distance, 0 to 1 (lower is better)",
                            "page attribute", by_page))
    return charts


def _content(name: str, k: KindScore | None, truth: int) -> tuple[str, float | None, str]:
    predicted = k.predicted if k else 0
    return name, k.content if k else None, f"{predicted} predicted; content of the truth's {truth}"


def _layout(name: str, k: KindScore | None) -> tuple[str, float | None, str]:
    if k is None:
        return name, None, "no boxes of this kind"
    return name, _f1(k.precision, k.recall), f"precision {_n(k.precision)}, recall {_n(k.recall)}"


def _n(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _marked(status: str, truth: str, predicted: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Both texts as runs, the truth's missing parts and the prediction's additions marked (character level)."""
    if not (truth and predicted) or status in ("missed", "extra"):
        return ([("=", truth)] if truth else []), ([("=", predicted)] if predicted else [])
    ops = text_ops(truth, predicted)
    return [op for op in ops if op[0] != "+"], [op for op in ops if op[0] != "-"]


def page_value(page: PageResult) -> float | None:
    """How well one page went, 0..1, higher better: its content (docnorm), else 1 - its text edit distance
    (OmniDocBench); None when the page has neither.

    Example:
        >>> page_value(PageResult(key="p", scores={"text_edit": 0.25}))
        0.75
    """
    content, edit = page.scores.get("content"), page.scores.get("text_edit")
    return content if content is not None else None if edit is None else 1.0 - edit


def page_order(result: EvalResult) -> list[str]:
    """The pages' keys, worst first: by the lowest `page_value` any set got on the page (as each `Entry.pages`
    is ordered; a page without one last), then by name.

    Example:
        >>> r = EvalResult(protocol="docnorm", truth="t", pages=2, entries=[Entry(name="a", path="a", pages=[
        ...     PageResult(key="p1", scores={"content": 0.9}), PageResult(key="p2", scores={"content": 0.2})])])
        >>> page_order(r)
        ['p2', 'p1']
    """
    worst: dict[str, float] = {}
    for e in result.entries:
        for page in e.pages:
            value = page_value(page)
            worst[page.key] = min(worst.get(page.key, 2.0), 2.0 if value is None else value)
    return sorted(worst, key=lambda key: (worst[key], key))


def _card(series: int, entry: Entry, page: PageResult | None, links: Links | None) -> Card:
    if page is None:
        return Card(series, entry.name, None, [], [], 0, None)
    scores = [(LABELS.get(k, k), f"{v:.3f}") for k, v in page.scores.items() if v is not None]
    errors = [ErrorView(e.status, e.kind, e.similarity, *_marked(e.status, e.truth, e.predicted))
              for e in page.errors[:ERRORS_SHOWN]]
    link = links(page.truth_file, page.truth_page, page.prediction_file, page.prediction_page) if links else None
    return Card(series, entry.name, page, scores, errors, max(0, len(page.errors) - ERRORS_SHOWN), link)


def page_views(result: EvalResult, links: Links | None = None,
               full: int = FULL_PAGES) -> tuple[list[PageView], list[tuple[str, list[str]]]]:
    """The first `full` pages, worst first, each with a card per prediction set; then the rest as (key, each
    set's content, or text edit distance under omnidocbench) lines: the report stays bounded however many pages
    were scored.

    Example:
        >>> r = EvalResult(protocol="docnorm", truth="t", pages=1, entries=[Entry(name="a", path="a", pages=[
        ...     PageResult(key="p1", missing=True, scores={"content": 0.0})])])
        >>> shown, rest = page_views(r)
        >>> shown[0].cards[0].page.missing, rest
        (True, [])
    """
    by_key = [{p.key: p for p in e.pages} for e in result.entries]
    order = page_order(result)
    shown = []
    for n, key in enumerate(order[:full]):
        rows = [pages.get(key) for pages in by_key]
        first = next((p for p in rows if p is not None), None)
        if first is None:  # a key no set has (cannot happen: `order` comes from the sets' own pages)
            continue
        values = [v for p in rows if p is not None and (v := page_value(p)) is not None]
        cards = [_card(k % PALETTE, e, p, links) for k, (e, p) in enumerate(zip(result.entries, rows))]
        shown.append(PageView(key, f"page-{n + 1}", first.truth_file, first.truth_page,
                              min(values) if values else None, cards))
    score = "text_edit" if result.protocol == "omnidocbench" else "content"
    rest = []
    for key in order[full:]:
        cells = []
        for pages in by_key:
            page = pages.get(key)
            cells.append("missing" if page and page.missing else _n(page.scores.get(score) if page else None))
        rest.append((key, cells))
    return shown, rest


def _context(result: EvalResult, links: Links | None, full: int) -> dict[str, object]:
    shown, rest = page_views(result, links, full)
    return {"result": result, "columns": columns(result), "best": best_values(result), "charts": kind_charts(result),
            "shown": shown, "rest": rest, "palette": PALETTE, "keys_shown": KEYS_SHOWN, "bar_height": BAR,
            "prediction_failures": [(e.name, file, why) for e in result.entries for file, why in e.failures]}


def eval_report_body(result: EvalResult, links: Links | None = None, full: int = FULL_PAGES) -> Markup:
    """The report without its page: what the viewer's Evaluate page shows inside its own layout (the same
    template as `to_eval_html`, so the two cannot drift). Its styles are `eval_report_css()`.

    Example:
        >>> body = eval_report_body(EvalResult(protocol="docnorm", truth="<t>", pages=0))
        >>> "&lt;t&gt;" in body and "<t>" not in body
        True
    """
    return Markup(_env.get_template("eval_report_body.html.j2").render(**_context(result, links, full)))


def eval_report_css() -> str:
    """The report's styles: inlined by `to_eval_html`, served as a stylesheet by the viewer (whose
    Content-Security-Policy allows no inline `<style>`). Every class starts with `ev-`.

    Example:
        >>> ".ev-chart" in eval_report_css()
        True
    """
    return _env.get_template("eval_report.css.j2").render()


def to_eval_html(result: EvalResult, links: Links | None = None, full: int = FULL_PAGES) -> str:
    """A standalone report of `result` (inline CSS, inline SVG charts, no script, nothing fetched) that
    someone can open from disk or attach: the leaderboard, the bars per kind for each set, the first `full`
    pages worst first (the truth beside each prediction, differences marked) and the rest by name and score,
    and the files that could not be read. With `links(truth_file, truth_page, prediction_file,
    prediction_page) -> URL | None`, each page links there (the viewer's compare view).

    Example:
        >>> from exporters.eval import evaluate_sets
        >>> r = evaluate_sets("tests/data/omnidocbench/OmniDocBench_demo.json", ["tests/data/omnidocbench/mds"])
        >>> html = to_eval_html(r)
        >>> html.startswith("<!DOCTYPE html>") and "<script" not in html and 'class="ev-chart"' in html
        True
    """
    return _env.get_template("eval_report.html.j2").render(result=result, css=Markup(eval_report_css()),
                                                           body=eval_report_body(result, links, full))
