"""Review mode in a real browser: every action over a real page image, saved, reloaded and found in the truth
file; undo and redo; two browser contexts on one truth; the scores following an edit that fixes one provider."""

from __future__ import annotations

import shutil

import pytest

from normalizer import load

from .conftest import SAMPLES
from .test_browser import ARTIFACTS, CHROMIUM, _serve, browser, page, wait_until  # noqa: F401  (fixtures)

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason="Debian's chromium is not installed")

SOMARK = "same_report/harbor_q3_somark.json"
DOCLING = "docling/2305.03393v1-pg9.json"


@pytest.fixture(scope="module")
def renderer():
    """One page renderer for the module's viewers (each app would start its own workers)."""
    from exporters.pages.images import PageImages
    return PageImages(workers=2, timeout=60)


@pytest.fixture
def review(tmp_path, renderer):
    """A viewer in review mode over the report's three results and Docling's real PDF: (url, truth folder)."""
    root, truth = tmp_path / "served", tmp_path / "truth"
    root.mkdir()
    truth.mkdir()
    shutil.copytree(SAMPLES / "same_report", root / "same_report")
    shutil.copytree(SAMPLES / "docling", root / "docling")
    with _serve(root, truth=str(truth), pages=renderer) as url:
        yield url, truth


def truth_of(truth, stem="harbor_q3_2025"):
    return load(str(truth / f"{stem}.truth.json"))[0]


def log_ops(truth, stem="harbor_q3_2025"):
    return [e["op"]["op"] for e in truth_of(truth, stem).extra["docnorm_review"]["log"]]


def etag(pg) -> str:
    return pg.evaluate("document.body.dataset.etag || ''")


def saved(pg, before: str) -> None:
    """Wait for the save that follows `before` (the truth's version then)."""
    wait_until(pg, f"document.body.dataset.etag && document.body.dataset.etag !== {before!r}")


def started(pg, url: str, rel: str = SOMARK) -> None:
    pg.goto(f"{url}/view?f={rel}")
    pg.click("#review-link")
    pg.wait_for_selector("#start-truth")
    pg.click("#start-truth")
    pg.wait_for_selector("#block-list li.block-item")
    wait_until(pg, "document.querySelector('svg.review-svg').classList.contains('image-loaded')", 30)


def item(pg, block_id: str):
    return pg.locator(f'#block-list li[data-block="{block_id}"]')


def center(pg, selector: str) -> tuple[float, float]:
    box = pg.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_text_kind_and_level_are_edited_in_place_saved_and_there_after_a_reload(page, review):
    url, truth = review
    started(page, url)
    assert page.locator("#started-from").inner_text() == f"· started from {SOMARK} (somark)"
    text = item(page, "p1-b0").locator("textarea")
    before = etag(page)
    text.fill("Harbor Logistics — Q3 2025 Report (corrected)")
    text.press("Tab")
    saved(page, before)
    before = etag(page)
    item(page, "p1-b3").locator("select.kind").select_option("paragraph")
    saved(page, before)
    before = etag(page)
    item(page, "p1-b0").locator("select.level").select_option("2")
    saved(page, before)
    page.reload()
    page.wait_for_selector("#block-list li.block-item")
    assert item(page, "p1-b0").locator("textarea").input_value().endswith("(corrected)")
    assert item(page, "p1-b3").locator("select.kind").input_value() == "paragraph"
    assert item(page, "p1-b0").locator("select.level").input_value() == "2"
    doc = truth_of(truth)
    assert doc.blocks[0].text.endswith("(corrected)") and doc.blocks[0].level == 2 and doc.blocks[3].kind == "paragraph"
    assert log_ops(truth) == ["set_text", "set_kind", "set_level"]
    assert page.errors == []


