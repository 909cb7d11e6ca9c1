"""Every viewer request ends in bounded time whatever the folder holds: a huge result is read by the background
scan, not the request; a request for a page image waits a bounded time for a renderer; a huge source document is
identified without being read whole."""

from __future__ import annotations

import os
import shutil

from exporters.content_hash import FULL_HASH_LIMIT, file_hash, source_identity
from exporters.pages.images import Busy, PageImages
from viewer import create_app
from viewer.store import Store

from .conftest import SAMPLES


def test_a_file_past_the_byte_budget_is_left_to_the_background_scan(tmp_path):
    small, big = SAMPLES / "somark" / "status_queuing.json", SAMPLES / "baidu" / "annual_report_result.json"
    shutil.copy(small, tmp_path / "a_small.json")
    shutil.copy(big, tmp_path / "b_big.json")
    shutil.copy(small, tmp_path / "c_small.json")
    store = Store(str(tmp_path))
    budget = small.stat().st_size * 2 + 1  # both small files fit, the big one does not
    assert big.stat().st_size > budget
    known, pending = store.summaries(store.files(), budget=60.0, budget_bytes=budget)
    assert sorted(known) == ["a_small.json", "c_small.json"] and pending == 1
    store._scanning.join(60)
    known, pending = store.summaries(store.files(), budget=60.0, budget_bytes=budget)
    assert sorted(known) == ["a_small.json", "b_big.json", "c_small.json"] and pending == 0


def test_a_page_image_request_gives_up_when_every_renderer_stays_busy(tmp_path):
    pool = PageImages(workers=1, wait=0.01, cache_dir=str(tmp_path / "cache"))
    taken = pool._idle.get()  # another request holds the only renderer
    try:
        try:
            pool.page(str(SAMPLES / "same_report" / "harbor_q3_2025.pdf"), 0)
        except Busy as exc:
            assert "every page renderer is busy" in str(exc)
        else:
            raise AssertionError("expected Busy")
    finally:
        pool._idle.put(taken)
        pool.close()


def test_the_viewer_answers_503_with_retry_after_when_the_renderers_are_busy(tmp_path):
    folder = tmp_path / "served"
    shutil.copytree(SAMPLES / "same_report", folder)
    pool = PageImages(workers=1, wait=0.01, cache_dir=str(tmp_path / "cache"))
    taken = pool._idle.get()
    try:
        client = create_app(str(folder), pages=pool).test_client()
        response = client.get("/page-image?f=harbor_q3_llamacloud_v2.json&p=1")
        assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    finally:
        pool._idle.put(taken)
        pool.close()


def test_a_huge_source_is_identified_by_samples_and_still_changes_with_it(tmp_path):
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(FULL_HASH_LIMIT * 3)
    first = source_identity(str(path))
    assert first == source_identity(str(path))
    with open(path, "r+b") as fh:
        fh.seek(FULL_HASH_LIMIT * 3 // 2)
        fh.write(b"changed")
    assert source_identity(str(path)) != first
    small = tmp_path / "small.pdf"
    small.write_bytes(b"%PDF-1.4 small")
    assert source_identity(str(small)) == file_hash(str(small))  # a normal source keeps its content hash
    assert os.path.getsize(path) > FULL_HASH_LIMIT


def test_a_page_number_past_64_bits_is_served_as_json(tmp_path):
    """The canonical model takes any page number >= 1: the viewer's JSON answers must carry it too."""
    from normalizer.schema import Block, Document, Page, encode
    big = 2**64 + 3
    doc = Document(provider="t", format="docnorm", pages=[Page(number=big)],
                   blocks=[Block(id="b1", page=big, kind="paragraph", text="far away")])
    (tmp_path / "far.json").write_bytes(encode(doc))
    client = create_app(str(tmp_path)).test_client()
    answer = client.get("/api/block?f=far.json&id=b1")
    assert answer.status_code == 200 and answer.get_json()["page"] == big
    assert client.get("/api/search?f=far.json&q=far").status_code == 200
