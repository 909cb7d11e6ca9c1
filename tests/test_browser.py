"""End to end in a real browser: Playwright driving Debian's Chromium against a live viewer."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from viewer import create_app

from .conftest import ROOT, SAMPLES
from .test_corpus_diff import _folders

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(SAMPLES, root / "samples")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate
    (root / "samples" / "big_v2.json").write_bytes(generate.llamacloud_v2(60))
    (root / "samples" / "big_v2_edited.json").write_bytes(
        generate.llamacloud_v2(60).replace(b"dividend", b"dividends"))
    from exporters import to_json
    from normalizer.schema import Block, Document, Page
    formulas = [Block(id="p1-b0", page=1, kind="formula", text="E = mc^2", latex="E = mc^2", bbox=[10, 10, 200, 40]),
                Block(id="p1-b1", page=1, kind="formula", text="\\frac{1}{", latex="\\frac{1}{", bbox=[10, 50, 200, 80]),
                Block(id="p1-b2", page=1, kind="formula", text="<img src=x onerror=alert(1)>",
                      latex="\\text{<img src=x onerror=alert(1)>}", bbox=[10, 90, 200, 120])]
    (root / "samples" / "math_check.json").write_bytes(to_json(Document(
        provider="test", format="docnorm", pages=[Page(number=1, width=300, height=200)], blocks=formulas)))
    with _serve(root / "samples") as url:
        yield url


@contextlib.contextmanager
def _serve(root: Path, **options):
    """The viewer over `root` (`options` for create_app) on a free port, for as long as the block runs."""
    from werkzeug.serving import make_server
    options.setdefault("index_budget", 600)  # every row in the first answer, however loaded the machine
    srv = make_server("127.0.0.1", 0, create_app(str(root), **options), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.dialogs = []
    pg.errors = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll `expression` from Python: Playwright's own polling evaluates strings, which the viewer's CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


def is_active(locator) -> bool:
    return "active" in (locator.get_attribute("class") or "").split()


def test_index_then_document(page, server):
    page.goto(server + "/")
    deadline = time.monotonic() + 60  # the first request reads for a quarter of a second; the scan does the rest
    while page.locator("table.files tbody tr").count() <= 40 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        page.reload()
    assert page.locator("table.files tbody tr").count() > 40
    page.locator('tr[data-file="llamacloud/annual_report_v2.json"] a.open').click()
    page.wait_for_selector("svg.page-svg")
    assert page.title().startswith("nordwind_annual_report_2025.pdf")
    assert page.errors == []


def test_click_box_highlights_block_and_click_block_highlights_box(page, server):
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    box = page.locator('svg rect[data-block="p2-b2"]')
    box.click()
    block = page.locator('.content [data-block="p2-b2"]')
    wait_until(page, "document.querySelector('.content [data-block=\"p2-b2\"]').classList.contains('active')")
    assert is_active(block) and block.is_visible()
    assert page.evaluate("(() => { const r = document.querySelector('.content [data-block=\"p2-b2\"]')"
                         ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()")
    wait_until(page, "document.getElementById('inspector-json').textContent.includes('\"p2-b2\"')")

    other = page.locator('.content [data-block="p1-b3"]')
    other.click()
    wait_until(page, "document.querySelector('svg rect[data-block=\"p1-b3\"]').classList.contains('active')")
    assert not is_active(box) and not is_active(block)
    assert page.errors == []


def test_legend_toggles_a_kind(page, server):
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    tables = page.locator("svg rect.k-table")
    assert tables.first.is_visible()
    page.locator('#legend input[data-kind="table"]').uncheck()
    assert not tables.first.is_visible() and page.locator("svg rect.k-heading").first.is_visible()
    page.locator('#legend input[data-kind="table"]').check()
    assert tables.first.is_visible()


def test_search_jumps_to_a_hit_on_a_later_slice(page, server):
    page.goto(server + "/view?f=big_v2.json")
    assert page.locator("section.page").count() == 10
    page.fill("#search", "Section 47")
    page.press("#search", "Enter")
    page.wait_for_selector("#hits li.hit")
    first = page.locator("#hits li.hit").first.get_attribute("data-block")
    number = int(first[1:first.index("-")])
    assert number > 40  # far beyond the first slice
    wait_until(page, f"document.querySelector('.content [data-block=\"{first}\"]')?.classList.contains('active')")
    assert page.locator(f"#page-{number}").is_visible()
    assert not page.locator("#prev-pages").is_hidden() and page.locator("#page-1").count() == 0


def test_scrolling_loads_the_next_slice(page, server):
    page.goto(server + "/view?f=big_v2.json")
    page.locator("#page-10").scroll_into_view_if_needed()
    page.mouse.wheel(0, 4000)
    page.wait_for_selector("#page-11")
    assert page.locator("section.page").count() >= 20


def test_download_an_export(page, server):
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    page.locator("#downloads > summary").click()  # the downloads fold into a menu
    with page.expect_download() as info:
        page.locator("a.download", has_text="md").first.click()
    download = info.value
    assert download.suggested_filename == "annual_report_v2.md"
    text = Path(download.path()).read_text()
    assert text.startswith("# ") and "Revenue by segment" in text


def test_hostile_sample_runs_no_script(page, server):
    page.goto(server + "/view?f=llamacloud/hostile_payloads_v2.json")
    page.wait_for_selector("svg.page-svg")
    for box in page.locator("svg rect[data-block]").all():
        box.click()
    for block in page.locator(".content [data-block]").all():
        block.click()
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.locator("script:not([src])").count() == 0  # only ours: the viewer's files and the vendored KaTeX
    assert all(src.startswith("/static/") for src in page.evaluate("[...document.scripts].map(s => s.getAttribute('src'))"))
    assert page.locator("[onerror], [onload], [onclick], a[href^='javascript']").count() == 0
    assert page.locator(".content h1").first.inner_text() == "</h1><script>alert('h')</script>"
    page.goto(server + "/")
    assert page.dialogs == []


def test_screenshot_of_the_document_view(page, server):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    page.locator('svg rect[data-block="p1-b9"]').click()
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "document_view.png"), full_page=False)
    page.goto(server + "/view?f=baidu/annual_report_result.json")
    page.screenshot(path=str(ARTIFACTS / "document_view_baidu.png"), full_page=False)
    assert (ARTIFACTS / "document_view.png").stat().st_size > 10_000


def test_compare_side_by_side_hover_and_scroll_sync(page, server):
    page.set_viewport_size({"width": 1400, "height": 700})
    page.goto(server + "/")
    page.check('input[value="same_report/harbor_q3_llamacloud_v2.json|0"]')
    page.check('input[value="same_report/harbor_q3_somark.json|0"]')
    page.click("#compare-button")
    page.wait_for_selector("#side-a svg")
    page.locator('#side-a svg rect[data-block="p1-b1"]').hover()
    partners = page.locator("#side-b .partner")
    assert partners.count() >= 2  # the split paragraph: two boxes and two blocks on the other side
    assert set(page.eval_on_selector_all("#side-b svg .partner", "els => els.map(e => e.dataset.block)")) == \
        {"p1-b1", "p1-b2"}
    page.mouse.move(5, 5)
    assert page.locator("#side-b .partner").count() == 0
    before = page.evaluate("document.getElementById('side-b').scrollTop")
    page.evaluate("document.getElementById('side-a').scrollTop = 600")
    wait_until(page, f"document.getElementById('side-b').scrollTop > {before}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.getElementById('side-a').scrollTop = 0")
    page.locator('#side-a svg rect[data-block="p1-b4"]').hover()
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / "compare_view.png"))
    assert page.errors == [] and page.dialogs == []


@pytest.mark.parametrize("name", ["baidu/annual_report_result.json", "somark/annual_report_async_check.json",
                                  "llamacloud/hostile_payloads_v2.json", "same_report/harbor_q3_somark.json"])
def test_exported_html_fetches_nothing_when_opened(browser, tmp_path, name):
    """The standalone HTML export opened from disk: no request leaves the file (remote images are links),
    no script runs, and its CSP stands; with remote_images the images are requested."""
    from exporters import HtmlOptions, to_html
    from normalizer import load
    doc = load(SAMPLES / name)[0]
    for remote in (False, True):
        path = tmp_path / f"export-{remote}.html"
        path.write_text(to_html(doc, HtmlOptions(remote_images=remote)), encoding="utf-8")
        context = browser.new_context()
        requested = []
        def record(route):
            requested.append(route.request.url)
            route.continue_() if route.request.url.startswith("file:") else route.abort()
        context.route("**/*", record)
        pg = context.new_page()
        dialogs = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.goto(path.as_uri())
        pg.wait_for_timeout(200)
        remote_requests = [u for u in requested if not u.startswith("file:")]
        placeholders = pg.locator("figure a.remote-image").count()
        context.close()
        assert dialogs == []
        figures = [b.image.url for b in doc.blocks if b.kind == "figure" and b.image and b.image.url and
                   b.image.url.startswith("http")]
        if remote:
            assert set(remote_requests) == set(figures) and placeholders == 0
        else:
            assert remote_requests == [] and placeholders == len(figures)


# --- true to each provider, and the tools around a document ----------------------------------------------

def test_whisperer_layout_text_keeps_its_columns_and_marks_low_confidence_words(page, server):
    page.goto(server + "/view?f=whisperer/lease_retrieve.json")
    page.wait_for_selector("p.layout-text")
    style = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('.content p.layout-text'));"
                          " return [s.whiteSpace, s.fontFamily]; })()")
    assert style[0] == "pre" and "mono" in style[1].lower()
    rent = page.locator("p.layout-text", has_text="RENT SCHEDULE")
    assert "Period                    Monthly Rent" in rent.inner_text()  # the columns' spaces kept
    marks = page.locator("mark.low-confidence")
    assert marks.count() >= 2 and page.locator("mark.low-confidence.below").count() == marks.count()  # all < 0.9
    page.evaluate("(() => { const t = document.getElementById('threshold'); t.value = '0.7';"
                  " t.dispatchEvent(new Event('input')); })()")
    below = page.locator("mark.low-confidence.below")
    assert 0 < below.count() < marks.count()
    assert all(float(m.get_attribute("data-confidence")) < 0.7 for m in below.all())
    assert page.locator("#threshold-value").inner_text() == "0.70"


def test_ragflow_chunks_are_shown_as_chunks(page, server):
    page.goto(server + "/view?f=ragflow/retrieval_two_documents.json")
    heads = page.locator(".chunk-head")
    assert heads.count() >= 2
    first = heads.first.inner_text()
    assert first.startswith("chunk ") and "similarity" in first
    assert page.locator(".chunk-head", has_text="keywords:").count() >= 1


def test_an_ordered_list_keeps_counting_across_nested_bullets(page, server):
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    item = page.locator('.content li[data-block="p1-b7"]')
    assert item.inner_text() == "Keep net debt below 1.5x EBITDA"
    assert page.evaluate("document.querySelector('.content li[data-block=\"p1-b7\"]').closest('ol').start") == 2


def test_a_figure_without_its_image_shows_a_placeholder_that_selects(page, server):
    page.goto(server + "/view?f=baidu/paddle_vl_result.json")
    placeholder = page.locator(".content .figure-missing").first
    assert placeholder.inner_text() == "figure: image not available"
    placeholder.click()
    figure_id = page.evaluate("document.querySelector('.content .figure-missing').closest('[data-block]').dataset.block")
    wait_until(page, f"document.querySelector('svg rect[data-block=\"{figure_id}\"]').classList.contains('active')")


def test_search_says_how_many_and_marks_the_query(page, server):
    page.goto(server + "/view?f=big_v2.json")
    page.fill("#search", "dividend")
    page.press("#search", "Enter")
    page.wait_for_selector("#hits li.hit mark")
    status = page.locator("#search-status").inner_text()
    assert status.startswith("") and "blocks contain “dividend”; the first 200 are listed." in status
    assert int(status.split()[0]) > 200 and page.locator("#hits li.hit").count() == 200
    assert page.locator("#hits li.hit").first.locator("mark").inner_text().lower() == "dividend"
    page.fill("#search", "zzzz-nothing")
    page.press("#search", "Enter")
    wait_until(page, "document.getElementById('search-status').textContent.startsWith('No block')")


def test_go_to_a_page_that_does_not_exist_says_so(page, server):
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    page.fill("#goto-page", "99")
    page.press("#goto-page", "Enter")
    wait_until(page, "document.getElementById('search-status').textContent.includes('There is no page 99')")


def test_a_status_only_document_shows_its_job_not_search(page, server):
    page.goto(server + "/view?f=baidu/task_running.json")
    assert page.locator("#search-form").count() == 0 and page.locator("#goto-form").count() == 0
    facts = page.locator("dl.job-facts").inner_text()
    assert "job" in facts and "task-" in facts
    assert page.locator("a.download").count() == 1


def test_the_index_filters_as_you_type_and_sorts(page, server):
    page.goto(server + "/")
    page.fill("#index-filter", "ragflow retrieval")
    visible = page.locator("table.files tbody tr:not([hidden])")
    assert 1 <= visible.count() <= 3 and all("retrieval" in t for t in visible.all_inner_texts())
    assert page.locator("#index-count").inner_text().endswith("shown")
    page.fill("#index-filter", "")
    page.locator("th.sortable", has_text="Blocks").click()
    page.locator("th.sortable", has_text="Blocks").click()  # descending
    first = page.locator("table.files tbody tr[data-file]").first.locator("td").nth(6).inner_text()
    counts = [int(t) for t in page.evaluate("[...document.querySelectorAll('table.files tbody tr[data-provider]')]"
                                            ".map(r => r.cells[6].textContent.trim())")]
    assert counts == sorted(counts, reverse=True) and int(first) == counts[0]


SCREENS = ["/", "/view?f=llamacloud/annual_report_v2.json", "/view?f=somark/annual_report_async_check.json",
           "/view?f=baidu/annual_report_result.json", "/view?f=whisperer/lease_retrieve.json",
           "/view?f=ragflow/chunks_agreement.json",
           "/compare?a=same_report/harbor_q3_llamacloud_v2.json&b=same_report/harbor_q3_baidu.json"]


@pytest.mark.parametrize("width", [1440, 800, 390])
def test_screenshots_to_look_at(browser, server, width):
    """Screenshots a person reviews (tests/artifacts): the index, each provider's document view, the compare
    view, at a desktop, a narrow and a phone width. The sticky header keeps to about 15 % of the screen, on a phone
    to less than a tenth (its tools fold into a menu)."""
    ARTIFACTS.mkdir(exist_ok=True)
    height, share = (844, 0.1) if width < 700 else (900, 0.155)
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    for url in SCREENS:
        pg.goto(server + url)
        pg.wait_for_timeout(150)
        name = url.strip("/").split("?")[0] or "index"
        if "f=" in url:
            name += "-" + url.split("f=")[1].split("/")[0]
        pg.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
        if url.startswith("/view"):
            header = pg.evaluate("document.querySelector('.doc-head').getBoundingClientRect().height")
            assert header <= share * height, (url, header)
    context.close()
    assert errors == []


def test_math_is_typeset_with_the_vendored_katex_and_falls_back_to_its_source(page, server):
    page.goto(server + "/view?f=math_check.json")
    wait_until(page, "document.querySelectorAll('pre.formula.typeset').length === 3")
    good = page.locator('pre.formula[data-block="p1-b0"]')
    assert "math" in good.get_attribute("class") and good.locator(".katex").count() == 1
    assert good.locator(".katex-mathml annotation").text_content() == "E = mc^2"
    bad = page.locator('pre.formula[data-block="p1-b1"]')
    assert "math-error" in bad.get_attribute("class") and bad.inner_text() == "\\frac{1}{"
    hostile = page.locator('pre.formula[data-block="p1-b2"]')
    assert hostile.locator("img").count() == 0 and page.dialogs == [] and page.errors == []
    fonts = page.evaluate("performance.getEntriesByType('resource').map(r => r.name).filter(n => n.includes('katex'))")
    assert fonts and all(name.startswith(server) for name in fonts)  # served by the viewer, no CDN


def _rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_kind_colours_differ_where_they_were_alike_and_come_from_one_table(page, server):
    """The kinds once near-identical differ by more than a just-visible step in CIE76 Lab terms (taken from
    their luminance and hue in sRGB), and the page's CSS is the one made from the table."""
    import colorsys
    from exporters.kinds import kind_style
    for a, b in (("caption", "table"), ("header", "footer"), ("header", "footnote"), ("footer", "footnote"),
                 ("link", "list_item")):
        (ra, ga, ba), (rb, gb, bb) = _rgb(kind_style(a)[0]), _rgb(kind_style(b)[0])
        ha, la, _ = colorsys.rgb_to_hls(ra / 255, ga / 255, ba / 255)
        hb, lb, _ = colorsys.rgb_to_hls(rb / 255, gb / 255, bb / 255)
        hue = min(abs(ha - hb), 1 - abs(ha - hb))
        assert hue > 0.08 or abs(la - lb) > 0.25 or kind_style(a)[1] != kind_style(b)[1], (a, b)
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    colour = page.evaluate("getComputedStyle(document.querySelector('svg rect.k-table')).getPropertyValue('--kind')")
    assert colour.strip().lower() == kind_style("table")[0].lower()
    dash = page.evaluate("getComputedStyle(document.querySelector('svg rect.k-caption')).strokeDasharray")
    assert dash.replace("px", "").replace(",", " ").split() == kind_style("caption")[1].split()


