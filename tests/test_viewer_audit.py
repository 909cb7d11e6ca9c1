"""The grounding audit in the viewer: worked out in the background (a request only looks), kept while the result
file is unchanged, each box marked grounded or not, the missed PDF text and the frame verdict given; a faulty
copy of a real result is caught the way `docnorm audit` catches it; one document's failure is its own."""

from __future__ import annotations

import os
import re
import shutil
import threading

import pytest
from msgspec.structs import replace

from exporters import to_json
from exporters.pages.images import PageImages
from viewer import create_app
from viewer.audits import AuditEntry, Audits, payload
from viewer.routes.audit import MAX_ASKED
from viewer.store import Store

from . import pdfs
from .test_audit import INVENTED, PG9, _doc, flipped

PDF_NAME = PG9[1].name  # the file name the Docling result records: every copy below finds this PDF beside it


def doctored(doc):
    """The first long paragraph's text invented, the last one dropped (its text is then missed)."""
    paragraphs = [n for n, b in enumerate(doc.blocks) if b.kind == "paragraph" and len(b.text) > 80]
    blocks = list(doc.blocks)
    blocks[paragraphs[0]] = replace(blocks[paragraphs[0]], text=INVENTED)
    del blocks[paragraphs[-1]]
    return replace(doc, blocks=blocks), doc.blocks[paragraphs[0]], doc.blocks[paragraphs[-1]]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The real Docling result and its PDF, a y-flipped copy, a doctored copy, one without a source and one
    beside a hostile PDF."""
    root = tmp_path_factory.mktemp("audited")
    shutil.copy(PG9[0], root / "original.json")
    shutil.copy(PG9[1], root / PDF_NAME)
    doc = _doc(PG9[0])
    (root / "flipped.json").write_bytes(to_json(flipped(doc)))
    (root / "doctored.json").write_bytes(to_json(doctored(doc)[0]))
    (root / "orphan.json").write_bytes(to_json(replace(doc, file_name="elsewhere.pdf")))
    (root / "hostile").mkdir()
    (root / "hostile" / "bomb.pdf").write_bytes(pdfs.stream_bomb())
    (root / "hostile" / "bomb.json").write_bytes(to_json(replace(doc, file_name="bomb.pdf")))
    return root


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    images = PageImages(workers=2, timeout=5, cache_dir=str(tmp_path_factory.mktemp("cache")))
    yield images
    images.close()


@pytest.fixture
def app(folder, pool):
    return create_app(str(folder), pages=pool, index_budget=600)


def _done(app, rel: str, index: int = 0) -> dict:
    """The document's audit once known (waiting here, in the test: a request never waits)."""
    assert app.extensions["docnorm"].audits.wait(rel, index, 120) is not None
    return app.test_client().get(f"/api/audit?f={rel}&i={index}").get_json()


def test_a_real_result_is_all_grounded_in_its_own_frame(app):
    got = _done(app, "original.json")
    doc = _doc(PG9[0])
    assert (got["state"], got["frame"], got["score"]) == ("done", "ok", 1.0)
    assert got["source"] == PDF_NAME and got["missed"] == {} and got["blocks"] == {}
    assert set(got["marks"].values()) == {"grounded"} and got["blocks_scored"] == len(got["marks"]) == 10
    assert set(got["marks"]) <= {b.id for b in doc.blocks if b.kind != "figure"}  # the table too, cell by cell
    assert got["pages"]["1"]["frame"] == [612.0, 792.0]


def test_a_flipped_copy_is_named_with_its_repair(app):
    got = _done(app, "flipped.json")
    assert got["frame"] == "y-flipped" and got["score"] < 0.5 and got["score_after"] > 0.95
    assert "y" in got["transform"]


def test_invented_text_is_marked_and_dropped_text_is_drawn_as_missed(app):
    _, invented, dropped = doctored(_doc(PG9[0]))
    got = _done(app, "doctored.json")
    assert got["frame"] == "ok"
    assert got["marks"][invented.id] == "not-grounded"
    assert [k for k, v in got["marks"].items() if v != "grounded"] == [invented.id]
    assert got["blocks"][invented.id]["pdf_text"].split()[:3] == invented.text.split()[:3]  # what is really there
    missed = got["missed"]["1"]
    assert dropped.text.split()[0] in " ".join(line[4] for line in missed)
    x0, y0, x1, y1, _ = missed[0]
    assert dropped.bbox[0] - 5 <= x0 and y1 <= dropped.bbox[3] + 5  # where the dropped block was, in its units


