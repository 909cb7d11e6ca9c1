"""The Audit toggle and the index's Audit column in a real browser (Playwright driving Debian's Chromium), on the
real Docling result, a y-flipped copy and a doctored copy (invented text, a dropped paragraph); screenshots in
tests/artifacts/ are looked at."""

from __future__ import annotations

import pytest

from .test_browser import ARTIFACTS, _serve, browser, page, wait_until  # noqa: F401 - fixtures
from .test_viewer_audit import doctored, folder, pool  # noqa: F401 - fixtures
from .test_audit import PG9, _doc


@pytest.fixture(scope="module")
def served(folder, pool):  # noqa: F811
    with _serve(folder, pages=pool) as url:
        yield url


def _audit_on(page, url: str, rel: str) -> str:
    page.goto(f"{url}/view?f={rel}")
    page.click("#audit-toggle")
    wait_until(page, "document.getElementById('audit-status').dataset.state !== 'pending'", timeout=120)
    return page.inner_text("#audit-status")


def test_the_toggle_marks_every_box_of_a_real_result_grounded(page, served):  # noqa: F811
    said = _audit_on(page, served, "original.json")
    assert "100.0 % of the text is under its boxes" in said and "frame ok" in said
    assert page.locator("svg rect.a-grounded").count() == 10
    assert page.locator("svg rect.a-not-grounded").count() == 0 and page.locator("rect.missed-text").count() == 0
    assert page.get_attribute("#audit-toggle", "aria-pressed") == "true"
    page.screenshot(path=str(ARTIFACTS / "audit-original.png"), full_page=False)
    page.click("#audit-toggle")  # off: the marks go, the status line hides
    assert page.locator("svg rect.a-grounded").count() == 0 and page.is_hidden("#audit-status")
    assert page.errors == []


def test_a_doctored_copy_shows_the_invented_block_and_the_missed_text(page, served):  # noqa: F811
    _, invented, dropped = doctored(_doc(PG9[0]))  # the blocks as they were before the text was invented or dropped
    said = _audit_on(page, served, "doctored.json")
    assert "8 of 9 blocks grounded" in said and "frame ok" in said  # one dropped, one invented
    bad = page.locator(f'svg rect[data-block="{invented.id}"]')
    assert "a-not-grounded" in bad.get_attribute("class")
    assert "a-not-grounded" in page.locator(f'.content [data-block="{invented.id}"]').first.get_attribute("class")
    assert page.locator("rect.missed-text").count() >= 1
    assert dropped.text.split()[0] in page.locator("rect.missed-text title").first.text_content()
    bad.click(force=True)
    wait_until(page, "!document.getElementById('inspector-fields').hidden")
    fields = page.inner_text("#inspector-fields")
    assert "not grounded (similarity" in fields and "The quarterly dividend" in fields  # the text it claims
    assert fields.split("PDF text")[1].split()[:4] == invented.text.split()[:4]  # what the PDF has there
    page.screenshot(path=str(ARTIFACTS / "audit-doctored.png"), full_page=False)
    assert page.errors == []


def test_a_flipped_copy_says_its_frame_and_repair(page, served):  # noqa: F811
    said = _audit_on(page, served, "flipped.json")
    assert "frame y-flipped" in said and "after the repair" in said and "--fix-frame" in said
    assert page.locator("#audit-status").get_attribute("data-state") == "y-flipped"
    assert "10 of 10 blocks grounded after the repair" in said
    heading = _doc(PG9[0]).blocks[0]  # the page header: near the top of the page, drawn at the bottom when flipped
    rect = page.locator(f'svg rect[data-block="{heading.id}"]')
    assert page.is_checked("#audit-repaired")  # drawn repaired: back where the PDF has its text, near the top
    assert float(rect.get_attribute("y")) == pytest.approx(heading.bbox[1], abs=1)
    page.screenshot(path=str(ARTIFACTS / "audit-flipped.png"), full_page=False)
    page.uncheck("#audit-repaired")  # as the result gives them: mirrored
    assert float(rect.get_attribute("y")) == pytest.approx(792 - heading.bbox[3], abs=1)
    page.click("#audit-toggle")
    assert float(rect.get_attribute("y")) == pytest.approx(792 - heading.bbox[3], abs=1)
    assert page.errors == []


def test_the_index_fills_its_audit_column(page, served):  # noqa: F811
    page.goto(served)
    cell = 'tr[data-file="{}"] td.audit-score'
    wait_until(page, "[...document.querySelectorAll('td.audit-score')].every(td => !td.dataset.doc)", timeout=180)
    assert page.inner_text(cell.format("original.json")) == "100 %"
    assert page.locator(cell.format("original.json")).get_attribute("data-level") == "good"
    assert "y-flipped" in page.inner_text(cell.format("flipped.json"))
    assert page.inner_text(cell.format("orphan.json")) == "–"
    assert page.locator(cell.format("orphan.json")).get_attribute("title") == "no source document found"
    page.screenshot(path=str(ARTIFACTS / "audit-index.png"), full_page=True)
    assert page.errors == []
