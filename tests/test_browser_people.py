"""The document view and the index as a person uses them (issue 32), in a real browser at 1440x900 and on a 390x844
phone: the page on half the screen with zoom, the inspector that folds away, the sticky header that hides nothing,
search results that close, LLMWhisperer's marks and bands, reading-order chips, the legend's "+N more", inline math,
the keyboard, the index's pager. Screenshots in tests/artifacts/people-*.png are looked at."""

from __future__ import annotations

import pytest

from exporters import to_json
from normalizer import load
from normalizer.schema import Block, Document, Page

from .conftest import SAMPLES
from .test_browser import ARTIFACTS, _serve, browser, page, server, wait_until  # noqa: F401 - fixtures

REPORT = "/view?f=llamacloud/annual_report_v2.json"
LEASE = "/view?f=whisperer/lease_retrieve.json"


def _box(pg, selector: str) -> dict:
    return pg.locator(selector).first.bounding_box()


def _head_bottom(pg) -> float:
    return pg.evaluate("document.querySelector('.doc-head').getBoundingClientRect().bottom")


def _shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"people-{name}.png"))


@pytest.fixture
def phone(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True, has_touch=True)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def _desktop(page):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    return page


# --- the page on half the screen, zoom, and the inspector ----------------------------------------------------

def test_the_page_takes_half_the_screen_and_zooms_by_button_and_key(page, server):  # noqa: F811
    pg = _desktop(page)
    pg.goto(server + REPORT)
    svg = "#page-1 svg.page-svg"
    width = _box(pg, svg)["width"]
    assert 0.45 * 1440 < width < 0.55 * 1440, width  # was about 320 px
    assert not pg.locator("#inspector").is_visible()  # nothing chosen: no empty inspector
    assert pg.inner_text("#zoom-value") == "50 %"
    _shot(pg, "desktop-1440")
    pg.click("#zoom-in")
    assert pg.inner_text("#zoom-value") == "60 %" and _box(pg, svg)["width"] > width * 1.1
    pg.locator("body").press("-")
    pg.locator("body").press("-")
    assert pg.inner_text("#zoom-value") == "40 %" and _box(pg, svg)["width"] < width
    pg.locator("body").press("f")  # fit page: the whole page in view, under the header
    box = _box(pg, svg)
    assert box["y"] >= _head_bottom(pg) - 1 and box["y"] + box["height"] <= 900, box
    assert pg.get_attribute("#zoom-page", "aria-pressed") == "true"
    pg.locator("body").press("w")  # fit width: the page across the view, its text below it
    box = _box(pg, svg)
    assert box["width"] > 0.9 * 1440 and _box(pg, "#page-1 .content")["y"] > box["y"] + box["height"]
    pg.locator("body").press("+")
    pg.locator("body").press("0")
    assert pg.inner_text("#zoom-value") == "50 %"
    pg.click("#zoom-in")
    pg.reload()  # the choice is kept
    assert pg.inner_text("#zoom-value") == "60 %"
    assert "(+)" in pg.get_attribute("#zoom-in", "title") and "(f)" in pg.get_attribute("#zoom-page", "title")
    pg.locator("body").press("?")  # the shortcuts, listed
    assert pg.locator("#keys-help").is_visible() and "fit page" in pg.inner_text("#keys-help")
    pg.keyboard.press("Escape")
    assert not pg.locator("#keys-help").is_visible()
    assert pg.errors == []


def test_the_inspector_folds_away_until_a_block_is_chosen_then_shows_in_view(page, server):  # noqa: F811
    pg = _desktop(page)
    pg.goto(server + REPORT)
    pg.locator('svg rect[data-block="p2-b2"]').click()
    wait_until(pg, "document.getElementById('inspector-json').textContent.includes('\"p2-b2\"')")
    box = _box(pg, "#inspector")
    assert box["y"] >= _head_bottom(pg) - 1 and box["y"] + box["height"] <= 901 and box["x"] + box["width"] >= 1439
    assert "SELECT quarter" in pg.inner_text("#inspector-fields")
    _shot(pg, "inspector-1440")
    pg.keyboard.press("Escape")
    assert not pg.locator("#inspector").is_visible()
    assert pg.errors == []