def test_reading_order_numbers_on_the_boxes(page, server):
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    numbers = page.locator("#page-1 svg text.order")
    assert numbers.count() > 5 and not numbers.first.is_visible()
    page.locator("#show-order").check()
    assert numbers.first.is_visible()
    assert [int(t) for t in numbers.all_text_contents()] == list(range(1, numbers.count() + 1))


def test_the_inspector_shows_fields_first_and_json_on_demand_and_folds_away(page, server):
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    page.locator('.content [data-block="p1-b10"]').click()
    wait_until(page, "!document.getElementById('inspector-fields').hidden")
    fields = page.locator("#inspector-fields").inner_text()
    assert "kind\ntable" in fields and "table\n" in fields and "rows x" in fields
    raw = page.locator("#inspector-raw")
    assert raw.get_attribute("open") is None and not page.locator("#inspector-json").is_visible()
    raw.locator("summary").click()
    assert page.locator("#inspector-json").is_visible()
    page.locator("#inspector-close").click()  # folds away until a block is chosen again
    assert not page.locator("#inspector").is_visible()
    page.locator('.content [data-block="p1-b3"]').click()
    wait_until(page, "document.getElementById('inspector-json').textContent.includes('\"p1-b3\"')")
    assert page.locator("#inspector-fields").is_visible()