def test_boxes_move_resize_and_are_drawn_and_deleted_with_the_mouse_and_keys(page, review):
    url, truth = review
    started(page, url)
    x, y = center(page, 'svg rect.rbox[data-block="p1-b7"]')
    before = etag(page)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y - 20, steps=5)
    page.mouse.up()
    saved(page, before)
    moved = truth_of(truth).blocks[7].bbox
    original = load(str(SAMPLES / SOMARK))[0].blocks[7].bbox
    assert moved[0] > original[0] + 20 and moved[1] < original[1] - 10
    assert abs((moved[2] - moved[0]) - (original[2] - original[0])) < 0.1  # moved, not resized
    hx, hy = center(page, 'svg rect.handle[data-corner="se"]')
    before = etag(page)
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(hx + 40, hy + 25, steps=5)
    page.mouse.up()
    saved(page, before)
    resized = truth_of(truth).blocks[7].bbox
    assert resized[:2] == moved[:2] and resized[2] > moved[2] + 30 and resized[3] > moved[3] + 15
    before = etag(page)
    page.keyboard.press("ArrowLeft")
    saved(page, before)
    assert truth_of(truth).blocks[7].bbox[0] < resized[0]
    svg = page.locator("svg.review-svg").bounding_box()
    before = etag(page)
    page.keyboard.press("n")
    page.mouse.move(svg["x"] + svg["width"] * 0.1, svg["y"] + svg["height"] * 0.01)
    page.mouse.down()
    page.mouse.move(svg["x"] + svg["width"] * 0.4, svg["y"] + svg["height"] * 0.05, steps=5)
    page.mouse.up()
    saved(page, before)
    added = [b for b in truth_of(truth).blocks if b.id == "p1-n1"]
    assert added and added[0].bbox[2] - added[0].bbox[0] > 300 and added[0].page == 1
    assert page.locator('#block-list li.block-item.active').get_attribute("data-block") == "p1-n1"
    before = etag(page)
    page.locator("#review-svg").click(position={"x": 2, "y": 2})  # nothing there: deselects
    page.locator('svg rect.rbox[data-block="p1-n1"]').click()
    page.keyboard.press("Delete")
    saved(page, before)
    assert "p1-n1" not in {b.id for b in truth_of(truth).blocks}
    assert log_ops(truth) == ["set_bbox", "set_bbox", "set_bbox", "add_block", "delete_block"]
    assert page.errors == []


def test_split_at_the_caret_and_merge_the_neighbours(page, review):
    url, truth = review
    started(page, url)
    text = item(page, "p1-b1").locator("textarea")
    text.click()
    page.keyboard.press("Control+Home")
    for _ in range(len("Container throughput")):
        page.keyboard.press("ArrowRight")
    before = etag(page)
    page.keyboard.press("Control+Enter")
    saved(page, before)
    ids = [b.id for b in truth_of(truth).blocks]
    assert ids[1:3] == ["p1-b1", "p1-n1"] and truth_of(truth).blocks[1].text == "Container throughput"
    before = etag(page)
    item(page, "p1-n1").locator('button[data-action="merge"]').click()  # the split's second half with SoMark's next
    saved(page, before)
    merged = truth_of(truth).blocks[2].text
    assert merged.startswith("rose 4.2%") and merged.endswith("fell to 3.1 days.")
    assert log_ops(truth) == ["split_block", "merge_blocks"]


def test_the_reading_order_changes_by_dragging_in_the_list_and_by_keys(page, review):
    url, truth = review
    started(page, url)
    before = etag(page)
    item(page, "p1-b3").locator(".grip").drag_to(item(page, "p1-b0"), target_position={"x": 20, "y": 4})
    saved(page, before)
    assert [b.id for b in truth_of(truth).blocks[:2]] == ["p1-b3", "p1-b0"]
    page.locator('svg rect.rbox[data-block="p1-b7"]').click()
    before = etag(page)
    page.keyboard.press("Alt+ArrowUp")
    saved(page, before)
    assert [b.id for b in truth_of(truth).blocks][6:8] == ["p1-b7", "p1-b6"]
    assert item(page, "p1-b7").locator(".num").inner_text() == "7"
    assert page.locator('svg text.rorder').nth(6).text_content() == "7"
    assert log_ops(truth) == ["move_block", "move_block"]


