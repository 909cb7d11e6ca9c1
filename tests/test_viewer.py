"""The Flask viewer through its test client: every route, bad paths, broken files, caching, headers."""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import pytest

from viewer import create_app
from exporters.formats import EXPORTS
from viewer.store import Refused, Store
from normalizer.schema import Block, Document, Page

from .conftest import SAMPLES

REPORT = "llamacloud/annual_report_v2.json"


@pytest.fixture
def served(tmp_path):
    """A copy of the samples plus a broken file, a symlink leading out and a file outside the root."""
    root = tmp_path / "root"
    shutil.copytree(SAMPLES, root)
    (root / "broken").mkdir()
    (root / "broken" / "truncated.json").write_text('{"job": {"id": "x", "status": "COMPLETED"}, "items": {"pag')
    (root / "broken" / "unknown_shape.json").write_text('{"hello": "world"}')
    (root / "ragflow" / "page_past_the_end.json").write_text('{"code": 0, "data": {"docs": [], "total": 5}}')
    (tmp_path / "secret.json").write_text('{"job": {"id": "secret", "status": "COMPLETED"}}')
    os.symlink(tmp_path / "secret.json", root / "leak.json")
    os.symlink(tmp_path, root / "outside_dir")
    return root


@pytest.fixture
def client(served):
    # every row in the first answer, however loaded the machine (the budget itself: test_viewer_bounds.py)
    return create_app(str(served), index_budget=600).test_client()


def snapshot(root):
    return sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if not p.is_symlink())