def test_the_font_stack_reaches_cjk_fonts(page, server):
    page.goto(server + "/view?f=somark/annual_report_async_check.json")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans CJK SC" in family and "PingFang SC" in family and "Microsoft YaHei" in family


# --- the compare view follows you ------------------------------------------------------------------------

def _level_js(a_id, b_id) -> str:
    """An expression for the vertical offsets of a block of A and its partner in B, each from its own side's top."""
    return f"""(() => {{
        const off = (side, id) => document.querySelector(`#side-${{side}} .content .dblock[data-block="${{id}}"]`)
            .getBoundingClientRect().top - document.getElementById(`side-${{side}}`).getBoundingClientRect().top;
        return [off('a', '{a_id}'), off('b', '{b_id}')]; }})()"""


def _levelled(page, a_id, b_id):
    """The two offsets once they are level: the partner side follows in a later frame (later still on a loaded
    machine), so this waits for it (`wait_until` fails when it never comes)."""
    wait_until(page, f"(([a, b]) => Math.abs(a - b) < 3)({_level_js(a_id, b_id)})")
    return page.evaluate(_level_js(a_id, b_id))


def test_clicking_a_block_brings_its_partner_level_and_scrolling_keeps_partners_level(page, server):
    page.set_viewport_size({"width": 1400, "height": 600})
    page.goto(server + "/compare?a=same_report/harbor_q3_llamacloud_v2.json&b=same_report/harbor_q3_baidu.json")
    page.wait_for_selector("#side-a .content [data-partner]")
    page.wait_for_load_state("networkidle")  # fonts, page images and late scores in: nothing moves after the click
    page.evaluate("document.fonts.ready.then(() => true)")
    # a block far down A: clicking it brings B's partner to the same height
    target = page.locator('#side-a .content .dblock[data-block="p2-b3"]')
    partner_id = target.get_attribute("data-partner").split()[0]
    target.scroll_into_view_if_needed()
    target.click()
    a_top, b_top = _levelled(page, "p2-b3", partner_id)
    assert abs(a_top - b_top) < 3, (a_top, b_top)
    assert "selected" in page.locator(f'#side-b .content .dblock[data-block="{partner_id}"]').get_attribute("class")
    # scrolling A keeps the first paired block in view level with its partner (not a proportional guess)
    page.evaluate("document.getElementById('side-a').scrollTop = 350")
    anchor = page.evaluate("""(() => { const side = document.getElementById('side-a');
        const box = side.getBoundingClientRect();
        const el = [...side.querySelectorAll('.content [data-partner]')].find(e => {
            const t = e.getBoundingClientRect().top - box.top; return t >= 0 && t < side.clientHeight && e.dataset.partner; });
        return [el.dataset.block, el.dataset.partner.split(' ')[0]]; })()""")
    a_top, b_top = _levelled(page, *anchor)
    assert abs(a_top - b_top) < 3, (anchor, a_top, b_top)
    assert page.errors == []