def test_enlarge_keeps_the_pages_label_and_its_button_below_the_sticky_header(page, server):  # noqa: F811
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(server + REPORT)
        page.locator("#page-2 button.enlarge").click()
        button = page.locator("#page-2 button.enlarge")
        assert button.inner_text() == "smaller"
        label, box = _box(page, "#page-2 .page-label"), button.bounding_box()
        assert label["y"] >= _head_bottom(page), (width, label, _head_bottom(page))
        on_top = page.evaluate(f"document.elementFromPoint({box['x'] + box['width'] / 2}, {box['y'] + box['height'] / 2})"
                               ".closest('button.enlarge') !== null")
        assert on_top, width  # not hidden under the header: a click reaches it
        _shot(page, f"enlarged-{width}")
        button.click()
        assert button.inner_text() == "enlarge"
    assert page.errors == []


# --- a phone ----------------------------------------------------------------------------------------------------

def test_on_a_phone_the_index_fits_the_header_is_short_and_a_box_shows_its_inspector(phone, server):  # noqa: F811
    phone.goto(server + "/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # was 1,055 px
    link = _box(phone, "table.files a.open")
    assert link["x"] >= 0 and link["x"] + link["width"] <= 390
    assert not phone.locator("th.col-format").is_visible() and phone.locator("th.col-file").is_visible()
    _shot(phone, "index-390")
    phone.goto(server + REPORT)
    head = phone.evaluate("document.querySelector('.doc-head').getBoundingClientRect().height")
    assert head < 0.1 * 844, head  # less than a tenth of the height
    phone.click("#tools-button")  # search, pages, downloads and the legend, folded into one menu
    phone.click("#downloads > summary")
    md = phone.locator("a.download", has_text="md").first
    assert md.is_visible() and md.bounding_box()["y"] + md.bounding_box()["height"] <= 844
    _shot(phone, "menu-390")
    with phone.expect_download() as info:
        md.click()
    assert info.value.suggested_filename == "annual_report_v2.md"
    phone.click("#tools-button")
    assert phone.evaluate("document.querySelector('.doc-head').getBoundingClientRect().height") < 0.1 * 844
    before = phone.evaluate("scrollY")
    phone.locator('svg rect[data-block="p2-b2"]').click()
    wait_until(phone, "document.getElementById('inspector-json').textContent.includes('\"p2-b2\"')")
    sheet = _box(phone, "#inspector")
    assert sheet["y"] >= 844 * 0.5 and sheet["y"] + sheet["height"] <= 845 and sheet["height"] > 150  # in view
    block = _box(phone, '.content [data-block="p2-b2"]')
    assert block["y"] >= _head_bottom(phone) and block["y"] + block["height"] <= sheet["y"], (block, sheet)
    assert phone.evaluate("scrollY") != before  # the block was brought up; nothing for the reader to scroll
    _shot(phone, "inspector-390")
    assert phone.errors == []


# --- search -----------------------------------------------------------------------------------------------------

def test_search_results_close_and_their_snippets_keep_whole_words(page, server):  # noqa: F811
    pg = _desktop(page)
    import generate  # benchmarks/, on the path since the server fixture
    from normalizer import normalize
    texts = {b.id: b.text for b in normalize(generate.llamacloud_v2(60)).blocks}
    pg.goto(server + "/view?f=big_v2.json")
    pg.fill("#search", "dividend")
    pg.press("#search", "Enter")
    pg.wait_for_selector("#hits li.hit")
    panel = _box(pg, "#hits-panel")
    assert panel["y"] >= _box(pg, "#legend")["y"] + _box(pg, "#legend")["height"]  # the legend stays in sight
    assert panel["width"] < 0.5 * 1440
    cut = 0
    for item in pg.locator("#hits li.hit").all()[:40]:
        snippet = item.inner_text().split(": ", 1)[1]
        words = set(texts[item.get_attribute("data-block")].split())
        shown = snippet.removeprefix("… ").removesuffix(" …").split()
        assert set(shown) <= words, (snippet, words)  # every word whole
        cut += snippet.startswith("… ") or snippet.endswith(" …")
    assert cut > 0  # long blocks are cut, and say so
    _shot(pg, "search-1440")
    pg.keyboard.press("Escape")
    assert pg.locator("#hits-panel").is_hidden() and pg.input_value("#search") == "dividend"
    pg.press("#search", "Enter")  # the same results again
    assert pg.locator("#hits-panel").is_visible()
    pg.locator("#legend label.legend-item").first.click()  # a click elsewhere
    assert pg.locator("#hits-panel").is_hidden()
    pg.uncheck("#show-order")
    pg.press("#search", "Enter")
    pg.press("#search", "ArrowDown")
    pg.keyboard.press("ArrowDown")
    second = pg.evaluate("document.activeElement.dataset.block")
    pg.keyboard.press("Enter")  # choosing one closes the list and goes there
    wait_until(pg, f"document.querySelector('.content [data-block=\"{second}\"]')?.classList.contains('active')")
    assert pg.locator("#hits-panel").is_hidden()
    assert pg.errors == []


# --- LLMWhisperer -----------------------------------------------------------------------------------------------

def test_whisperer_marks_every_word_below_the_threshold_fits_its_text_and_writes_its_bands(page, server):  # noqa: F811
    pg = _desktop(page)
    pg.goto(server + LEASE)
    pg.wait_for_selector("p.layout-text")
    okafor = pg.locator("mark.low-confidence", has_text="Okafor")
    assert okafor.get_attribute("data-confidence") == "0.86" and "below" in okafor.get_attribute("class")  # was unmarked
    assert pg.locator("mark.low-confidence").count() == pg.locator("mark.low-confidence.below").count() == 5
    pg.evaluate("(() => { const t = document.getElementById('threshold'); t.value = '0.85';"
                " t.dispatchEvent(new Event('input')); })()")
    assert "below" not in okafor.get_attribute("class")
    assert "below" in pg.locator("mark.low-confidence", has_text="Lindqvist").get_attribute("class")
    pg.locator('.content [data-block="p1-b3"]').click()  # the inspector open: the text column at its narrowest
    wait_until(pg, "!document.getElementById('inspector-fields').hidden")
    pg.wait_for_timeout(100)
    clipped = pg.evaluate("[...document.querySelectorAll('p.layout-text')].filter(p => p.scrollWidth > p.clientWidth + 1"
                          " && !(p.classList.contains('scrolls') && getComputedStyle(p).overflowX === 'auto'))"
                          ".map(p => p.dataset.block)")
    assert clipped == []
    assert pg.evaluate("[...document.querySelectorAll('p.layout-text')].every(p => p.scrollWidth <= p.clientWidth + 1)")
    assert "Period                    Monthly Rent" in pg.inner_text('p.layout-text:has-text("RENT SCHEDULE")')
    doc = load(SAMPLES / "whisperer" / "lease_retrieve.json")[0]
    lines = [ln for b in doc.blocks if b.page == 1 for ln in b.lines if ln.top is not None and ln.text.strip()]
    drawn = pg.locator("#page-1 svg text.band-text")
    assert drawn.count() == len(lines) and drawn.first.text_content() == lines[0].text.strip()
    for n in (0, len(lines) // 2, len(lines) - 1):  # each line's text inside its band
        y = float(drawn.nth(n).get_attribute("y"))
        assert lines[n].top < y <= lines[n].bottom, (n, y)
    _shot(pg, "whisperer-1440")
    assert pg.errors == []


# --- reading order, legend, inline math -------------------------------------------------------------------------

def test_reading_order_numbers_sit_on_chips_beside_their_boxes(page, server):  # noqa: F811
    pg = _desktop(page)
    pg.goto(server + REPORT)
    pg.check("#show-order")
    chips = pg.evaluate("""[...document.querySelectorAll('#page-1 svg g.order-chip rect')].map(r =>
        ['x', 'y', 'width', 'height'].map(k => Number(r.getAttribute(k))))""")
    boxes, seen = [], set()
    for block, x, y, w, h in pg.evaluate("""[...document.querySelectorAll('#page-1 svg rect[data-block]')].map(r =>
            [r.dataset.block, ...['x', 'y', 'width', 'height'].map(k => Number(r.getAttribute(k)))])"""):
        if block not in seen:
            seen.add(block)
            boxes.append((x, y, w, h))
    assert len(chips) == len(boxes) > 10
    for (cx, cy, cw, ch), (x, y, w, h) in zip(chips, boxes):
        overlap = min(cx + cw, x + w) - max(cx, x) > 0.5 and min(cy + ch, y + h) - max(cy, y) > 0.5
        assert not overlap, ((cx, cy, cw, ch), (x, y, w, h))  # beside the box, never over its first letters
    assert pg.locator("#page-1 svg text.order").first.is_visible()
    fill = pg.evaluate("getComputedStyle(document.querySelector('svg g.order-chip rect')).fill")
    assert fill == "rgb(255, 255, 255)"  # a chip of its own, readable over any box
    _shot(pg, "order-1440")


def test_the_legend_says_how_many_kinds_it_hides_and_opens_to_show_them(page, server):  # noqa: F811
    pg = _desktop(page)
    pg.goto(server + REPORT)
    hidden = pg.evaluate("""(() => { const l = document.getElementById('legend').getBoundingClientRect();
        return [...document.querySelectorAll('#legend .legend-item')].filter(i => i.getBoundingClientRect().right > l.right + 1).length; })()""")
    assert hidden > 0 and pg.inner_text("#legend-more") == f"+{hidden} more"
    pg.click("#legend-more")
    assert pg.evaluate("""(() => { const l = document.getElementById('legend').getBoundingClientRect();
        return [...document.querySelectorAll('#legend .legend-item')].every(i => i.getBoundingClientRect().right <= l.right + 1); })()""")
    assert pg.inner_text("#legend-more") == "fewer"
    pg.locator('#legend input[data-kind="table"]').uncheck()  # a kind that was hidden can be reached and used
    assert not pg.locator("svg rect.k-table").first.is_visible()
    pg.set_viewport_size({"width": 2400, "height": 900})
    pg.goto(server + "/view?f=whisperer/lease_retrieve.json")  # one kind: nothing hidden, no button
    assert pg.locator("#legend-more").is_hidden()


def _math_folder(root) -> None:
    paragraphs = ["where $T_a$ is the predicted tree", "it costs $5 and $10 today", "the area \\(a^2 + b^2\\) holds",
                  "hostile $<img src=x onerror=alert(1)>$ end", "link $\\href{javascript:alert(1)}{x}$ here",
                  "broken $\\frac{1}{$ stays"]
    blocks = [Block(id=f"b{n}", page=1, kind="paragraph", text=t, bbox=[10, 10 + 30 * n, 280, 30 + 30 * n])
              for n, t in enumerate(paragraphs)]
    blocks.append(Block(id="code", page=1, kind="code", text="echo $HOME $x$", bbox=[10, 200, 280, 220]))
    (root / "inline_math.json").write_bytes(to_json(Document(
        provider="test", format="docnorm", pages=[Page(number=1, width=300, height=240)], blocks=blocks)))


def test_inline_math_is_typeset_and_provider_text_is_never_html(page, tmp_path):  # noqa: F811
    _math_folder(tmp_path)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with _serve(tmp_path) as url:
        page.goto(f"{url}/view?f=inline_math.json")
        wait_until(page, "document.querySelectorAll('.math-inline').length >= 2")
        first = page.locator('.content [data-block="b0"]')
        assert first.locator(".math-inline .katex").count() == 1 and "$" not in first.inner_text()
        assert first.locator("annotation").text_content() == "T_a" and first.inner_text().startswith("where ")
        assert page.locator('.content [data-block="b2"] .katex').count() == 1  # \( \) too
        assert page.inner_text('.content [data-block="b1"]') == "it costs $5 and $10 today"  # money stays money
        assert "$\\frac{1}{$" in page.inner_text('.content [data-block="b5"]')  # what KaTeX cannot read stays text
        assert "$HOME $x$" in page.inner_text('.content [data-block="code"]')  # code is never typeset
        page.wait_for_timeout(200)
        assert page.locator(".content img").count() == 0 and page.locator("a[href^='javascript']").count() == 0
        _shot(page, "inline-math-1440")
    assert dialogs == [] and page.errors == []


# --- the keyboard ---------------------------------------------------------------------------------------------

def test_boxes_and_blocks_are_reached_and_chosen_by_the_keyboard(page, server):  # noqa: F811
    pg = _desktop(page)
    pg.goto(server + REPORT)
    for _ in range(60):  # Tab until a box has the focus
        pg.keyboard.press("Tab")
        if pg.evaluate("document.activeElement.matches('svg rect[data-block]')"):
            break
    box = pg.evaluate("document.activeElement.dataset.block")
    assert box, "no box is a tab stop"
    assert pg.evaluate("getComputedStyle(document.activeElement).stroke") == "rgb(11, 92, 173)"  # the focus ring
    pg.keyboard.press("Enter")
    wait_until(pg, f"document.getElementById('inspector-json').textContent.includes('\"{box}\"')")
    pg.keyboard.press("j")
    wait_until(pg, "document.activeElement.matches('.content [data-block].active')")
    after = pg.evaluate("document.activeElement.dataset.block")
    assert after != box
    assert pg.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # visible focus
    wait_until(pg, f"document.getElementById('inspector-json').textContent.includes('\"{after}\"')")
    pg.keyboard.press("k")
    wait_until(pg, f"document.activeElement.dataset.block === '{box}'")
    pg.locator('.content [data-block="p1-b10"]').focus()
    pg.keyboard.press(" ")  # Space chooses too
    wait_until(pg, "document.querySelector('svg rect[data-block=\"p1-b10\"]').classList.contains('active')")
    _shot(pg, "keyboard-1440")
    assert pg.errors == []


# --- the index's pager ------------------------------------------------------------------------------------------

def test_the_index_pager_is_above_and_below_the_table_with_numbers(page, tmp_path, monkeypatch):  # noqa: F811
    import viewer.layout
    monkeypatch.setattr(viewer.layout, "INDEX_PAGE", 4)
    for n in range(10):
        (tmp_path / f"r{n:02d}.json").write_bytes((SAMPLES / "somark" / "bare_outputs.json").read_bytes())
    with _serve(tmp_path) as url:
        page.goto(url + "/")
        pagers = page.locator("nav.index-pages")
        assert pagers.count() == 2
        assert page.evaluate("document.querySelector('nav.index-pages').compareDocumentPosition("
                             "document.querySelector('table.files')) & Node.DOCUMENT_POSITION_FOLLOWING")
        top = pagers.first.inner_text()
        assert "next page (2)" in top and "later" not in top and "earlier" not in top
        assert page.locator("nav.index-pages").first.locator("a.page-number").all_inner_texts() == ["2", "3"]
        pagers.first.locator("a.next-page").click()
        assert "previous page (1)" in pagers.last.inner_text()
        assert pagers.first.locator('[aria-current="page"]').inner_text() == "2"
        pagers.last.locator("a.page-number", has_text="3").click()
        assert page.locator("table.files tbody tr[data-file]").count() == 2 and "next page" not in pagers.first.inner_text()
    assert page.errors == []