@pytest.mark.parametrize("rel,state,reason", [
    ("orphan.json", "none", "no source document found"),
    ("hostile/bomb.json", "done", None),  # the bomb's page fails in its worker: that page's error, scored nothing
])
def test_what_cannot_be_audited_says_why(app, rel, state, reason):
    got = _done(app, rel)
    assert got["state"] == state
    if reason:
        assert got["reason"] == reason
    else:
        assert got["score"] is None and got["frame"] == "unknown"
        assert got["pages"]["1"]["status"] == "error"


def test_a_very_long_document_is_left_to_the_command_line(folder, pool, monkeypatch):
    monkeypatch.setattr("viewer.audits.MAX_PAGES", 0)
    found = Audits(Store(str(folder)), (), pool).wait("original.json", 0, 60)
    assert found.state == "none" and "docnorm audit does it" in found.reason


def test_an_image_source_has_no_text_layer(pool):
    audits = Audits(Store("samples"), (), pool)
    found = audits.wait("somark/oxr_paper_sync.json", 0, 60)
    assert found.state == "none" and "no text layer" in found.reason


def test_a_request_never_waits_for_the_audit(folder, pool, monkeypatch):
    app = create_app(str(folder), pages=pool, index_budget=600)
    audits = app.extensions["docnorm"].audits
    release, started = threading.Event(), threading.Event()
    real = audits._audit

    def slow(rel, index):
        started.set()
        release.wait(60)
        return real(rel, index)
    monkeypatch.setattr(audits, "_audit", slow)
    client = app.test_client()
    assert client.get("/api/audit?f=original.json&i=0").get_json() == {"state": "pending"}
    assert started.wait(30)  # being audited now, in the background
    assert client.get("/view?f=original.json").status_code == 200  # the view answers meanwhile
    assert client.get("/api/audit?f=original.json&i=0").get_json() == {"state": "pending"}
    release.set()
    assert audits.wait("original.json", 0, 60).frame == "ok"


def test_an_audit_is_kept_while_its_file_is_unchanged(tmp_path, folder, pool, monkeypatch):
    for name in ("original.json", PDF_NAME):
        shutil.copy(folder / name, tmp_path / name)
    audits = Audits(Store(str(tmp_path)), (), pool)
    calls = []
    real = audits._audit
    monkeypatch.setattr(audits, "_audit", lambda rel, index: calls.append(rel) or real(rel, index))
    assert audits.wait("original.json", 0, 60).score == 1.0
    assert audits.entry("original.json", 0).score == 1.0 and calls == ["original.json"]
    (tmp_path / "original.json").write_bytes(to_json(flipped(_doc(PG9[0]))))
    os.utime(tmp_path / "original.json", ns=(1, 1))  # another size and mtime: read again
    assert audits.entry("original.json", 0) is None
    assert audits.wait("original.json", 0, 60).frame == "y-flipped" and len(calls) == 2


def test_whatever_one_document_raises_is_its_own_failure(folder, pool, monkeypatch):
    audits = Audits(Store(str(folder)), (), pool)
    real = audits._audit

    def explode(rel, index):
        if rel == "flipped.json":
            raise RecursionError("maximum recursion depth exceeded")
        return real(rel, index)
    monkeypatch.setattr(audits, "_audit", explode)
    assert audits.entry("flipped.json", 0) is None and audits.entry("original.json", 0) is None
    failed = audits.wait("flipped.json", 0, 60)
    assert failed.state == "failed" and "RecursionError" in failed.reason
    assert audits.wait("original.json", 0, 60).frame == "ok"


def test_full_reports_are_kept_for_the_last_documents_only(folder, pool):
    audits = Audits(Store(str(folder)), (), pool, reports=1)
    assert audits.wait("original.json", 0, 60).report is not None
    assert audits.wait("flipped.json", 0, 60).report is not None
    kept = audits.entry("original.json", 0)
    assert kept.report is None and kept.score == 1.0  # the score stays for the index
    assert audits.entry("original.json", 0, full=True) is None  # the view asks again: audited again
    assert audits.wait("original.json", 0, 60).report is not None