def test_a_side_without_content_says_so(page, server):
    page.goto(server + "/compare?a=same_report/harbor_q3_llamacloud_v2.json&b=llamacloud/pending_job_v2.json")
    status = page.locator("#side-b .side-status").inner_text()
    assert status.startswith("B: job queued") and "no content to compare" in status
    assert "no content to compare: B is queued" in page.locator(".summary").inner_text()


def test_compare_with_one_document_ticked_keeps_the_selection_and_asks_for_a_second(page, server):
    page.goto(server + "/")
    box = page.locator('input[value="same_report/harbor_q3_somark.json|0"]')
    box.check()
    page.click("#compare-button")
    wait_until(page, "!document.getElementById('compare-message').hidden")
    assert page.locator("#compare-message").inner_text() == "Tick a second document to compare."
    assert box.is_checked() and page.url.rstrip("/") == server


def test_a_long_pair_shows_pages_first_and_its_scores_when_ready(page, server):
    page.goto(server + "/compare?a=big_v2.json&b=big_v2_edited.json")
    assert page.locator("#side-a section.page").count() == 10
    wait_until(page, "document.getElementById('summary-scores').classList.contains('scored')")
    text = page.locator("#summary-scores").inner_text()
    assert text.endswith(" split") and " 0 changed" not in text and page.errors == []
    assert page.locator('#diff-scores [data-score="content"]').inner_text().startswith("0.9")


