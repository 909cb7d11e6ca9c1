"""The real page under the boxes: finding a result's source, rendering its pages in bounded workers, the cache,
the viewer's routes, `render_page`/`docnorm render`, and the reports that embed the pages."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from exporters import to_json
from exporters.pages.frame import SourcePage, aspect_note, frame
from exporters.pages.images import PageImages, SourceError
from exporters.pages.worker import MAX_PIXELS
from exporters.pages.render import render_page
from normalizer import load
from normalizer.schema import Block, Document, Line, Page
from viewer import create_app
from viewer.cli import main
from exporters.pages.sources import find_source

from . import pdfs
from .conftest import GOLDEN, REGENERATE, SAMPLES

REPORT = SAMPLES / "same_report"
REPORT_PDF = REPORT / "harbor_q3_2025.pdf"


def _doc(file_name: str | None = None, pages: int = 1, size: tuple[float, float] | None = (612, 792),
         unit: str = "pt", boxes: list[list[float]] | None = None) -> Document:
    boxes = boxes or [[72, 72, 300, 100]]
    return Document(provider="test", format="docnorm", file_name=file_name,
                    pages=[Page(number=n, width=size[0] if size else None, height=size[1] if size else None, unit=unit)
                           for n in range(1, pages + 1)],
                    blocks=[Block(id=f"p{n}-b{k}", page=n, kind="paragraph", text=f"block {k}", bbox=box)
                            for n in range(1, pages + 1) for k, box in enumerate(boxes)])


def _png(path: Path, size=(300, 400), colour="white", frames: int = 1) -> Path:
    images = [Image.new("RGB", size, colour) for _ in range(frames)]
    if frames > 1:
        images[0].save(path, save_all=True, append_images=images[1:])
    else:
        images[0].save(path)
    return path


@pytest.fixture
def pool(tmp_path):
    images = PageImages(workers=2, cache_dir=str(tmp_path / "cache"))
    yield images
    images.close()


# --- finding the source -----------------------------------------------------------------------------------

def _found(root: Path, rel: str, doc: Document, sources: tuple[Path, ...] = ()) -> str | None:
    hit = find_source(os.path.realpath(root), tuple(os.path.realpath(s) for s in sources), rel, doc)
    return hit and hit.name


def test_the_recorded_file_name_is_found_beside_the_result(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "report.pdf").write_bytes(b"%PDF")
    assert _found(tmp_path, "runs/a.json", _doc("report.pdf")) == "runs/report.pdf"


def test_the_recorded_stem_takes_any_source_suffix_in_either_case(tmp_path):
    (tmp_path / "scan.TIFF").write_bytes(b"II*")
    assert _found(tmp_path, "result.json", _doc("scan.docx")) == "scan.TIFF"


def test_the_result_stem_is_the_fallback(tmp_path):
    (tmp_path / "invoice_llamaparse.png").write_bytes(b"png")
    assert _found(tmp_path, "invoice_llamaparse.json", _doc("elsewhere.pdf")) == "invoice_llamaparse.png"
    assert _found(tmp_path, "invoice_llamaparse.json", _doc(None)) == "invoice_llamaparse.png"


def test_the_recorded_name_wins_over_the_result_stem(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    (tmp_path / "report.pdf").write_bytes(b"%PDF")
    assert _found(tmp_path, "a.json", _doc("report.pdf")) == "report.pdf"


def test_sources_folders_are_searched_after_the_results_folder_directly_and_mirrored(tmp_path):
    root, scans, pdfs_dir = tmp_path / "results", tmp_path / "scans", tmp_path / "pdfs"
    for folder in (root / "q3", scans, pdfs_dir / "q3"):
        folder.mkdir(parents=True)
    (pdfs_dir / "q3" / "report.pdf").write_bytes(b"%PDF")
    assert _found(root, "q3/a.json", _doc("report.pdf"), (scans, pdfs_dir)) == "sources:pdfs/q3/report.pdf"
    (scans / "report.pdf").write_bytes(b"%PDF")
    assert _found(root, "q3/a.json", _doc("report.pdf"), (scans, pdfs_dir)) == "sources:scans/report.pdf"
    (root / "q3" / "report.pdf").write_bytes(b"%PDF")
    assert _found(root, "q3/a.json", _doc("report.pdf"), (scans, pdfs_dir)) == "q3/report.pdf"


@pytest.mark.parametrize("recorded", ["../../outside.pdf", "/etc/outside.pdf", "C:\\docs\\outside.pdf",
                                      "https://example.com/files/outside.pdf", "..\\outside.pdf"])
def test_a_recorded_path_or_url_is_never_followed_only_its_last_part_is_looked_for(tmp_path, recorded):
    root = tmp_path / "served"
    root.mkdir()
    (tmp_path / "outside.pdf").write_bytes(b"%PDF")
    assert _found(root, "a.json", _doc(recorded)) is None
    (root / "outside.pdf").write_bytes(b"%PDF")
    assert _found(root, "a.json", _doc(recorded)) == "outside.pdf"


def test_a_link_that_leads_out_of_the_served_folder_is_not_a_source(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF")
    (root / "report.pdf").symlink_to(tmp_path / "secret.pdf")
    assert _found(root, "a.json", _doc("report.pdf")) is None
    (root / "real.pdf").write_bytes(b"%PDF")
    (root / "b.pdf").symlink_to(root / "real.pdf")  # a link that stays inside is followed
    assert _found(root, "b.json", _doc(None)) == "b.pdf"


def test_a_link_that_leads_out_of_a_sources_folder_is_not_a_source(tmp_path):
    root, scans = tmp_path / "served", tmp_path / "scans"
    root.mkdir()
    scans.mkdir()
    (root / "inside_root.pdf").write_bytes(b"%PDF")
    (scans / "report.pdf").symlink_to(root / "inside_root.pdf")  # out of scans, even if into the root
    assert _found(root, "a.json", _doc("report.pdf"), (scans,)) is None


def test_a_folder_named_like_a_source_is_not_one_and_nothing_found_is_none(tmp_path):
    (tmp_path / "report.pdf").mkdir()
    assert _found(tmp_path, "report.json", _doc("report.pdf")) is None


# --- the frame -------------------------------------------------------------------------------------------

def test_a_page_without_size_takes_its_source_pages_shape():
    blocks = [Block(id="b", page=1, kind="paragraph", text="x", bbox=[10, 10, 100, 700])]
    ragflow_page = Page(number=1, unit="pt")
    assert frame(ragflow_page, blocks, SourcePage((595.0, 842.0), "pdf")) == (595.0, 842.0, False)
    whisper_page = Page(number=1, height=60.0, unit="line")
    w, h, _ = frame(whisper_page, [], SourcePage((1000.0, 500.0), "image"))
    assert (w, h) == (120.0, 60.0)
    pixel_page = Page(number=1, unit="px")  # no size: the boxes' extent, widened to the source's shape
    w, h, sized = frame(pixel_page, blocks, SourcePage((1000.0, 1000.0), "image"))
    assert w == pytest.approx(h) and h >= 700 and not sized


def test_a_result_page_of_another_shape_than_its_source_is_flagged():
    letter, a4 = SourcePage((612.0, 792.0), "pdf"), SourcePage((595.0, 842.0), "pdf")
    assert aspect_note(612, 792, letter) is None
    assert aspect_note(1275, 1650, letter) is None  # the same page at 150 dpi
    assert aspect_note(612 * 1.015, 792, letter) is None  # within 2 %
    note = aspect_note(612, 792, a4)
    assert note and "595 × 842 pt" in note and "another frame" in note


# --- rendering in bounded workers -------------------------------------------------------------------------

def test_pdf_pages_render_at_the_width_asked_and_images_are_never_enlarged(tmp_path, pool):
    info = pool.info(str(REPORT_PDF))
    assert info.kind == "pdf" and info.sizes == [(612.0, 792.0), (612.0, 792.0)]
    page = Image.open(io.BytesIO(pool.page(str(REPORT_PDF), 1, 800)))
    assert page.width == 800 and abs(page.height - 800 * 792 / 612) <= 1
    small = _png(tmp_path / "small.png", (300, 400))
    assert Image.open(io.BytesIO(pool.page(str(small), 0, 1200))).size == (300, 400)
    assert Image.open(io.BytesIO(pool.page(str(small), 0, 100))).size == (300, 400)  # snapped up to 400


def test_a_multi_page_tiff_is_one_source_page_per_frame(tmp_path, pool):
    tiff = _png(tmp_path / "scan.tiff", (200, 260), frames=3)
    info = pool.info(str(tiff))
    assert info.kind == "image" and len(info.sizes) == 3
    assert Image.open(io.BytesIO(pool.page(str(tiff), 2, 400))).size == (200, 260)
    with pytest.raises(SourceError, match="3 page"):
        pool.page(str(tiff), 3, 400)


def test_rendered_pages_are_cached_by_content_and_a_changed_source_is_rendered_again(tmp_path, pool):
    source = tmp_path / "a.png"
    _png(source, (120, 160), "white")
    first = pool.page(str(source), 0, 400)

    def no_worker(*args):
        raise AssertionError("the cache should have answered")
    ask, pool._ask = pool._ask, no_worker
    assert pool.page(str(source), 0, 400) == first
    pool._ask = ask
    time.sleep(0.01)
    _png(source, (120, 160), "black")
    second = pool.page(str(source), 0, 400)
    assert second != first and Image.open(io.BytesIO(second)).getpixel((5, 5)) == (0, 0, 0)
    assert len(list((tmp_path / "cache").rglob("*.png"))) == 2


def test_the_cache_is_never_inside_a_served_folder(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    images = PageImages(cache_dir=str(root / ".cache"), avoid=(str(root),))
    assert images.cache_dir and not images.cache_dir.startswith(os.path.realpath(root))


@pytest.mark.parametrize("make, message", [(pdfs.malformed, "not a readable PDF"),
                                           (lambda: b"%PDF-1.4\n", "not a readable PDF"),
                                           (lambda: b"", "not a readable PDF")])
def test_a_malformed_pdf_is_an_error_and_the_renderer_goes_on(tmp_path, pool, make, message):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(make())
    with pytest.raises(SourceError, match=message):
        pool.info(str(bad))
    with pytest.raises(SourceError, match=message):
        pool.page(str(bad), 0, 800)
    assert pool.info(str(REPORT_PDF)).kind == "pdf"


def test_a_huge_page_is_rendered_within_the_pixel_bound(tmp_path, pool):
    big = tmp_path / "big.pdf"
    big.write_bytes(pdfs.huge_page())
    assert pool.info(str(big)).sizes == [(14400.0, 14400.0)]
    image = Image.open(io.BytesIO(pool.page(str(big), 0, 2400)))
    assert image.size == (2400, 2400) and image.getpixel((1200, 1200)) == (0, 0, 0)
    tall = tmp_path / "tall.pdf"
    tall.write_bytes(pdfs.one_page(b"0 g 0 0 1 14400 re f", media=b"0 0 1 14400"))
    image = Image.open(io.BytesIO(pool.page(str(tall), 0, 1200)))
    assert image.width * image.height <= MAX_PIXELS * 1.01


def test_deep_nesting_is_bounded(tmp_path, pool):
    deep = tmp_path / "deep.pdf"
    deep.write_bytes(pdfs.deep_nesting())
    try:  # bounded by the worker's deadline (a hang would fail on it); its time is benchmarks/page_image_bench.py's
        pool.page(str(deep), 0, 800)
    except SourceError:
        pass  # refusing it is as good as drawing it: what matters is that it ends and the next page renders
    assert pool.info(str(REPORT_PDF)).kind == "pdf"


def test_a_stream_bomb_hits_the_memory_limit_not_the_machine(tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(pdfs.stream_bomb(1.5))
    images = PageImages(workers=1, memory=1 << 30, cache_dir=str(tmp_path / "cache"))
    try:
        with pytest.raises(SourceError, match="memory|stopped|cannot render"):  # the cap, not the deadline
            images.page(str(bomb), 0, 800)
        assert images.page(str(REPORT_PDF), 0, 400).startswith(b"\x89PNG")  # a new worker took its place
    finally:
        images.close()


def test_a_page_past_its_deadline_is_abandoned_and_its_worker_replaced(tmp_path):
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(pdfs.slow_page())
    images = PageImages(workers=1, timeout=0.2, cache_dir=str(tmp_path / "cache"))
    try:
        images.warm()
        with pytest.raises(SourceError, match="longer than 0.2 s"):  # the deadline fired, not the page's end
            images.page(str(slow), 0, 1200)
        images.timeout = 10
        assert images.page(str(REPORT_PDF), 0, 400).startswith(b"\x89PNG")
    finally:
        images.close()


def test_the_workers_do_not_inherit_the_callers_main_module(tmp_path):
    """A script without a __main__ guard must not be run again by the renderer (it is started by path)."""
    script = tmp_path / "script.py"
    marker = tmp_path / "ran"
    script.write_text(f"import sys; sys.path.insert(0, {str(SAMPLES.parent)!r})\n"
                      f"open({str(marker)!r}, 'a').write('x')\n"
                      "from exporters.pages.images import PageImages\n"
                      f"print(len(PageImages(workers=1, cache_dir={str(tmp_path / 'c')!r})"
                      f".page({str(REPORT_PDF)!r}, 0, 400)))\n")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 1000 and marker.read_text() == "x"


# --- the viewer -----------------------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    root = tmp_path / "served"
    (root / "report").mkdir(parents=True)
    for name in ("harbor_q3_llamacloud_v2.json", "harbor_q3_baidu.json", "harbor_q3_2025.pdf"):
        (root / "report" / name).write_bytes((REPORT / name).read_bytes())
    (root / "bad").mkdir()
    (root / "bad" / "broken.pdf").write_bytes(pdfs.malformed())
    (root / "bad" / "broken.json").write_bytes(to_json(_doc("broken.pdf")))
    (root / "alone.json").write_bytes(to_json(_doc("nowhere.pdf")))
    images = PageImages(cache_dir=str(tmp_path / "cache"))
    app = create_app(str(root), pages=images)
    yield root, app.test_client()
    images.close()


def test_the_document_view_names_its_source_and_puts_each_page_under_its_boxes(served):
    root, client = served
    html = client.get("/view?f=report/harbor_q3_baidu.json").get_data(as_text=True)
    assert "report/harbor_q3_2025.pdf" in html and "recorded file name, 2 page(s)" in html
    assert html.count('<image class="page-image" data-src="/page-image?f=report/harbor_q3_baidu.json&amp;i=0&amp;p=') == 2
    assert 'id="show-image"' in html and 'id="box-opacity"' in html
    assert "aspect-note" not in html.split("</header>")[1]  # 1020 x 1320 px is the Letter page at 120 dpi
    alone = client.get("/view?f=alone.json").get_data(as_text=True)
    assert "none found" in alone and "nowhere.pdf" in alone and "<image" not in alone


def test_the_page_image_route(served):
    root, client = served
    ok = client.get("/page-image?f=report/harbor_q3_baidu.json&p=2&w=700")
    assert ok.status_code == 200 and ok.mimetype == "image/png"
    assert Image.open(io.BytesIO(ok.data)).width == 800  # 700 snapped up
    assert client.get("/page-image?f=report/harbor_q3_baidu.json&p=3").status_code == 422
    assert b"no page 3" in client.get("/page-image?f=report/harbor_q3_baidu.json&p=3").data
    broken = client.get("/page-image?f=bad/broken.json&p=1")
    assert broken.status_code == 422 and b"not a readable PDF" in broken.data
    assert client.get("/page-image?f=alone.json&p=1").status_code == 404
    assert client.get("/page-image?f=report/harbor_q3_baidu.json&p=-1").status_code == 404
    assert client.get("/page-image?f=../outside.json&p=1").status_code == 404


def test_a_broken_source_says_so_in_the_view_and_the_view_still_opens(served):
    root, client = served
    html = client.get("/view?f=bad/broken.json").get_data(as_text=True)
    assert "cannot be shown: not a readable PDF" in html and "block 0" in html


def test_the_viewer_writes_nothing_into_the_served_folder(served):
    root, client = served
    before = sorted(p for p in root.rglob("*"))
    for p in (1, 2):
        client.get(f"/page-image?f=report/harbor_q3_llamacloud_v2.json&p={p}&w=400")
    client.get("/compare?a=report/harbor_q3_llamacloud_v2.json&b=report/harbor_q3_baidu.json")
    assert sorted(p for p in root.rglob("*")) == before


def test_the_compare_view_draws_each_side_over_its_source(served):
    root, client = served
    html = client.get("/compare?a=report/harbor_q3_llamacloud_v2.json&b=report/harbor_q3_baidu.json").get_data(as_text=True)
    assert "A&#39;s source" in html and "B&#39;s source" in html
    assert html.count('class="page-image"') == 4


def test_the_viewer_keeps_serving_while_a_hostile_pdf_renders(tmp_path):
    from werkzeug.serving import make_server
    import urllib.error
    import urllib.request
    root = tmp_path / "served"
    root.mkdir()
    (root / "slow.pdf").write_bytes(pdfs.slow_page(3_000_000))
    (root / "slow.json").write_bytes(to_json(_doc("slow.pdf")))
    (root / "report.pdf").write_bytes(REPORT_PDF.read_bytes())
    (root / "report.json").write_bytes(to_json(_doc("report.pdf")))
    images = PageImages(workers=2, timeout=4, memory=1 << 30, cache_dir=str(tmp_path / "cache"))
    images.warm()
    srv = make_server("127.0.0.1", 0, create_app(str(root), pages=images), threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    answers: dict[str, int] = {}

    def hostile():
        try:
            urllib.request.urlopen(f"{base}/page-image?f=slow.json&p=1", timeout=30)
            answers["hostile"] = 200
        except urllib.error.HTTPError as exc:
            answers["hostile"] = exc.code
    try:
        worker = threading.Thread(target=hostile)
        worker.start()
        time.sleep(0.2)
        for url in ("/", "/view?f=report.json", "/page-image?f=report.json&p=1&w=400"):
            assert urllib.request.urlopen(base + url, timeout=10).status == 200
            assert "hostile" not in answers, url  # answered while the hostile page is still being drawn
        worker.join(30)
        assert answers["hostile"] == 422
    finally:
        srv.shutdown()
        images.close()


# --- render_page and docnorm render -------------------------------------------------------------------------

def _pixels_match(actual: bytes, golden_name: str) -> None:
    """Equal to the reviewed golden PNG up to anti-aliasing: the same size, at most 0.5 % of pixels differing by
    more than 40 in a channel."""
    path = GOLDEN / "render" / golden_name
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    got, want = Image.open(io.BytesIO(actual)).convert("RGB"), Image.open(path).convert("RGB")
    assert got.size == want.size
    from PIL import ImageChops
    diff = ImageChops.difference(got, want).convert("L").point(lambda v: 255 if v > 40 else 0)
    assert diff.histogram()[255] <= 0.005 * got.width * got.height, f"{golden_name}: pixels differ"


def test_render_page_golden_over_the_pdf():
    doc = load(REPORT / "harbor_q3_llamacloud_v2.json")[0]
    _pixels_match(render_page(doc, 1, REPORT_PDF, width=600, numbers=True, labels=True), "harbor_llamacloud-p1.png")


def test_render_page_golden_compare():
    a, b = (load(REPORT / f"harbor_q3_{name}.json")[0] for name in ("llamacloud_v2", "somark"))
    _pixels_match(render_page(a, 1, REPORT_PDF, width=400, compare=b), "harbor_llamacloud_vs_somark-p1.png")


def test_render_page_draws_each_box_in_its_kinds_colour_on_a_blank_page():
    doc = _doc(boxes=[[100, 100, 300, 200]])
    image = Image.open(io.BytesIO(render_page(doc, 1, width=612)))
    assert image.size == (612, 792)
    assert image.getpixel((500, 600)) == (255, 255, 255)
    r, g, b = image.getpixel((100, 150))  # on the left edge: the paragraph colour #0077BB
    assert abs(r - 0x00) < 40 and abs(g - 0x77) < 40 and abs(b - 0xBB) < 40


def test_render_page_bands_lines_known_only_by_height():
    doc = Document(provider="test", format="docnorm", pages=[Page(number=1, height=50.0, unit="line")],
                   blocks=[Block(id="b", page=1, kind="heading", text="x",
                                 lines=[Line(text="x", top=10.0, bottom=12.0)])])
    image = Image.open(io.BytesIO(render_page(doc, 1, width=400)))
    y = round(11 / 50 * image.height)
    assert image.getpixel((image.width // 2, y)) != (255, 255, 255)


def test_render_page_names_a_missing_page():
    with pytest.raises(ValueError, match="no page 9"):
        render_page(_doc(), 9)


def test_render_page_says_what_to_install_without_pillow(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow pypdfium2"):
        render_page(_doc(), 1)


def test_render_cli_finds_the_source_and_writes_a_png_per_page(tmp_path, capsys):
    out = tmp_path / "pages"
    assert main(["render", str(REPORT / "harbor_q3_somark.json"), "-o", str(out), "--numbers"]) == 0
    assert "harbor_q3_2025.pdf" in capsys.readouterr().err
    files = sorted(p.name for p in out.iterdir())
    assert files == ["harbor_q3_somark-p1.png", "harbor_q3_somark-p2.png"]
    assert Image.open(out / files[0]).width == 1200
    assert main(["render", str(REPORT / "harbor_q3_somark.json"), "-o", str(out), "--pages", "2",
                 "--compare", str(REPORT / "harbor_q3_baidu.json"), "--width", "300"]) == 0
    assert Image.open(out / "harbor_q3_somark-p2.png").width == 300 * 2 + 16


@pytest.mark.parametrize("argv, message", [
    (["--pages", "3-1"], "runs backwards"), (["--pages", "x"], "expected page numbers"),
    (["--pages", "7"], "none of these pages"), (["--source", "missing.pdf"], "no such file"),
])
def test_render_cli_usage_errors(tmp_path, capsys, argv, message):
    assert main(["render", str(REPORT / "harbor_q3_somark.json"), "-o", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err


def test_export_html_with_a_source_embeds_every_page_beside_its_content(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["export", str(REPORT / "harbor_q3_baidu.json"), "--to", "html", "--source", str(REPORT_PDF),
                 "-o", str(out)]) == 0
    html = out.read_text()
    assert html.count('<figure class="page-image"><img src="data:image/png;base64,') == 2
    assert 'class="with-images"' in html and "img-src &#39;self&#39; data:" in html
    assert main(["export", str(REPORT / "harbor_q3_baidu.json"), "--to", "md", "--source", str(REPORT_PDF)]) == 2
    assert "--source is for --to html" in capsys.readouterr().err
    assert main(["export", str(REPORT / "harbor_q3_baidu.json"), "--to", "html", "--source",
                 str(REPORT / "harbor_q3_baidu.json")]) == 2


def test_diff_html_with_a_source_embeds_each_page_pair(tmp_path, capsys):
    out = tmp_path / "diff.html"
    assert main(["diff", str(REPORT / "harbor_q3_baidu.json"), str(REPORT / "harbor_q3_somark.json"),
                 "--html", str(out), "--source", str(REPORT_PDF)]) == 0
    html = out.read_text()
    assert html.count('<figure class="page-pair">') == 2 and "img-src data:" in html
    capsys.readouterr()
    assert main(["diff", str(REPORT / "harbor_q3_baidu.json"), str(REPORT / "harbor_q3_somark.json"),
                 "--source", str(REPORT_PDF)]) == 0  # without --html, the source is what both are audited against
    out = capsys.readouterr().out
    assert "grounding          A 1.000 (frame ok)" in out and "B 0.891 (frame ok)" in out