def test_the_table_editor_edits_cells_spans_rows_and_columns(page, review):
    url, truth = review
    started(page, url)
    table = item(page, "p1-b5")
    table.scroll_into_view_if_needed()
    east = table.locator('td[data-row="4"][data-col="2"] input')
    before = etag(page)
    east.fill("431")
    east.press("Enter")
    saved(page, before)
    cells = truth_of(truth).blocks[5].table.cells
    assert cells[-1].text == "431"
    steps = [("north", 'td[data-row="2"][data-col="1"] input', "Alt+ArrowRight"),
             ("split", 'td[data-row="2"][data-col="1"] input', "Alt+s"),
             ("row", 'td[data-row="4"][data-col="0"] input', "Alt+r"),
             ("col", 'td[data-row="4"][data-col="0"] input', "Alt+c")]
    for _, selector, key in steps:
        before = etag(page)
        table.locator(selector).click()
        page.keyboard.press(key)
        saved(page, before)
    t = truth_of(truth).blocks[5].table
    assert (t.n_rows, t.n_cols) == (6, 4)
    before = etag(page)
    table.locator('td[data-row="5"][data-col="0"] input').click()
    table.locator('button[data-action="row-delete"]').click()
    saved(page, before)
    before = etag(page)
    table.locator('td[data-row="0"][data-col="1"] input').click()
    table.locator('button[data-action="col-delete"]').click()
    saved(page, before)
    t = truth_of(truth).blocks[5].table
    assert (t.n_rows, t.n_cols) == (5, 3) and [c.text for c in t.cells if c.row == 4] == ["East", "389", "431"]
    assert log_ops(truth) == ["set_cell", "merge_cells", "split_cell", "insert_row", "insert_col", "delete_row",
                              "delete_col"]
    assert page.errors == []


def test_a_caption_is_linked_to_its_figure(page, review):
    url, truth = review
    started(page, url)
    page.select_option("#page-select", "2")
    page.wait_for_selector('#block-list li[data-block="p2-b3"]')
    before = etag(page)
    item(page, "p2-b3").locator("select.link").select_option("p2-b1")
    saved(page, before)
    before = etag(page)
    item(page, "p2-b3").locator("select.link").select_option("p2-b2")
    saved(page, before)
    blocks = {b.id: b for b in truth_of(truth).blocks}
    assert blocks["p2-b2"].captions == ["p2-b3"] and blocks["p2-b1"].captions == []
    assert page.url.endswith("page=2")


def test_undo_and_redo_every_step_with_the_buttons_and_keys(page, review):
    url, truth = review
    started(page, url)
    original = truth_of(truth).blocks
    for n, action in enumerate([lambda: item(page, "p1-b2").locator("textarea").fill("changed"),
                                lambda: item(page, "p1-b4").locator("select.kind").select_option("paragraph")]):
        before = etag(page)
        action()
        page.locator("h2").first.click()  # leaves the field: saved
        saved(page, before)
    assert page.locator("#undo").inner_text() == "Undo (2)"
    before = etag(page)
    page.keyboard.press("Control+z")
    saved(page, before)
    before = etag(page)
    page.locator("#undo").click()
    saved(page, before)
    assert truth_of(truth).blocks == original and page.locator("#redo").inner_text() == "Redo (2)"
    assert item(page, "p1-b2").locator("textarea").input_value() != "changed"
    before = etag(page)
    page.keyboard.press("Control+Shift+z")
    saved(page, before)
    assert truth_of(truth).blocks[2].text == "changed" and truth_of(truth).blocks[4].kind == "caption"
    assert log_ops(truth)[2:] == ["set_kind", "set_text", "set_text"]  # each undo and redo is logged with its edit


def test_the_shortcuts_are_listed_on_question_mark(page, review):
    url, _ = review
    started(page, url)
    page.keyboard.press("?")
    dialog = page.locator("dialog#keys")
    assert dialog.is_visible() and "split the block at the caret" in dialog.inner_text()
    page.screenshot(path=str(ARTIFACTS / "review-shortcuts.png"))
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_a_click_on_start_before_the_deferred_script_runs_is_not_lost(page, review):
    """The page is drawn before its deferred script listens: the start button stays disabled until it does, so a
    quick click (a person's or Playwright's) waits for it instead of doing nothing. The script is held back here
    until the test lets it go (not for a time: a loaded machine could outwait any delay), and the click is issued
    before it runs."""
    url, truth = review

    def held_back(route):
        body = route.fetch().text()
        held = f"(function go() {{ if (!window.__releaseReview) {{ setTimeout(go, 20); return; }}\n{body}\n}})();"
        route.fulfill(body=held, content_type="application/javascript")
    page.route("**/static/review.js", held_back)
    page.goto(f"{url}/review?f={SOMARK}")
    assert page.locator("#start-truth").is_disabled()  # the script has not run yet, however long the page took
    page.evaluate("setTimeout(function () { window.__releaseReview = true; }, 300)")
    page.click("#start-truth")  # waits for the button to be enabled, i.e. for the script's handler
    page.wait_for_selector("#block-list li.block-item")
    assert truth_of(truth).blocks and page.errors == []