def test_compare_folders_page_lists_the_pairs_and_opens_one(page, tmp_path):
    """The viewer's Compare folders page: pick two folders, read the pairs worst first, open one side by side."""
    _folders(tmp_path)
    with _serve(tmp_path) as url:
        page.goto(url + "/")
        page.click("text=Compare folders")
        page.select_option("#folder-a", "llama")
        page.select_option("#folder-b", "somark")
        page.click("form.filters button[type=submit]")
        page.wait_for_selector("#folder-pairs tbody tr")
        keys = page.locator("#folder-pairs tbody tr td:first-child a").all_inner_texts()
        assert keys == ["harbor_q3_2025", "sales"]  # worst first
        assert page.locator("ul.only").first.inner_text().splitlines() == [
            "A: llama/annual.json (nordwind_annual_report_2025)", "B: somark/other.json (other)"]
        assert "somark/broken.json: " in page.locator("ul.only").nth(1).inner_text()
        page.screenshot(path=str(ARTIFACTS / "compare_folders.png"), full_page=True)
        page.click("#folder-pairs a.open >> text=harbor_q3_2025")
        page.wait_for_selector("#side-b section.page")
        assert page.locator("#side-a section.page").count() >= 1 and page.errors == []


def test_the_corpus_report_sorts_and_links_each_pair(page, tmp_path):
    """The standalone corpus report, opened from disk: its table sorts by a clicked heading and each document
    opens its own pair report."""
    import subprocess
    _folders(tmp_path)
    report = tmp_path / "corpus.html"
    out = subprocess.run(["docnorm", "diff", str(tmp_path / "llama"), str(tmp_path / "somark"), "--html", str(report),
                          "-j", "1"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "broken.json" in out.stderr, out.stderr  # the broken file is reported, the rest compared
    page.goto(report.as_uri())
    first = "document.querySelector('#pairs tbody tr td').textContent.trim()"
    assert page.evaluate(first) == "harbor_q3_2025"
    page.click("#pairs th:has-text('content')")  # ascending: the worst stays first
    assert page.evaluate(first) == "harbor_q3_2025"
    page.click("#pairs th:has-text('content')")  # descending: the identical pair first
    assert page.evaluate(first) == "sales"
    assert page.locator("svg text", has_text="document pairs").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "corpus_report.png"), full_page=True)
    page.click("#pairs a >> text=harbor_q3_2025")
    page.wait_for_load_state()
    assert page.url.endswith("_pairs/0001.html") and "harbor_q3_2025" in page.content() and page.errors == []