def test_the_queue_is_bounded_and_the_viewed_document_goes_first(folder, pool):
    audits = Audits(Store(str(folder)), (), pool, queued=2)
    audits._thread = threading.current_thread()  # a worker that looks alive: nothing is taken off the queue here
    for rel in ("original.json", "flipped.json", "doctored.json"):
        audits.entry(rel, 0)
    assert list(audits._waiting) == [("original.json", 0), ("flipped.json", 0)]  # full: the third asks again later
    audits.entry("orphan.json", 0, first=True)
    assert list(audits._waiting) == [("orphan.json", 0), ("original.json", 0)]


def test_the_index_asks_for_scores_row_by_row(app):
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert html.count('class="audit-score" data-doc=') == 5 and ">Audit</th>" in html
    asked = ["original.json|0", "../outside.json|0", "original.json|x", "missing.json|0"]
    got = client.get("/api/audit/scores", query_string=[("d", d) for d in asked]).get_json()
    assert set(got) == set(asked)
    assert got["../outside.json|0"] == {"state": "failed", "reason": "'..' is not allowed"}
    assert got["original.json|x"]["state"] == "failed" and got["missing.json|0"]["state"] == "failed"
    assert got["original.json|0"]["state"] in ("pending", "done")
    _done(app, "original.json")
    got = client.get("/api/audit/scores?d=original.json|0").get_json()["original.json|0"]
    assert got == {"state": "done", "source": PDF_NAME, "score": 1.0, "frame": "ok"}  # the index's row: no report
    many = client.get("/api/audit/scores", query_string=[("d", f"original.json|{k}") for k in range(MAX_ASKED + 50)])
    assert len(many.get_json()) == MAX_ASKED


def test_a_document_view_with_a_source_offers_the_audit_and_one_without_does_not(app):
    client = app.test_client()
    assert 'id="audit-toggle"' in client.get("/view?f=original.json").get_data(as_text=True)
    assert 'id="audit-toggle"' not in client.get("/view?f=orphan.json").get_data(as_text=True)
    assert client.get("/api/audit?f=../etc/passwd&i=0").status_code == 404


def test_the_payload_is_what_the_pages_read():
    assert payload(None) == {"state": "pending"}
    assert payload(AuditEntry("failed", "boom")) == {"state": "failed", "reason": "boom"}
    assert payload(AuditEntry("done", "", "a.pdf", 0.5, "ok")) == {"state": "done", "source": "a.pdf", "score": 0.5,
                                                                   "frame": "ok"}


EVALUATE = "/evaluate?t=original.json&p=flipped.json&p=doctored.json"


def test_the_evaluate_page_shows_each_sets_grounding_once_audited_never_waiting(folder, pool, monkeypatch):
    """The Evaluate page puts the grounding beside the scores as `docnorm eval` does, from the background audits:
    while they run it says so, and once they are done each set shows its document's score (here the flipped copy
    low, the doctored one less than whole), in the page and in the report downloaded from it."""
    app = create_app(str(folder), pages=pool, index_budget=600)
    audits = app.extensions["docnorm"].audits
    release = threading.Event()
    real = audits._audit
    monkeypatch.setattr(audits, "_audit", lambda rel, index: release.wait(60) and real(rel, index))
    client = app.test_client()
    pending = client.get(EVALUATE).data.decode()
    assert "flipped.json: grounding audited on 0 of 1 document(s) against the PDF beside them; 1 still being " \
           "audited (reload to see them)" in pending
    assert ">grounding<" not in pending  # no column until a score is known
    release.set()
    scores = {rel: audits.wait(rel, 0, 120).score for rel in ("flipped.json", "doctored.json")}
    assert scores["flipped.json"] < 0.5 < scores["doctored.json"] < 1
    for url in (EVALUATE, EVALUATE.replace("/evaluate?", "/evaluate/report.html?")):
        html = client.get(url).data.decode()
        assert ">grounding<" in html and "still being audited" not in html
        for name, score in scores.items():
            row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(name)}(?:(?!</tr>).)*</tr>", html, re.S)[0]
            assert f">{score:.4f}<" in row, (name, score, row)


def test_the_evaluate_page_audits_nothing_where_no_pdf_is_found(folder, pool):
    """A set whose result records a PDF that is not there gets no grounding, and no note pretending otherwise."""
    app = create_app(str(folder), pages=pool, index_budget=600)
    assert app.extensions["docnorm"].audits.wait("orphan.json", 0, 60).state == "none"
    html = app.test_client().get("/evaluate?t=original.json&p=orphan.json").data.decode()
    assert ">grounding<" not in html and "grounding audited" not in html