def test_before_a_truth_starts_only_the_start_button_shows(page, review):
    """With no truth yet, the editing tools and the empty block, page and score panels are hidden (their CSS
    `display` must not outrank the `hidden` attribute); starting shows them and hides the button."""
    url, _ = review
    page.goto(f"{url}/review?f={SOMARK}")
    page.wait_for_selector("#start-truth:not([disabled])")
    hidden = ["#review-tools", "#review-body", "#conflict", "#review-message"]
    assert [page.locator(s).is_visible() for s in hidden] == [False] * 4
    page.screenshot(path=str(ARTIFACTS / "review-before-start.png"))
    page.click("#start-truth")
    page.wait_for_selector("#block-list li.block-item")
    assert page.locator("#review-tools").is_visible() and page.locator("#review-body").is_visible()
    assert not page.locator("#review-start").is_visible() and page.errors == []


def test_two_browser_contexts_on_one_truth_conflict_instead_of_losing_an_edit(browser, review):
    url, truth = review
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(2)]
    try:
        first, second = (c.new_page() for c in contexts)
        started(first, url)
        second.goto(f"{url}/review?f={SOMARK}")
        second.wait_for_selector("#block-list li.block-item")
        before = etag(first)
        first.locator('#block-list li[data-block="p1-b0"] textarea').fill("first context")
        first.keyboard.press("Tab")
        saved(first, before)
        second.locator('#block-list li[data-block="p1-b1"] textarea').fill("second context")
        second.keyboard.press("Tab")
        wait_until(second, "!document.getElementById('conflict').hidden")
        assert "changed since you opened it" in second.locator("#conflict").inner_text()
        second.screenshot(path=str(ARTIFACTS / "review-conflict.png"))
        assert truth_of(truth).blocks[0].text == "first context" and truth_of(truth).blocks[1].text != "second context"
        second.click("#reload")
        second.wait_for_selector("#block-list li.block-item")
        wait_until(second, "document.body.dataset.etag !== undefined && document.body.dataset.etag !== ''")
        assert second.locator('#block-list li[data-block="p1-b0"] textarea').input_value() == "first context"
        before = etag(second)
        second.locator('#block-list li[data-block="p1-b1"] textarea').fill("second context")
        second.keyboard.press("Tab")
        saved(second, before)
        doc = truth_of(truth)
        assert (doc.blocks[0].text, doc.blocks[1].text) == ("first context", "second context")
        first.evaluate("window.dispatchEvent(new Event('focus'))")  # back on the first tab: shown as it is now
        wait_until(first, "document.querySelector('#block-list li[data-block=\"p1-b1\"] textarea').value"
                          " === 'second context'")
        assert "changed elsewhere" in first.locator("#review-message").inner_text()
    finally:
        for c in contexts:
            c.close()


def test_the_scores_follow_an_edit_that_fixes_one_providers_error(page, review):
    url, truth = review
    started(page, url)
    wait_until(page, "document.body.dataset.scored === document.body.dataset.etag")
    teds = lambda provider: page.locator(f'#scores tr:has(.score-provider:text-is("{provider}")) td.score.teds')  # noqa
    assert teds("somark").inner_text() == "1.000" and teds("llamacloud").inner_text() == "0.982"
    east = item(page, "p1-b5").locator('td[data-row="4"][data-col="2"] input')
    assert east.input_value() == "481"  # SoMark read 481; the PDF says 431
    east.fill("431")
    east.press("Enter")
    wait_until(page, "document.body.dataset.scored === document.body.dataset.etag && "
                     "document.querySelector('#scores td.teds.up') !== null")
    assert teds("llamacloud").inner_text() == "1.000" and "up" in teds("llamacloud").get_attribute("class")
    assert float(teds("somark").inner_text()) < 1 and "down" in teds("somark").get_attribute("class")
    page.screenshot(path=str(ARTIFACTS / "review-scores.png"), full_page=True)
    page.locator('#scores tr:has(.score-provider:text-is("llamacloud")) a.compare').click()
    page.wait_for_selector(".compare-view, body")
    assert "harbor_q3_llamacloud_v2.json" in page.content()
    assert "truth:harbor_q3_2025.truth.json" in page.url.replace("%3A", ":")
    assert page.errors == []