# --- the real page under the boxes ---------------------------------------------------------------------------

INK_BOXES = [(72.0, 80.0, "MMMMMMMM"), (330.0, 200.0, "HHHHHH"), (72.0, 420.0, "WWWWWWW"), (300.0, 640.0, "EEEEEEEE")]
INK_SIZE = 28.0


def _ink_folder(root: Path) -> None:
    """A PDF with heavy capitals at known places, and a result whose boxes are exactly where that text is
    (Helvetica's M/H/W/E widths; the box from the text's top to its baseline)."""
    from exporters import to_json
    from normalizer.schema import Block, Document, Page
    from .pdfs import Text, pdf_bytes
    widths = {"M": 0.833, "H": 0.722, "W": 0.944, "E": 0.667}
    (root / "ink.pdf").write_bytes(pdf_bytes([(612.0, 792.0, [Text(x, top, INK_SIZE, s) for x, top, s in INK_BOXES])]))
    blocks = [Block(id=f"b{n}", page=1, kind="paragraph", text=s,
                    bbox=[x, top, x + len(s) * widths[s[0]] * INK_SIZE, top + INK_SIZE * 0.8])
              for n, (x, top, s) in enumerate(INK_BOXES)]
    (root / "ink.json").write_bytes(to_json(Document(provider="test", format="docnorm", file_name="ink.pdf",
                                                     pages=[Page(number=1, width=612, height=792, unit="pt")],
                                                     blocks=blocks)))
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    (root / "broken.json").write_bytes(to_json(Document(provider="test", format="docnorm", file_name="broken.pdf",
                                                        pages=[Page(number=1, width=612, height=792)], blocks=blocks)))