def test_security_headers_on_every_response(client):
    for url in ("/", f"/view?f={REPORT}", "/view?f=../x.json", "/static/viewer.js", "/nope"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"  # no <style> from anywhere but our file
        # only style *attributes* (KaTeX sizes its output with them; provider text is always escaped)
        assert [d for d, v in directives.items() if "unsafe" in v] == ["style-src-attr"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_index_lists_every_file_and_broken_ones_with_their_error(client, served):
    html = client.get("/").get_data(as_text=True)
    for rel in ("llamacloud/annual_report_v2.json", "whisperer/lease.layout_preserving.txt", "baidu/task_success.json"):
        assert f'data-file="{rel}"' in html
    assert "broken/truncated.json" in html and "could not read: $: expected JSON, found malformed" in html
    assert "broken/unknown_shape.json" in html and "expected a known provider format" in html
    assert "leak.json" not in html and "secret" not in html and "outside_dir" not in html
    # one row per document: the RAGFlow list of five documents gives five rows, an empty list one that says so
    assert html.count('data-file="ragflow/documents_http.json"') == 5
    assert re.search(r'<tr class="empty" data-file="ragflow/page_past_the_end.json">.*holds no documents', html)


def test_index_filters_by_provider_and_status(client):
    html = client.get("/?provider=baidu&status=failed").get_data(as_text=True)
    rows = re.findall(r'<tr data-file="([^"]+)" data-provider="([^"]+)" data-status="([^"]+)"', html)
    assert rows and all(p == "baidu" and s == "failed" for _, p, s in rows)
    assert {f for f, _, _ in rows} == {"baidu/task_error_code.json", "baidu/task_failed_error_object.json"}
    assert "broken/truncated.json" not in html and "page_past_the_end.json" not in html


def test_document_view_shows_job_warnings_failed_pages_and_the_first_slice(client):
    html = client.get("/view?f=llamacloud/failed_page_v2.json").get_data(as_text=True)
    assert "This page failed" in html and "failed page(s)" in html
    html = client.get("/view?f=baidu/matrix_repairs_result.json").get_data(as_text=True)
    assert "warning(s)</summary>" in html and "matrix[2]" in html
    html = client.get(f"/view?f={REPORT}").get_data(as_text=True)
    assert '<svg class="page-svg" viewBox="0 0 612.00 792.00"' in html
    assert re.search(r'<rect class="box k-heading" data-block="p1-b1"', html)
    assert 'data-block="p1-b1" data-kind="heading"' in html  # the rendered block beside it
    assert 'class="legend-item"><input type="checkbox" checked data-kind="table">' in html
    for name in EXPORTS:
        assert f"/export/{name}?f=" in html


def test_pending_job_view_says_there_are_no_pages(client):
    html = client.get("/view?f=llamacloud/pending_job_v2.json").get_data(as_text=True)
    assert "No pages: this response carries the job status only." in html


def test_whisperer_lines_are_full_width_bands(client):
    html = client.get("/view?f=whisperer/lease_retrieve.json").get_data(as_text=True)
    band = re.search(r'<rect class="band k-paragraph" data-block="p1-b0" x="0.00" y="186.00" width="([\d.]+)"', html)
    assert band and float(band.group(1)) == pytest.approx(3300 * 8.5 / 11, abs=0.01)
    assert "size inferred" in html


def test_slices_of_a_long_document(client, served, tmp_path):
    import sys
    sys.path.insert(0, str(SAMPLES.parent / "benchmarks"))
    import generate
    (served / "big.json").write_bytes(generate.llamacloud_v2(35))
    first = client.get("/view?f=big.json").get_data(as_text=True)
    assert first.count('<section class="page') == 10 and 'data-next="10"' in first
    third = client.get("/api/slice?f=big.json&start=20")
    assert third.headers["X-Slice-Start"] == "20" and third.get_data(as_text=True).count('id="page-') == 10
    last = client.get("/api/slice?f=big.json&page=33")
    assert last.headers["X-Slice-Start"] == "30" and 'id="page-35"' in last.get_data(as_text=True)
    assert "data-next" not in last.get_data(as_text=True)
    assert 'id="page-21"' in client.get("/view?f=big.json&page=24").get_data(as_text=True)


def test_search_and_block_inspector(client):
    hits = client.get(f"/api/search?f={REPORT}&q=REVENUE").get_json()["hits"]
    assert hits and all("revenue" in h["snippet"].lower() for h in hits) and hits[0]["page"] == 1
    assert client.get(f"/api/search?f={REPORT}&q=").get_json()["hits"] == []
    block = client.get(f"/api/block?f={REPORT}&id=p1-b1").get_json()
    assert block["id"] == "p1-b1" and block["kind"] == "heading" and "extra" in block
    assert client.get(f"/api/block?f={REPORT}&id=nope").status_code == 404


@pytest.mark.parametrize("url", ["/view?f=llamacloud/hostile_payloads_v2.json", "/",
                                 "/api/slice?f=llamacloud/hostile_payloads_v2.json&start=0"])
def test_hostile_strings_are_escaped_in_every_page(client, url):
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "javascript:" not in html.replace("javascript:alert(&#39;", "")
    if "hostile" in url:
        assert "&lt;script&gt;alert(&#39;page error&#39;)&lt;/script&gt;" in html


def test_inspector_json_escapes_markup(client):
    raw = client.get("/api/block?f=llamacloud/hostile_payloads_v2.json&id=p1-b0").get_data()
    assert b"<" not in raw and b">" not in raw and b"\\u003cscript\\u003e" in raw


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_export_downloads(client, name):
    response = client.get(f"/export/{name}?f={REPORT}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment;")
    if name.startswith("tables-"):  # one file per table, in a zip
        import io
        import zipfile
        assert response.mimetype == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
        assert names == [f"annual_report_v2-{n}{EXPORTS[name][0]}" for n in range(1, len(names) + 1)] and names
    else:
        assert response.get_data() and response.mimetype == EXPORTS[name][1]


def test_second_document_of_a_file_and_its_export_name(client):
    html = client.get("/view?f=ragflow/documents_http.json&i=1").get_data(as_text=True)
    assert "vendor_invoice_2025-09.pdf" in html and "Fail to bind LLM" in html
    response = client.get("/export/json?f=ragflow/documents_http.json&i=1")
    assert 'filename="documents_http-1.json"' in response.headers["Content-Disposition"]


@pytest.mark.parametrize("url", [
    "/view?f=../secret.json", "/view?f=/etc/passwd", "/view?f=leak.json", "/view?f=outside_dir/secret.json",
    "/view?f=llamacloud/../../secret.json", "/view?f=", "/view", "/view?f=llamacloud", "/view?f=nope.json",
    "/view?f=%00.json", "/view?f=C:/x.json", f"/view?f={REPORT}&i=7", f"/view?f={REPORT}&i=-1",
    "/view?f=broken/truncated.json", "/api/slice?f=../secret.json", f"/api/slice?f={REPORT}&start=x",
    "/api/block?f=../secret.json&id=p1-b0", "/api/search?f=leak.json&q=a", "/export/md?f=../secret.json",
    f"/export/exe?f={REPORT}", "/static/../app.py",
])
def test_bad_paths_are_refused(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"secret" not in response.get_data()


def test_broken_file_view_shows_the_error(client):
    html = client.get("/view?f=broken/truncated.json").get_data(as_text=True)
    assert "expected JSON, found malformed input" in html


def test_documents_are_cached_by_size_and_mtime(served):
    store = Store(str(served))
    first = store.load(REPORT)
    assert store.load(REPORT) is first
    path = served / REPORT
    data = path.read_bytes().replace(b"Nordwind", b"Nordwand")
    path.write_bytes(data)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    again = store.load(REPORT)
    assert again is not first and "Nordwand" in again.docs[0].file_name + str(again.docs[0].blocks[0].text)


def test_browsing_never_writes_under_the_root(client, served):
    before = snapshot(served)
    for url in ("/", f"/view?f={REPORT}", f"/export/html?f={REPORT}", f"/api/search?f={REPORT}&q=a",
                "/view?f=broken/truncated.json"):
        client.get(url)
    assert snapshot(served) == before


def test_store_refuses_directly():
    store = Store(str(SAMPLES))
    with pytest.raises(Refused):
        store.resolve("../README.md")
    assert store.resolve(REPORT).endswith("annual_report_v2.json")


def test_create_app_needs_a_folder(tmp_path):
    with pytest.raises(ValueError):
        create_app(str(tmp_path / "missing"))


COMPARE = "/compare?pick=same_report/harbor_q3_llamacloud_v2.json|0&pick=same_report/harbor_q3_somark.json|0"


def test_index_offers_comparison(client):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/compare"' in html and 'name="pick" value="same_report/harbor_q3_somark.json|0"' in html


def test_compare_view_colours_boxes_and_links_partners(client):
    html = client.get(COMPARE).get_data(as_text=True)
    assert re.search(r'<rect class="box k-\w+ changed" data-block="p1-b1" data-partner="p1-b1 p1-b2"', html)  # split
    assert re.search(r'<rect class="box k-\w+ same" data-block="p1-b2" data-partner="p1-b3"', html)
    assert 'id="side-a"' in html and 'id="side-b"' in html
    assert "<del>3</del><ins>8</ins>" in html  # the misread table cell, marked in the text diff
    # and in the table's own panel: its TEDS and the one cell that differs, counted from 1
    panel = re.search(r'<div class="tablediff">(.*?)</div>', html, re.S).group(1)
    assert "table TEDS <strong>0.982</strong> · 1 difference(s)" in panel
    assert '<tr class="cell-replace"><td>row 5 col 3</td><td><del>431</del></td><td><ins>481</ins></td></tr>' in panel


HARBOR = "same_report/harbor_q3_llamacloud_v2.json"


def test_a_figure_shows_the_image_found_beside_its_result_file(client):
    html = client.get(f"/view?f={HARBOR}").get_data(as_text=True)
    assert '<img src="/asset/same_report/page_2_image_1.png" alt="Figure 1: Monthly TEU, 2024–2025">' in html
    image = client.get("/asset/same_report/page_2_image_1.png")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert image.headers["X-Content-Type-Options"] == "nosniff"


def _with_figure(served, name, url):
    raw = json.loads((served / HARBOR).read_text())
    raw["items"]["pages"][1]["items"][2]["url"] = url
    (served / "same_report" / name).write_text(json.dumps(raw))
    return f"/view?f=same_report/{name}"


@pytest.mark.parametrize("url", ["missing.png", "https://tracker.example/pixel.png", "//tracker.example/p.png",
                                 "/etc/passwd.png", "../secret.png", "../../secret.png", "javascript:alert(1)",
                                 "harbor_q3_somark.json", "data:image/svg+xml,<svg onload=alert(1)>"])
def test_a_figure_image_that_is_missing_remote_or_outside_is_not_requested(client, served, url):
    (served.parent / "secret.png").write_bytes((served / "same_report" / "page_2_image_1.png").read_bytes())
    html = client.get(_with_figure(served, "fig.json", url)).get_data(as_text=True)
    assert "Figure 1: Monthly TEU" in html and "<img" not in html


@pytest.mark.parametrize("url", ["/asset/../secret.png", "/asset/same_report/harbor_q3_somark.json",
                                 "/asset/same_report/nope.png", "/asset/leak.png", "/asset/%2e%2e/secret.png"])
def test_the_image_route_serves_only_images_inside_the_folder(client, served, url):
    (served.parent / "secret.png").write_bytes(b"\x89PNG secret")
    os.symlink(served.parent / "secret.png", served / "leak.png")
    assert client.get(url).status_code == 404


def test_compare_view_lists_a_merged_table_row_and_escapes_cell_text(client, served):
    from exporters import to_json
    from normalizer.schema import Block, Cell, Document, Page, Table

    def doc(rows):  # ragged rows padded: canonical JSON must cover its grid
        width = max(map(len, rows))
        table = Table(n_rows=len(rows), n_cols=width, cells=[
            Cell(row=r, col=c, text=row[c] if c < len(row) else "") for r, row in enumerate(rows) for c in range(width)])
        return Document(provider="t", format="docnorm", pages=[Page(number=1, width=100, height=100)],
                        blocks=[Block(id="t1", page=1, kind="table", text="", table=table, bbox=[5, 5, 95, 50])])
    (served / "merge").mkdir()
    (served / "merge" / "a.json").write_bytes(to_json(doc([["Item", "Qty"], ["Bolts", "12"], ["<b>M8</b>", ""]])))
    (served / "merge" / "b.json").write_bytes(to_json(doc([["Item", "Qty"], ["Bolts", "12", "<b>M8</b>x", ""]])))
    html = client.get("/compare?a=merge/a.json&b=merge/b.json").get_data(as_text=True)
    assert "<td>rows 2-3 of A are row 2 of B</td>" in html
    assert "<del>&lt;b&gt;M8&lt;/b&gt;</del>" in html and "<b>M8" not in html


def test_compare_by_parameters_and_the_report(client):
    html = client.get("/compare?a=same_report/harbor_q3_llamacloud_v2.json&b=same_report/harbor_q3_baidu.json")
    assert html.status_code == 200 and re.search(r'class="box k-\w+ only"', html.get_data(as_text=True))
    report = client.get("/compare/report?a=same_report/harbor_q3_llamacloud_v2.json&b=same_report/harbor_q3_baidu.json")
    assert report.headers["Content-Disposition"] == 'attachment; filename="diff.html"'
    assert b'<svg class="chart"' in report.get_data()


@pytest.mark.parametrize("url", ["/compare?pick=x", "/compare?pick=a|0&pick=b|0&pick=c|0",
                                 "/compare?a=../secret.json&b=llamacloud/annual_report_v2.json",
                                 "/compare?a=broken/truncated.json&b=llamacloud/annual_report_v2.json",
                                 "/compare?a=llamacloud/annual_report_v2.json&ai=x&b=llamacloud/annual_report_v2.json"])
def test_compare_refuses_bad_picks(client, url):
    assert client.get(url).status_code == 404


def test_both_views_draw_pages_from_one_template_with_bands_and_order(client):
    """The document and the compare view share page_svg.html.j2: the compare view keeps LLMWhisperer's bands."""
    doc_view = client.get("/view?f=whisperer/lease_retrieve.json").get_data(as_text=True)
    compare = client.get("/compare?a=whisperer/lease_retrieve.json&b=whisperer/lease.layout_preserving.txt"
                         ).get_data(as_text=True)
    assert 'class="band k-paragraph"' in doc_view and re.search(r'class="band k-paragraph (same|changed|only)"', compare)
    assert doc_view.count('<text class="order') > 0 and compare.count('<text class="order') > 0


def test_compare_folders_pairs_documents_and_opens_each_pair(tmp_path):
    root = tmp_path / "served"
    (root / "llama").mkdir(parents=True)
    (root / "somark").mkdir()
    shutil.copy(SAMPLES / "same_report" / "harbor_q3_llamacloud_v2.json", root / "llama" / "job-1.json")
    shutil.copy(SAMPLES / "llamacloud" / "annual_report_v2.json", root / "llama" / "annual.json")
    shutil.copy(SAMPLES / "same_report" / "harbor_q3_somark.json", root / "somark" / "result-9.json")
    client = create_app(str(root)).test_client()
    form = client.get("/folders").get_data(as_text=True)
    assert '<option value="llama">' in form and '<option value="somark">' in form
    html = client.get("/folders?a=llama&b=somark").get_data(as_text=True)
    assert "harbor_q3_2025" in html and "llama/annual.json (nordwind_annual_report_2025)" in html
    link = re.search(r'<a class="open" href="([^"]+)">harbor_q3_2025</a>', html).group(1)
    compare = client.get(link.replace("&amp;", "&"))
    assert compare.status_code == 200 and 'id="side-b"' in compare.get_data(as_text=True)
    assert client.get("/folders?a=llama&b=../etc").status_code == 404


def test_a_long_pair_shows_its_first_slice_before_the_whole_is_scored(tmp_path):
    """Two long results with the same pages: the compare view pairs the pages it shows (page by page that is
    the whole document's pairing) and leaves the whole documents' scores to /api/compare/summary."""
    import sys
    import orjson
    sys.path.insert(0, str(SAMPLES.parent / "benchmarks"))
    import generate
    from exporters.diff import diff
    from normalizer import normalize
    (tmp_path / "a.json").write_bytes(generate.llamacloud_v2(30))
    raw = orjson.loads(generate.llamacloud_v2(30))
    for page in raw["items"]["pages"]:
        for item in page["items"]:
            if item.get("type") == "text":
                item["value"] = item["value"].replace("revenue", "turnover", 1)
    (tmp_path / "b.json").write_bytes(orjson.dumps(raw))
    client = create_app(str(tmp_path)).test_client()
    first = client.get("/compare?a=a.json&b=b.json&start=10").get_data(as_text=True)
    assert "data-summary=" in first and "Scoring the whole documents" in first
    assert 'id="page-11"' not in first and "A · page 11" in first and "A · page 21" not in first
    full = diff(normalize((tmp_path / "a.json").read_bytes()), normalize((tmp_path / "b.json").read_bytes()))
    changed = {p.a[0] for p in full.pairs if p.status == "changed" and 11 <= p.page_a <= 20}
    shown = set(re.findall(r'class="dblock st-changed" data-block="([^"]+)"', first))
    assert shown == changed  # the slice's pairing is the whole document's
    summary = client.get("/api/compare/summary?a=a.json&b=b.json").get_json()
    assert summary["content"] == pytest.approx(full.scores.content) and summary["rows"][0][:2] == ["content", "content"]
    assert "data-summary=" not in client.get("/compare?a=a.json&b=b.json").get_data(as_text=True)  # now known


def test_the_index_pages_sorts_and_filters_on_the_server(tmp_path, monkeypatch):
    import viewer.layout
    monkeypatch.setattr(viewer.layout, "INDEX_PAGE", 4)
    for n in range(10):
        (tmp_path / f"r{n:02d}.json").write_bytes((SAMPLES / "somark" / "bare_outputs.json").read_bytes())
    (tmp_path / "report.json").write_bytes((SAMPLES / "same_report" / "harbor_q3_baidu.json").read_bytes())
    client = create_app(str(tmp_path), index_budget=600).test_client()  # every row in the first answer
    first = client.get("/").get_data(as_text=True)
    assert re.findall(r'<tr data-file="([^"]+)"', first) == ["r00.json", "r01.json", "r02.json", "r03.json"]
    assert "11 of 11 document(s) · page 1 of 3" in first and 'class="next-page" href="/?page=2"' in first
    last = client.get("/?page=3").get_data(as_text=True)
    assert re.findall(r'<tr data-file="([^"]+)"', last) == ["r08.json", "r09.json", "report.json"]
    by_blocks = client.get("/?sort=blocks&dir=desc").get_data(as_text=True)
    assert re.findall(r'<tr data-file="([^"]+)"', by_blocks)[0] == "report.json"
    assert 'href="/?sort=blocks"' in by_blocks  # the header flips the direction
    found = client.get("/?q=baidu+harbor").get_data(as_text=True)
    assert re.findall(r'<tr data-file="([^"]+)"', found) == ["report.json"] and "1 of 11 document(s)" in found
    assert client.get("/?page=x").status_code == 404
    assert client.get("/?page=99").status_code == 200  # past the end: the last page


def test_the_index_shows_what_it_knows_while_a_large_folder_is_read(tmp_path, monkeypatch):
    for n in range(30):
        (tmp_path / f"r{n:02d}.json").write_bytes((SAMPLES / "somark" / "bare_outputs.json").read_bytes())
    app = create_app(str(tmp_path))
    store = app.extensions["docnorm"].store
    real = store.summaries
    monkeypatch.setattr(store, "summaries", lambda files: real(files, budget=0.0))
    slow = store._summarize

    def slowly(rel):
        time.sleep(0.01)
        return slow(rel)
    monkeypatch.setattr(store, "_summarize", slowly)
    first = app.test_client().get("/").get_data(as_text=True)
    assert "Reading the folder" in first and 'http-equiv="refresh"' in first
    while store.scanning:
        time.sleep(0.02)
    done = app.test_client().get("/").get_data(as_text=True)
    assert "Reading the folder" not in done and len(re.findall(r'<tr data-file=', done)) == 30
    # a changed file is summarized again
    (tmp_path / "r00.json").write_bytes((SAMPLES / "same_report" / "harbor_q3_baidu.json").read_bytes())
    os.utime(tmp_path / "r00.json", ns=(1, 1))
    monkeypatch.setattr(store, "summaries", real)
    assert 'data-provider="baidu"' in app.test_client().get("/").get_data(as_text=True)


def test_slices_and_searches_reuse_the_documents_index(client, monkeypatch):
    import viewer.layout
    calls = []
    real = viewer.layout.page_blocks
    monkeypatch.setattr(viewer.layout, "page_blocks", lambda doc: calls.append(1) or real(doc))
    for start in (0, 0, 0):
        assert client.get(f"/api/slice?f={REPORT}&start={start}").status_code == 200
    client.get(f"/view?f={REPORT}")
    assert len(calls) == 1


def test_search_finds_text_whose_lowercase_is_longer():
    from viewer.layout import search
    doc = Document(provider="t", format="docnorm", pages=[Page(number=1)],
                   blocks=[Block(id="a", page=1, kind="paragraph", text="İstanbul office"),
                           Block(id="b", page=1, kind="paragraph", text="the Office in Ankara"),
                           Block(id="c", page=1, kind="paragraph", text="office office office")])
    result = search(doc, "OFFICE")
    assert result["total"] == 3 and [h["block"] for h in result["hits"]] == ["a", "b", "c"]
    assert result["hits"][1]["snippet"] == "the Office in Ankara"
    assert search(doc, "ice\x00the")["total"] == 0  # never across two blocks