def test_a_real_pdf_under_the_boxes_and_screenshots_to_look_at(page, review):
    url, truth = review
    started(page, url, DOCLING)
    page.screenshot(path=str(ARTIFACTS / "review-docling.png"))
    first = page.locator("#block-list li.block-item").first
    block_id = first.get_attribute("data-block")
    before = etag(page)
    first.locator("select.kind").select_option("heading")
    saved(page, before)
    page.goto(f"{url}/")
    assert page.locator('tr[data-file="docling/2305.03393v1-pg9.json"] .truth-mark').count() == 1
    assert page.locator('tr[data-file="same_report/harbor_q3_somark.json"] .truth-mark').count() == 0
    assert {b.id: b.kind for b in truth_of(truth, "2305.03393v1-pg9").blocks}[block_id] == "heading"
    page.goto(f"{url}/review?f={SOMARK}")
    page.click("#start-truth")
    page.wait_for_selector("#block-list li.block-item")
    page.locator('svg rect.rbox[data-block="p1-b5"]').click()
    wait_until(page, "document.querySelector('svg.review-svg').classList.contains('image-loaded')", 30)
    page.screenshot(path=str(ARTIFACTS / "review-report.png"))
    assert page.errors == []


def test_the_compare_view_opens_a_result_against_the_truth_and_the_index_marks_it(page, review):
    url, truth = review
    started(page, url)
    page.goto(f"{url}/compare?a=truth:harbor_q3_2025.truth.json&b={SOMARK}")
    page.wait_for_selector("svg.page-svg")
    wait_until(page, "document.querySelectorAll('svg.page-svg.image-loaded').length >= 2", 30)
    assert page.locator("svg.page-svg.with-image").count() >= 2  # the truth's side draws its source's page too
    page.screenshot(path=str(ARTIFACTS / "review-compare.png"))
    page.goto(f"{url}/")
    page.wait_for_selector("table.files")
    assert page.locator(".truth-mark").count() == 3
    page.screenshot(path=str(ARTIFACTS / "review-index.png"))
    assert page.errors == []


def test_hostile_text_and_ids_in_a_result_stay_text_in_review_mode(page, tmp_path, renderer):
    from exporters import to_json
    from normalizer.schema import Block, Document, Page
    root, truth = tmp_path / "served", tmp_path / "truth"
    root.mkdir()
    truth.mkdir()
    evil = '"><img src=x onerror=alert(1)>'
    blocks = [Block(id=f"p1-{evil}", page=1, kind="paragraph", text=evil, bbox=[10, 10, 200, 40]),
              Block(id="p1-b1", page=1, kind="caption", text="<script>alert(2)</script>", bbox=[10, 50, 200, 80])]
    (root / "hostile.json").write_bytes(to_json(Document(provider="<b>x</b>", format="docnorm",
                                                         file_name=f"{evil}.pdf", blocks=blocks,
                                                         pages=[Page(number=1, width=300, height=200)])))
    with _serve(root, truth=str(truth), pages=renderer) as url:
        page.goto(f"{url}/review?f=hostile.json")
        page.click("#start-truth")
        page.wait_for_selector("#block-list li.block-item")
        assert page.locator("#block-list textarea").first.input_value() == evil
        page.locator("svg rect.rbox").first.click()
        before = etag(page)
        page.keyboard.press("ArrowDown")
        saved(page, before)
        assert page.locator("img").count() == 0 and page.dialogs == [] and page.errors == []
        assert page.locator("#block-list li.block-item.active").get_attribute("data-block") == f"p1-{evil}"
    written = __import__("os").listdir(truth)
    assert len(written) == 1 and written[0].startswith("img_src_x_onerror_alert_1-") and "<" not in written[0]