def _dark(image, box) -> tuple[int, int]:
    """(dark pixels, all pixels) of `image` inside `box` (left, top, right, bottom)."""
    region = image.crop(tuple(round(v) for v in box)).convert("L")
    return sum(region.histogram()[:110]), region.width * region.height


def test_each_box_lies_over_the_ink_of_its_text(browser, tmp_path):
    """The page image and the boxes share one frame: with the boxes made invisible, the screenshot's dark pixels
    (the rendered text) fall inside each box's screen rectangle, and the page outside the boxes is blank."""
    import io as _io
    from PIL import Image
    _ink_folder(tmp_path)
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    pg = context.new_page()
    with _serve(tmp_path) as url:
        pg.goto(f"{url}/view?f=ink.json")
        wait_until(pg, "document.querySelector('svg.page-svg').classList.contains('image-loaded')")
        pg.evaluate("(() => { const r = document.getElementById('box-opacity'); r.value = '0';"
                    " r.dispatchEvent(new Event('input')); })()")
        pg.wait_for_timeout(100)
        svg = pg.locator("svg.page-svg").first
        frame = svg.bounding_box()
        shot = Image.open(_io.BytesIO(svg.screenshot()))
        scale = shot.width / frame["width"]
        boxes = []
        for n in range(len(INK_BOXES)):
            r = pg.locator(f'svg .box[data-block="b{n}"]').bounding_box()
            boxes.append([(r["x"] - frame["x"]) * scale, (r["y"] - frame["y"]) * scale,
                          (r["x"] + r["width"] - frame["x"]) * scale, (r["y"] + r["height"] - frame["y"]) * scale])
        pg.evaluate("document.getElementById('box-opacity').value = '0.8'")
        ARTIFACTS.mkdir(exist_ok=True)
        pg.evaluate("(() => { const r = document.getElementById('box-opacity'); r.dispatchEvent(new Event('input')); })()")
        pg.screenshot(path=str(ARTIFACTS / "page-image-ink.png"))
    context.close()
    for box in boxes:
        dark, total = _dark(shot, box)
        assert dark > 0.2 * total, (box, dark, total)  # the capitals fill much of their box
        for margin in ([box[0], box[1] - 14, box[2], box[1] - 4], [box[0], box[3] + 4, box[2], box[3] + 14],
                       [box[0] - 14, box[1], box[0] - 4, box[3]], [box[2] + 4, box[1], box[2] + 14, box[3]]):
            assert _dark(shot, margin)[0] <= 2, (box, margin)  # no ink just outside it: the box is where the text is
    empty = [shot.width * 0.1, shot.height * 0.85, shot.width * 0.45, shot.height * 0.95]
    assert _dark(shot, empty)[0] == 0


