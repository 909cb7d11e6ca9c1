"""The evaluation's HTML report (`docnorm eval --html`) and the viewer's Evaluate page that shows the same report:
content, escaping, missing pages, bounds, paths confined to the served folder, nothing written, and both at a
desktop's and a phone's width in a real browser."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import threading
from pathlib import Path

import html5lib
import pytest
from markupsafe import escape

from exporters import to_json
from exporters.eval import EvalResult, Entry, evaluate_sets
from exporters.eval.report import eval_report_body, to_eval_html
from exporters.eval.result import MEANINGS, BlockError, KindScore, PageResult
from exporters.eval.tables import LABELS, score_names
from normalizer.schema import Block, Document, Page
from viewer import create_app

from .conftest import DATA, SAMPLES

DEMO = DATA / "omnidocbench"
HOSTILE = '"><img src=x onerror=alert(1)>'
SCRIPT = '<script>alert("pwned")</script>'


def _parse(html: str) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


@pytest.fixture(scope="module")
def demo() -> EvalResult:
    return evaluate_sets(str(DEMO / "OmniDocBench_demo.json"), [str(DEMO / "end2end"), str(DEMO / "mds")])


def _doc(source: str, texts: list[str]) -> Document:
    blocks = [Block(id=f"b{k}", page=1, kind="paragraph", text=t, bbox=[20, 20 + 60 * k, 580, 70 + 60 * k])
              for k, t in enumerate(texts)]
    return Document(provider="test", format="docnorm", file_name=source, pages=[Page(number=1, width=600, height=800)],
                    blocks=blocks)


def _hostile(root: Path) -> tuple[Path, Path]:
    """A truth of two one-page documents (one named to break out of an attribute) and a prediction set (its
    folder's name markup) that has the first only, its text holding a script."""
    truth, preds = root / "truth", root / "preds<i>"
    truth.mkdir(parents=True)
    preds.mkdir()
    (truth / f"{HOSTILE}.json").write_bytes(to_json(_doc(f"{HOSTILE}.pdf", ["Quarterly revenue rose.", "Outlook."])))
    (truth / "other.json").write_bytes(to_json(_doc("other.pdf", ["A page nobody predicted."])))
    (preds / f"{HOSTILE}.json").write_bytes(to_json(_doc(f"{HOSTILE}.pdf", [f"{SCRIPT} Quarterly revenue rose."])))
    return truth, preds


# -- the report ---------------------------------------------------------------------------------------------------

def test_the_report_on_the_demo_ranks_both_sets_with_every_score_its_bars_and_its_pages(demo):
    html = to_eval_html(demo)
    _parse(html)
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    assert "default-src 'none'" in html and "script-src" not in html
    board = html[html.index('class="ev-board"'):html.index("</table>", html.index('class="ev-board"'))]
    assert board.index(">mds<") < board.index(">end2end<")   # best first
    for name in score_names(demo):
        assert f">{escape(LABELS[name])}</th>" in board and str(escape(MEANINGS[name])) in html
    assert board.count("ev-best") == sum(1 for n in score_names(demo) if n != "layout")  # layout: no boxes
    charts = re.findall(r'<svg class="ev-chart".*?</svg>', html, re.S)
    assert len(charts) == 1 and "block kind" in charts[0] and "content similarity" in charts[0]
    assert charts[0].count('class="ev-bar"') == 2 * charts[0].count('class="ev-group"') > 0
    assert re.search(r">1\.000 · mds<", charts[0]) and "· end2end<" in charts[0]   # values labelled
    legend = html[html.index('class="ev-legend"'):]
    assert legend.index("mds") < legend.index("end2end")
    assert html.count('<section class="ev-page"') == 18 and html.count('<article class="ev-pred') == 36
    assert 'class="ev-status ev-missed"' in html and "ev-compare" not in html   # no links without `links`


def test_pages_come_worst_first_and_past_the_bound_are_listed_by_name_and_score(demo):
    html = to_eval_html(demo, full=5)
    assert html.count('<section class="ev-page"') == 5
    rest = html[html.index('id="rest"'):]
    assert "The other 13 page(s)" in rest and rest.count("<tr><td>") == 13
    worst = [min(p.scores["content"] for e in demo.entries for p in e.pages if p.key == key)
             for key in re.findall(r'<section class="ev-page" id="page-\d+">\s*<div class="ev-page-head"><h3>([^<]+)',
                                   html)]
    assert worst == sorted(worst)


def test_provider_strings_and_file_names_are_escaped_and_a_missing_page_says_so(tmp_path):
    truth, preds = _hostile(tmp_path)
    result = evaluate_sets(str(truth), [str(preds)])
    assert result.entries[0].missing == ["other"]
    html = to_eval_html(result, links=lambda *args: f"/compare?a={args[0]}&x=\"'<>")
    _parse(html)
    assert "<script" not in html and "<img" not in html and "<i>" not in html
    assert str(escape(SCRIPT)) in html and "preds&lt;i&gt;" in html and str(escape(HOSTILE)) in html
    assert 'href="/compare?a=' in html and "&#34;&#39;&lt;&gt;" in html   # even our own links are escaped
    section = html[html.index("<h3>other</h3>"):]
    assert "missing, scored as empty" in section[:section.index("</section>")]
    assert "1 truth page(s) with no prediction, scored as empty: other" in html


def test_failures_and_notes_are_listed():
    result = EvalResult(protocol="docnorm", truth="t", pages=0, failures=[("t/<bad>.json", "$.x: <b>no</b>")],
                        notes=["CDM <left out>"], entries=[Entry(name="p", path="p", failures=[("p/x.json", "boom")])])
    html = to_eval_html(result)
    assert "Truth files that could not be read" in html and "t/&lt;bad&gt;.json" in html and "&lt;b&gt;no" in html
    assert "Prediction files that could not be read" in html and "p/x.json" in html and "CDM &lt;left out&gt;" in html


def test_the_omnidocbench_protocol_shows_its_metrics_by_category_lower_being_better():
    pages = [PageResult(key="p1", scores={"text_edit": 0.2}, errors=[BlockError(status="changed", kind="text_block",
                                                                                truth="abc", predicted="abd")])]
    entries = [Entry(name="a", path="a", rank=1, pages=pages,
                     scores={"overall": 0.8, "text_edit": 0.1, "table_teds": 0.9, "reading_order_edit": 0.05}),
               Entry(name="b", path="b", rank=2, scores={"overall": 0.5, "text_edit": 0.4, "table_teds": 0.6},
                     kinds=[KindScore(kind="text_block", truth=1, predicted=1)])]
    html = to_eval_html(EvalResult(protocol="omnidocbench", truth="OmniDocBench.json", pages=1, entries=entries))
    _parse(html)
    chart = re.findall(r'<svg class="ev-chart".*?</svg>', html, re.S)
    assert len(chart) == 1 and "OmniDocBench metrics by category" in html and "lower is better" in chart[0]
    assert "text ED (lower is better)" in chart[0] and "order ED" in chart[0] and "formula ED" not in chart[0]
    assert re.search(r'ev-best" data-label="text ED">0\.1000<', html)   # the lower edit distance is the best
    assert "not scored for this page" in html   # b has no row for p1


def test_the_omnidocbench_protocol_end_to_end():
    if importlib.util.find_spec("exporters.eval.official") is None:
        pytest.skip("exporters.eval.official (the omnidocbench protocol) is not written yet")
    result = evaluate_sets(str(DEMO / "OmniDocBench_demo.json"), [str(DEMO / "mds")], "omnidocbench")
    html = to_eval_html(result)
    _parse(html)
    assert "text ED" in html and 'class="ev-chart"' in html and "<script" not in html


def test_the_body_alone_is_what_the_viewer_embeds(demo):
    body = eval_report_body(demo)
    assert body.lstrip().startswith('<div class="eval-report">') and "<style" not in body and "style=" not in body
    assert body in to_eval_html(demo)


# -- the viewer's Evaluate page -----------------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    """The samples, the OmniDocBench demo, hostile names, an unreadable truth, and links leading out."""
    root = tmp_path / "root"
    shutil.copytree(SAMPLES, root)
    shutil.copytree(DEMO, root / "demo", ignore=shutil.ignore_patterns("PROVENANCE.md"))
    _hostile(root / "hostile")
    (root / "broken").mkdir()
    (root / "broken" / "truncated.json").write_text('{"job": {"id": "x", "status": "COMPLETED"}, "items": {"pag')
    (tmp_path / "secret.json").write_bytes(to_json(_doc("harbor_q3_2025.pdf", ["secret"])))
    os.symlink(tmp_path / "secret.json", root / "leak.json")
    os.symlink(tmp_path, root / "outside_dir")
    return root


def _tree(path: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(path.rglob("*"))}


SAME = "/evaluate?t=truth&p=same_report/harbor_q3_baidu.json&p=same_report/harbor_q3_llamacloud_v2.json" \
       "&p=same_report/harbor_q3_somark.json"


def test_the_form_lists_the_folders_and_files_and_chooses_the_truth_folder(served):
    html = create_app(str(served)).test_client().get("/evaluate").data.decode()
    _parse(html)
    assert '<option value="truth" selected>truth/ (1 file)</option>' in html
    assert 'name="p" value="same_report/harbor_q3_somark.json"' in html and 'name="p" value="demo/mds"' in html
    assert "leak.json" not in html and "outside_dir" not in html and "secret" not in html
    assert 'class="evaluate-link"' in html and "ev-board" not in html


def test_the_samples_evaluate_out_of_the_box_each_page_opening_the_compare_view(served):
    client = create_app(str(served)).test_client()
    html = client.get(SAME).data.decode()
    _parse(html)
    board = html[html.index('class="ev-board"'):]
    assert board.index("harbor_q3_llamacloud_v2.json") < board.index("harbor_q3_somark.json")
    assert str(served) not in html   # paths as the served folder names them
    links = {u.replace("&amp;", "&") for u in re.findall(r'class="ev-compare" href="([^"]+)"', html)}
    assert len(links) == 6 and "/compare?a=truth/harbor_q3_2025.truth.json&ai=0&b=same_report/harbor_q3_somark.json" \
        "&bi=0&start=1" in links
    assert all(client.get(link).status_code == 200 for link in sorted(links)[:2])   # the compare view opens
    download = client.get(re.search(r'href="(/evaluate/report\.html[^"]+)"', html)[1].replace("&amp;", "&"))
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert "ev-compare" not in download.data.decode()


@pytest.mark.parametrize("query", ["t=../x&p=truth", "t=/etc&p=truth", "t=truth&p=/etc", "t=truth&p=..",
                                   "t=truth&p=leak.json", "t=truth&p=outside_dir", "t=outside_dir&p=truth",
                                   "t=truth&p=same_report/nope.json", "t=truth&p=samples/../truth",
                                   "t=truth&p=truth/../same_report", "t=truth&p=same_report&protocol=mine"])
def test_anything_outside_the_served_folder_or_not_offered_is_refused(served, query):
    response = create_app(str(served)).test_client().get(f"/evaluate?{query}")
    assert response.status_code == 404 and b"ev-board" not in response.data and b"secret" not in response.data


def test_nothing_is_written_however_it_is_used(served):
    before = _tree(served.parent)
    client = create_app(str(served)).test_client()
    for url in ["/evaluate", SAME, SAME + "&protocol=omnidocbench", "/evaluate?t=broken&p=truth",
                "/evaluate?t=hostile/truth&p=hostile/preds%3Ci%3E", "/evaluate/report.css",
                "/evaluate/report.html?t=truth&p=same_report", "/evaluate?t=truth&p=leak.json"]:
        client.get(url)
    assert _tree(served.parent) == before


def test_hostile_names_and_texts_are_escaped_in_the_viewer(served):
    html = create_app(str(served)).test_client().get("/evaluate?t=hostile/truth&p=hostile/preds%3Ci%3E").data.decode()
    _parse(html)
    assert "<script>" not in html and '"><img' not in html and "<i>" not in html
    assert str(escape(SCRIPT)) in html and "missing, scored as empty" in html


def test_a_truth_with_nothing_readable_or_no_pairs_says_so(served):
    client = create_app(str(served)).test_client()
    broken = client.get("/evaluate?t=broken&p=same_report")
    assert broken.status_code == 200 and b"The truth has nothing readable" in broken.data
    assert b"truncated.json" in broken.data   # the failure, listed
    unpaired = client.get("/evaluate?t=truth&p=baidu/annual_report_result.json")
    assert unpaired.status_code == 200 and b"No predicted page pairs with a truth page" in unpaired.data
    assert client.get("/evaluate?t=truth").status_code == 200   # no prediction chosen: the form says so
    assert b"Choose the ground truth and one or more prediction sets" in client.get("/evaluate?t=truth").data


def test_the_work_is_bounded_and_the_cut_said(served):
    app = create_app(str(served))
    app.config.update(DOCNORM_EVAL_PAGES=3, DOCNORM_EVAL_FILES=5)
    html = app.test_client().get("/evaluate?t=demo/OmniDocBench_demo.json&p=demo/mds&p=demo/end2end").data.decode()
    assert "only the first 3 of the truth&#39;s 18 pages were scored" in html
    assert "demo/mds: 5 of its 18 files were read" in html
    assert "3 truth page(s) scored" in html and html.count('<section class="ev-page"') == 3


def test_results_are_cached_until_a_file_changes(served, monkeypatch):
    import viewer.routes.evaluate as route
    real, calls = route.native, []

    def counting(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)
    monkeypatch.setattr(route, "native", counting)
    client = create_app(str(served)).test_client()
    client.get("/evaluate?t=truth&p=same_report/harbor_q3_somark.json")
    client.get("/evaluate?t=truth&p=same_report/harbor_q3_somark.json")
    assert calls == ["harbor_q3_somark.json"]
    os.utime(served / "same_report" / "harbor_q3_somark.json", ns=(1, 1))
    client.get("/evaluate?t=truth&p=same_report/harbor_q3_somark.json")
    assert len(calls) == 2


def test_the_omnidocbench_protocol_in_the_viewer(served):
    html = create_app(str(served)).test_client().get(
        "/evaluate?t=demo/OmniDocBench_demo.json&p=demo/mds&protocol=omnidocbench").data.decode()
    if importlib.util.find_spec("exporters.eval.official") is None:
        assert "The omnidocbench protocol is not available in this installation" in html
    else:
        assert "text ED" in html and "ev-board" in html


# -- in a real browser --------------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SIZES = [(1440, 900), (390, 844)]


@pytest.fixture(scope="module")
def browser():
    api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    with api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def _serve(root: Path):
    from werkzeug.serving import make_server
    srv = make_server("127.0.0.1", 0, create_app(str(root)), threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()


def _check_layout(browser, url: str, name: str) -> None:
    """At each width: the leaderboard and the bars show, nothing runs off the page sideways, every chart label
    stays inside its chart, no console error (a blocked style would be one); a screenshot to look at."""
    for width, height in SIZES:
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        assert page.locator(".ev-board").is_visible() and page.locator("svg.ev-chart").first.is_visible()
        assert page.locator("svg.ev-chart rect.ev-bar").count() > 0
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), width
        outside = page.evaluate("""() => [...document.querySelectorAll('svg.ev-chart')].flatMap(svg => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')].filter(t => { const r = t.getBoundingClientRect();
                return r.left < box.left - 1 || r.right > box.right + 1; }).map(t => t.textContent); })""")
        assert outside == [], (width, outside)
        assert errors == []
        page.screenshot(path=f"/tmp/eval_{name}_{width}.png", full_page=True)
        page.close()


def test_the_report_file_reads_at_a_desktops_and_a_phones_width(browser, tmp_path, demo):
    same = evaluate_sets(str(SAMPLES / "truth"), [str(SAMPLES / "same_report" / n) for n in
                                                  ("harbor_q3_baidu.json", "harbor_q3_llamacloud_v2.json",
                                                   "harbor_q3_somark.json")])
    for name, result in (("report_demo", demo), ("report_samples", same)):
        path = tmp_path / f"{name}.html"
        path.write_text(to_eval_html(result), encoding="utf-8")
        _check_layout(browser, path.as_uri(), name)


def test_the_viewers_evaluate_page_reads_at_a_desktops_and_a_phones_width(browser, served):
    with _serve(served) as base:
        _check_layout(browser, base + SAME, "viewer")
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "/")
        page.click("a.evaluate-link")
        page.check('input[value="same_report/harbor_q3_somark.json"]')
        page.click("button.eval-run")
        assert page.locator(".ev-board").is_visible() and "harbor_q3_somark.json" in page.inner_text(".ev-board")
        page.close()


def test_the_report_modules_examples_run(monkeypatch):
    import doctest
    import exporters.eval.report
    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(exporters.eval.report, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10 and result.failed == 0