def test_the_compare_view_shows_the_same_page_image_on_both_sides(page, server):
    import io as _io
    from PIL import Image, ImageChops
    page.goto(server + "/compare?a=same_report/harbor_q3_llamacloud_v2.json&b=same_report/harbor_q3_somark.json")
    wait_until(page, "[...document.querySelectorAll('.diff-side')].every((side) => "
                     "side.querySelector('svg.page-svg').classList.contains('image-loaded'))")
    page.evaluate("(() => { const r = document.getElementById('box-opacity'); r.value = '0';"
                  " r.dispatchEvent(new Event('input')); })()")
    page.wait_for_timeout(100)
    a, b = (Image.open(_io.BytesIO(page.locator(f"#side-{s} svg.page-svg").first.screenshot())).convert("L")
            for s in ("a", "b"))
    assert a.size == b.size
    differing = sum(ImageChops.difference(a, b).histogram()[61:])
    assert differing < 0.002 * a.width * a.height
    assert _dark(a, (0, 0, a.width, a.height))[0] > 100  # and it is the page, not two blank frames
    assert not page.errors


def test_the_image_toggle_the_large_page_and_an_error_card(page, tmp_path):
    _ink_folder(tmp_path)
    with _serve(tmp_path) as url:
        page.goto(f"{url}/view?f=ink.json")
        wait_until(page, "document.querySelector('svg.page-svg').classList.contains('image-loaded')")
        image = page.locator("image.page-image").first
        small = int(image.get_attribute("data-width"))
        page.locator("#show-image").uncheck()
        assert page.evaluate("getComputedStyle(document.querySelector('image.page-image')).display") == "none"
        page.locator("#show-image").check()
        width_before = page.locator("svg.page-svg").first.bounding_box()["width"]
        page.locator("button.enlarge").first.click()
        wait_until(page, f"Number(document.querySelector('image.page-image').dataset.width) > {small}")
        assert page.locator("svg.page-svg").first.bounding_box()["width"] > 1.5 * width_before
        assert "w=" in image.get_attribute("href")
        page.goto(f"{url}/view?f=broken.json")  # a source that cannot be read: the view says so, and opens
        assert "cannot be shown: not a readable PDF" in page.locator(".source-line").inner_text()
        assert page.locator("image.page-image").count() == 0
    from exporters.pages.images import PageImages
    from .pdfs import slow_page
    (tmp_path / "ink.pdf").write_bytes(slow_page())  # its page sizes read at once; its page too slow to draw
    images = PageImages(timeout=60)
    images.info(str(tmp_path / "ink.pdf"))  # the worker started and the sizes known, however loaded the machine
    images.timeout = 0.3  # then only drawing the page has to meet the deadline
    with _serve(tmp_path, pages=images) as url:
        page.goto(f"{url}/view?f=ink.json")
        wait_until(page, "!document.querySelector('.image-error').hidden")
        assert "took longer than 0.3 s" in page.locator(".image-error").first.inner_text()
    images.close()
    assert not page.errors


def test_the_download_menu_sends_a_targets_options(page, server):
    """The document view's "with options…" menu: a target's option chosen in the page reaches its writer."""
    page.goto(server + "/view?f=llamacloud/annual_report_v2.json")
    page.locator("#downloads > summary").click()
    page.locator("details.download-options summary").click()
    form = page.locator('form.download-form[action$="/export/md"]')
    form.locator('select[name="opt.page_breaks"]').select_option("true")
    with page.expect_download() as download:
        form.locator("button").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith("<!-- page 1 -->") and "<!-- page 2 -->" in text
    assert not page.errors
