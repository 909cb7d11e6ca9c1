"""Review mode without a browser: every edit and its undo, malformed edits, the truth file (canonical, atomic,
confined to the truth folder), the CSRF check, the read-only viewer, concurrent saves, the scores, eval's pairing."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import re
import shutil
import threading

import msgspec
import pytest

from exporters import to_json
from normalizer import load, normalize
from normalizer.schema import Document
from viewer import create_app
from viewer.review import edit_types as E
from viewer.review import history
from viewer.review.truths import Truths

from .conftest import SAMPLES

SOMARK = "same_report/harbor_q3_somark.json"
LLAMA = "same_report/harbor_q3_llamacloud_v2.json"


def snapshot(root):
    return sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*") if not p.is_symlink())


@pytest.fixture
def folders(tmp_path):
    root, truth = tmp_path / "served", tmp_path / "truth"
    root.mkdir()
    truth.mkdir()
    shutil.copytree(SAMPLES / "same_report", root / "same_report")
    shutil.copytree(SAMPLES / "docling", root / "docling")
    return root, truth


@pytest.fixture(scope="module")
def renderer():
    """One page renderer for the module's viewers (each app would start its own workers)."""
    from exporters.pages.images import PageImages
    return PageImages(workers=1, timeout=60)


@pytest.fixture
def app(folders, renderer):
    root, truth = folders
    return create_app(str(root), truth=str(truth), index_budget=600, pages=renderer)


class Tab:
    """One browser tab on the review page: its token, the truth's version it last saw."""

    def __init__(self, app, rel=SOMARK):
        self.client = app.test_client()
        self.rel = rel
        page = self.client.get(f"/review?f={rel}").get_data(as_text=True)
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        self.etag = ""
        self.last = None

    def post(self, path, **body):
        response = self.client.post(path, json={"f": self.rel, "i": 0, "base": self.etag, **body},
                                    headers={"X-CSRF-Token": self.token})
        self.last = response.get_json()
        if response.status_code == 200:
            self.etag = self.last["etag"]
        return response

    def start(self):
        assert self.post("/review/api/start").status_code == 200
        return self.last

    def edit(self, **change):
        return self.post("/review/api/edit", edit=change)

    def reload(self):
        self.last = self.client.get(f"/review/api/truth?f={self.rel}&i=0").get_json()
        self.etag = self.last["etag"]


def truth_doc(truth_dir, stem="harbor_q3_2025") -> Document:
    return load(str(truth_dir / f"{stem}.truth.json"))[0]


# --- the edits, one by one, each undone and redone ------------------------------------------------------

def _started() -> Document:
    result = load(str(SAMPLES / LLAMA))[0]
    return history.start(result, history.Started(LLAMA, 0, "digest"), "t0")


EDITS = [
    (E.SetText(block="p1-b1", text="Container throughput rose 4.2 %."),
     lambda d: d.blocks[1].text == "Container throughput rose 4.2 %."),
    (E.SetKind(block="p1-b6", kind="page_number"), lambda d: d.blocks[6].kind == "page_number"),
    (E.SetKind(block="p1-b5", kind="table"), lambda d: d.blocks[5].table.cells[0].text.startswith("East terminal")),
    (E.SetKind(block="p1-b2", kind="paragraph"), lambda d: d.blocks[2].kind == "paragraph" and d.blocks[2].level is None),
    (E.SetLevel(block="p1-b2", level=3), lambda d: d.blocks[2].level == 3),
    (E.SetBox(block="p1-b1", bbox=[60.0, 100.0, 540.0, 170.0]), lambda d: d.blocks[1].bbox == [60.0, 100.0, 540.0, 170.0]),
    (E.AddBlock(page=1, kind="header", text="Harbor Logistics", bbox=[61.2, 15.6, 244.8, 31.2], at=0),
     lambda d: d.blocks[0].kind == "header" and d.blocks[0].id == "p1-n1"),
    (E.AddBlock(page=2, text="a note"), lambda d: d.blocks[13].text == "a note" and d.blocks[13].page == 2),
    (E.DeleteBlock(block="p2-b3"), lambda d: "p2-b3" not in {b.id for b in d.blocks} and d.blocks[9].captions == []),
    (E.SplitBlock(block="p1-b1", at=51), lambda d: d.blocks[1].text.endswith("TEU") and d.blocks[2].id == "p1-n1"
     and d.blocks[2].bbox[1] == d.blocks[1].bbox[3]),
    (E.MergeBlocks(block="p2-b2", next="p2-b3"), lambda d: d.blocks[9].text.count("Figure 1") == 2
     and d.blocks[9].captions == []),
    (E.MoveBlock(block="p1-b3", to=4), lambda d: [b.id for b in d.blocks[3:5]] == ["p1-b4", "p1-b3"]),
    (E.LinkCaption(caption="p2-b3", target="p2-b1"), lambda d: d.blocks[9].captions == [] and d.blocks[8].captions == ["p2-b3"]),
    (E.LinkCaption(caption="p1-b3", target=None), lambda d: d.blocks[4].captions == []),
    (E.SetCell(block="p1-b4", row=4, col=2, text="432"), lambda d: d.blocks[4].table.cells[-1].text == "432"
     and d.blocks[4].text.endswith("East\t389\t432")),
    (E.MergeCells(block="p1-b4", row=2, col=1, rows=1, cols=2), lambda d: any(c.col_span == 2 and c.text == "512 530"
                                                                           for c in d.blocks[4].table.cells)),
    (E.SplitCell(block="p1-b4", row=1, col=0), lambda d: len(d.blocks[4].table.cells) == 14),
    (E.InsertRow(block="p1-b4", at=5), lambda d: d.blocks[4].table.n_rows == 6),
    (E.InsertRow(block="p1-b4", at=1), lambda d: d.blocks[4].table.cells[0].row_span == 3),
    (E.DeleteRow(block="p1-b4", row=0), lambda d: d.blocks[4].table.n_rows == 4
     and (d.blocks[4].table.cells[0].text, d.blocks[4].table.cells[0].row_span) == ("Terminal", 1)),
    (E.InsertCol(block="p1-b4", at=3), lambda d: d.blocks[4].table.n_cols == 4),
    (E.DeleteCol(block="p1-b4", col=1), lambda d: d.blocks[4].table.n_cols == 2
     and d.blocks[4].table.cells[0].text == "Terminal"),
]


@pytest.mark.parametrize("change,check", EDITS, ids=lambda x: getattr(x, "__struct_config__", None) and
                         type(x).__name__)
def test_every_edit_does_what_it_says_and_undo_and_redo_restore_exactly(change, check):
    before = _started()
    after = history.edit(before, change, "t1")
    assert check(after)
    assert len(history.log_of(after)) == 1 and history.log_of(after)[0]["op"]["op"] == change.__struct_config__.tag
    undone = history.undo(after, "t2")
    assert undone.blocks == before.blocks  # exactly, every field
    redone = history.redo(undone, "t3")
    assert redone.blocks == after.blocks
    assert history.summary(redone) == {"edits": 3, "undo": 1, "redo": 0, "last": "redo edit 1"}
    again = normalize(to_json(redone))  # the truth's JSON round-trips, log and all
    assert again == redone and history.undo(again, "t4").blocks == before.blocks


def test_a_long_history_undoes_to_the_start_and_redoes_to_the_end():
    doc = start = _started()
    for change, _ in EDITS[:12]:
        try:
            doc = history.edit(doc, change, "t")
        except E.EditRefused:  # an edit that names a block an earlier one removed: refused, nothing changed
            pass
    end = doc
    while history.summary(doc)["undo"]:
        doc = history.undo(doc, "t")
    assert doc.blocks == start.blocks
    while history.summary(doc)["redo"]:
        doc = history.redo(doc, "t")
    assert doc.blocks == end.blocks
    with pytest.raises(E.EditRefused, match="nothing to redo"):
        history.redo(doc, "t")


def test_a_new_edit_after_an_undo_clears_the_redo_stack():
    doc = history.edit(_started(), EDITS[0][0], "t")
    doc = history.undo(doc, "t")
    doc = history.edit(doc, EDITS[1][0], "t")
    assert history.summary(doc)["redo"] == 0 and history.summary(doc)["undo"] == 1


MALFORMED = [
    ({"op": "rewrite_everything"}, "malformed edit"),
    ({"op": "set_text", "block": "p1-b1"}, "missing required field `text`"),
    ({"op": "set_text", "block": "p1-b1", "text": 5}, "Expected `str`"),
    ({"op": "set_text", "block": "p1-b1", "text": "x", "path": "../x"}, "unknown field `path`"),
    ({"op": "set_text", "block": "../../etc/passwd", "text": "x"}, "no block '../../etc/passwd'"),
    ({"op": "set_text", "block": "p1-b4", "text": "x"}, "a table's text is its cells'"),
    ({"op": "set_text", "block": "p1-b1", "text": "x" * 200_001}, "length <= 200000"),
    ({"op": "set_kind", "block": "p1-b1", "kind": "banner"}, "Invalid enum value 'banner'"),
    ({"op": "set_level", "block": "p1-b0", "level": 7}, "a heading's level is 1..6"),
    ({"op": "set_level", "block": "p1-b1", "level": 1}, "a paragraph has no level"),
    ({"op": "set_bbox", "block": "p1-b1", "bbox": [10, 10, 5, 5]}, "corners in order"),
    ({"op": "set_bbox", "block": "p1-b1", "bbox": [0, 0, float("inf"), 5]}, "JSON is malformed"),
    ({"op": "set_bbox", "block": "p1-b1", "bbox": [0, 0, 5]}, "length >= 4"),
    ({"op": "add_block", "page": 9}, "no page 9"),
    ({"op": "add_block", "page": 1, "id": "p1-b1"}, "has a block 'p1-b1' already"),
    ({"op": "split_block", "block": "p1-b1", "at": 0}, "the caret must lie inside the text"),
    ({"op": "merge_blocks", "block": "p1-b0", "next": "p1-b5"}, "is not the block right after"),
    ({"op": "merge_blocks", "block": "p1-b6", "next": "p2-b0"}, "blocks on two pages are not merged"),
    ({"op": "move_block", "block": "p1-b1", "to": 99}, "a place in the reading order is 0..12"),
    ({"op": "link_caption", "caption": "p1-b1", "target": "p1-b4"}, "make it a caption first"),
    ({"op": "merge_cells", "block": "p1-b4", "row": 0, "col": 0, "rows": 1, "cols": 2}, "crosses the rectangle's edge"),
    ({"op": "split_cell", "block": "p1-b4", "row": 4, "col": 2}, "covers one slot already"),
    ({"op": "delete_col", "block": "p1-b4", "col": 3}, "has no col 3"),
    ({"op": "set_cell", "block": "p1-b1", "row": 0, "col": 0, "text": "x"}, "without a table"),
    ({"op": "splice", "at": 0, "remove": 13, "blocks": []}, "malformed edit"),
    ("set_text", "malformed edit"),
]


@pytest.mark.parametrize("edit,message", MALFORMED, ids=[str(m[0])[:40] for m in MALFORMED])
def test_a_malformed_edit_is_refused_with_a_message_and_changes_nothing(app, folders, edit, message):
    tab = Tab(app, LLAMA)
    tab.start()
    before = (folders[1] / "harbor_q3_2025.truth.json").read_bytes()
    response = tab.post("/review/api/edit", edit=edit)
    assert response.status_code == 400 and message in response.get_json()["error"]
    assert (folders[1] / "harbor_q3_2025.truth.json").read_bytes() == before


def test_a_box_past_the_largest_number_is_refused(app, folders):
    tab = Tab(app, LLAMA)
    tab.start()
    body = '{"f": "%s", "base": "%s", "edit": {"op": "set_bbox", "block": "p1-b1", "bbox": [0, 0, 1e999, 5]}}'
    response = tab.client.post("/review/api/edit", data=body % (LLAMA, tab.etag), content_type="application/json",
                               headers={"X-CSRF-Token": tab.token})
    assert response.status_code == 400 and "Number out of range" in response.get_json()["error"]


def test_a_table_keeps_one_row_at_least():
    doc = _started()
    doc = history.edit(doc, E.SetKind(block="p1-b5", kind="table"), "t")
    with pytest.raises(E.EditRefused, match="a table keeps one row at least"):
        history.edit(doc, E.DeleteRow(block="p1-b5", row=0), "t")


# --- the truth file ---------------------------------------------------------------------------------------

def test_the_truth_is_canonical_json_with_its_start_and_log_and_every_tool_reads_it(app, folders, tmp_path):
    root, truth = folders
    tab = Tab(app)
    tab.start()
    tab.edit(op="set_cell", block="p1-b5", row=4, col=2, text="431")
    path = truth / "harbor_q3_2025.truth.json"
    doc = truth_doc(truth)
    record = doc.extra["docnorm_review"]
    assert doc.provider == "ground-truth" and doc.format == "docnorm" and doc.file_name == "harbor_q3_2025.pdf"
    assert record["started_from"]["file"] == SOMARK and record["started_from"]["provider"] == "somark"
    assert len(record["started_from"]["digest"]) == 64
    assert record["log"][0]["op"] == {"op": "set_cell", "block": "p1-b5", "row": 4, "col": 2, "text": "431"}
    assert record["log"][0]["undo"] == {"op": "set_cell", "block": "p1-b5", "row": 4, "col": 2, "text": "481"}
    assert normalize(to_json(doc)) == doc
    from viewer.cli import main
    assert main(["normalize", str(path), "-o", str(tmp_path / "again.json")]) == 0
    assert load(str(tmp_path / "again.json"))[0] == doc
    assert main(["eval", str(truth), str(root / "same_report"), "--json", str(tmp_path / "eval.json")]) == 0
    assert json.loads((tmp_path / "eval.json").read_text())["pages"] == 2


def test_the_source_result_is_never_written_and_no_temporary_file_stays(app, folders):
    root, truth = folders
    before = snapshot(root)
    tab = Tab(app)
    tab.start()
    inode = (truth / "harbor_q3_2025.truth.json").stat().st_ino
    for n in range(5):
        assert tab.edit(op="set_text", block="p1-b1", text=f"version {n}").status_code == 200
    assert snapshot(root) == before
    assert sorted(p.name for p in truth.iterdir()) == ["harbor_q3_2025.truth.json"]
    assert (truth / "harbor_q3_2025.truth.json").stat().st_ino != inode  # replaced by a rename, not rewritten


def test_a_save_that_fails_leaves_the_truth_as_it_was(app, folders, monkeypatch):
    tab = Tab(app)
    tab.start()
    path = folders[1] / "harbor_q3_2025.truth.json"
    before = path.read_bytes()

    def broken(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", broken)
    response = tab.edit(op="set_text", block="p1-b1", text="lost")
    assert response.status_code == 500 and "No space left on device" in response.get_json()["error"]
    assert path.read_bytes() == before and [p.name for p in folders[1].iterdir()] == [path.name]


# --- confinement: nothing from a request or a result names a file -------------------------------------------

@pytest.mark.parametrize("file_name,expected", [
    ("../../../../tmp/escape.pdf", "escape.truth.json"),
    ("/etc/passwd", "passwd.truth.json"),
    ("C:\\Windows\\system32\\evil.pdf", "evil.truth.json"),
    ("..", "hostile.truth.json"),
    ("a\x00b.pdf", None),
    (".bashrc", None),
    ("x" * 5000 + ".pdf", None),
    ("rapport d'été 2025.pdf", None),
])
def test_a_hostile_recorded_file_name_still_writes_one_file_inside_the_truth_folder(tmp_path, renderer, file_name,
                                                                                   expected):
    root, truth = tmp_path / "served", tmp_path / "truth"
    root.mkdir()
    truth.mkdir()
    doc = load(str(SAMPLES / LLAMA))[0]
    doc.file_name = file_name
    (root / "hostile.json").write_bytes(to_json(doc))
    app = create_app(str(root), truth=str(truth), pages=renderer)
    outside = snapshot(tmp_path / "served") + [p for p in os.listdir(tmp_path)]
    tab = Tab(app, "hostile.json")
    tab.start()
    assert tab.edit(op="set_text", block="p1-b1", text="../../x\x00").status_code == 200
    assert tab.edit(op="add_block", page=1, id="../../../etc/passwd", text="/etc/passwd").status_code == 200
    written = os.listdir(truth)
    assert len(written) == 1 and written[0].endswith(".truth.json") and len(written[0]) < 130
    assert expected is None or written == [expected]
    assert "/" not in written[0] and "\x00" not in written[0] and not written[0].startswith(".")
    assert snapshot(tmp_path / "served") + [p for p in os.listdir(tmp_path)] == outside
    assert truth_doc(truth, written[0][:-len(".truth.json")]).blocks[1].text == "../../x\x00"


@pytest.mark.parametrize("field,value", [("f", "../secret.json"), ("f", "/etc/passwd"), ("f", "same_report/../../x.json"),
                                         ("f", "same_report/harbor_q3_somark.json\x00.json"), ("f", "x" * 4097),
                                         ("i", 7), ("i", -1), ("page", 0), ("base", "x" * 65)])
def test_traversal_in_every_request_field_is_refused_and_writes_nothing(app, folders, field, value):
    root, truth = folders
    (root.parent / "secret.json").write_bytes((SAMPLES / SOMARK).read_bytes())
    tab = Tab(app)
    before = snapshot(root.parent)
    response = tab.client.post("/review/api/start", json={"f": SOMARK, "i": 0, field: value},
                               headers={"X-CSRF-Token": tab.token})
    assert response.status_code in (400, 404) and response.get_json()["error"]
    assert snapshot(root.parent) == before


def test_a_truth_file_that_is_a_link_is_neither_read_nor_replaced(app, folders, tmp_path):
    root, truth = folders
    target = tmp_path / "elsewhere.json"
    target.write_bytes((SAMPLES / "truth" / "harbor_q3_2025.truth.json").read_bytes())
    os.symlink(target, truth / "harbor_q3_2025.truth.json")
    before = target.read_bytes()
    tab = Tab(app)
    assert "cannot be read" in tab.client.get(f"/review?f={SOMARK}").get_data(as_text=True)
    assert tab.post("/review/api/start").status_code == 422
    assert target.read_bytes() == before and os.path.islink(truth / "harbor_q3_2025.truth.json")
    assert tab.client.get("/compare?a=truth:harbor_q3_2025.truth.json&b=" + SOMARK).status_code == 404


@pytest.mark.parametrize("name", ["truth:../served/same_report/harbor_q3_somark.json", "truth:/etc/passwd",
                                  "truth:.hidden.truth.json", "truth:nope.truth.json", "truth:harbor_q3_2025",
                                  "truth:../truth/harbor_q3_2025.truth.json", "truth:harbor_q3_2025.truth.json\x00"])
def test_a_truth_named_by_a_page_must_be_one_of_the_truth_folder(app, name):
    tab = Tab(app)
    tab.start()
    assert tab.client.get(f"/compare?a={name}&b={SOMARK}").status_code == 404
    assert tab.client.get(f"/page-image?f={name}&p=1").status_code == 404


# --- the CSRF check, the body bound, the read-only viewer ----------------------------------------------------

def test_every_write_needs_the_pages_token_json_and_a_bounded_body(app, folders, renderer):
    root, truth = folders
    tab = Tab(app)
    body = {"f": SOMARK, "i": 0}
    other = create_app(str(root), truth=str(truth), pages=renderer)
    other_token = re.search(r'csrf-token" content="([^"]+)"',
                            other.test_client().get(f"/review?f={SOMARK}").get_data(as_text=True)).group(1)
    assert other_token != tab.token
    refused = [
        tab.client.post("/review/api/start", json=body),
        tab.client.post("/review/api/start", json=body, headers={"X-CSRF-Token": "guess"}),
        tab.client.post("/review/api/start", json=body, headers={"X-CSRF-Token": other_token}),
        tab.client.post("/review/api/start", json=body, headers={"X-CSRF-Token": tab.token,
                                                                 "Origin": "http://evil.example"}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    form = tab.client.post("/review/api/start", data=body, headers={"X-CSRF-Token": tab.token})
    assert form.status_code == 415
    big = tab.client.post("/review/api/start", data=json.dumps({**body, "pad": "x" * (1 << 20)}),
                          content_type="application/json", headers={"X-CSRF-Token": tab.token})
    assert big.status_code == 413
    assert tab.client.get("/review/api/start").status_code == 405
    assert os.listdir(truth) == []
    assert tab.client.post("/review/api/start", json=body, headers={"X-CSRF-Token": tab.token,
                                                                     "Origin": "http://localhost"}).status_code == 200


def test_the_host_check_still_guards_review_mode(app):
    client = app.test_client()
    assert client.get(f"/review?f={SOMARK}", headers={"Host": "evil.example"}).status_code == 400
    assert client.post("/review/api/start", json={"f": SOMARK}, headers={"Host": "evil.example"}).status_code == 400


def test_without_a_truth_folder_the_viewer_offers_no_edit_and_refuses_every_write(folders, renderer):
    root, truth = folders
    client = create_app(str(root), index_budget=600, pages=renderer).test_client()
    assert client.get(f"/review?f={SOMARK}").status_code == 404
    for path in ("start", "edit", "undo", "redo"):
        response = client.post(f"/review/api/{path}", json={"f": SOMARK, "i": 0, "base": "", "edit": {}})
        assert response.status_code == 403 and "read-only" in response.get_json()["error"]
    assert client.get(f"/review/api/scores?f={SOMARK}").status_code == 404
    assert client.get(f"/review/api/truth?f={SOMARK}").status_code == 404
    view = client.get(f"/view?f={SOMARK}").get_data(as_text=True)
    assert "review-link" not in view and "/review" not in view
    assert "truth-mark" not in client.get("/").get_data(as_text=True)
    assert os.listdir(truth) == []


def test_in_review_mode_the_document_links_its_review_and_the_index_marks_a_source_with_a_truth(app):
    tab = Tab(app)
    assert f'href="/review?f={SOMARK}&amp;i=0"' in tab.client.get(f"/view?f={SOMARK}").get_data(as_text=True)
    assert "truth-mark" not in tab.client.get("/").get_data(as_text=True)
    tab.start()
    rows = re.split(r"<tr ", tab.client.get("/").get_data(as_text=True))
    marked = sorted(re.search(r'data-file="([^"]+)"', r)[1] for r in rows if "truth-mark" in r)
    assert marked == sorted(["same_report/harbor_q3_baidu.json", "same_report/harbor_q3_llamacloud_v2.json", SOMARK])


# --- conflicts and concurrent saves ------------------------------------------------------------------------

def test_two_tabs_on_one_truth_never_lose_an_edit_silently(app, folders):
    first, second = Tab(app), Tab(app)
    first.start()
    second.reload()
    assert first.edit(op="set_text", block="p1-b1", text="from the first tab").status_code == 200
    stale = second.edit(op="set_text", block="p1-b2", text="from the second tab")
    assert stale.status_code == 409 and stale.get_json()["conflict"] and "Reload" in stale.get_json()["error"]
    assert truth_doc(folders[1]).blocks[1].text == "from the first tab"
    second.reload()
    assert second.last["blocks"][1]["text"] == "from the first tab"
    assert second.edit(op="set_text", block="p1-b2", text="from the second tab").status_code == 200
    doc = truth_doc(folders[1])
    assert (doc.blocks[1].text, doc.blocks[2].text) == ("from the first tab", "from the second tab")
    assert first.post("/review/api/undo").status_code == 409  # the first tab's undo is based on an old version too


def test_a_truth_changed_on_disk_by_someone_else_is_not_overwritten(app, folders):
    tab = Tab(app)
    tab.start()
    path = folders[1] / "harbor_q3_2025.truth.json"
    doc = truth_doc(folders[1])
    doc.blocks[0].text = "edited by hand"
    path.write_bytes(to_json(doc))
    assert tab.edit(op="set_text", block="p1-b1", text="mine").status_code == 409
    assert truth_doc(folders[1]).blocks[0].text == "edited by hand"


def test_concurrent_saves_each_land_once_in_the_log(app, folders):
    Tab(app).start()
    done = []

    def worker(n):
        tab = Tab(app)
        for attempt in range(200):  # a refused save is retried on the version that refused it
            tab.reload()
            if tab.edit(op="set_text", block=f"p{1 + n % 2}-b0", text=f"edit {n}").status_code == 200:
                done.append(n)
                return
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = truth_doc(folders[1]).extra["docnorm_review"]["log"]
    assert sorted(done) == list(range(8)) and sorted(int(e["op"]["text"].split()[1]) for e in log) == list(range(8))
    assert [e["n"] for e in log] == list(range(1, 9))


def test_starting_twice_opens_the_first_truth(app, folders):
    first, second = Tab(app), Tab(app, LLAMA)  # two results of one source
    first.start()
    first.edit(op="set_text", block="p1-b1", text="kept")
    started = second.start()
    assert started["blocks"][1]["text"] == "kept" and started["started_from"]["provider"] == "somark"


# --- the scores and the compare view against the truth -----------------------------------------------------

def test_the_scores_rank_every_result_of_the_source_and_follow_an_edit_that_fixes_one(app):
    tab = Tab(app)
    tab.start()
    first = tab.client.get(f"/review/api/scores?f={SOMARK}").get_json()
    scores = {r["provider"]: r["scores"] for r in first["rows"]}
    assert [r["rank"] for r in first["rows"]] == [1, 2, 3] and scores["somark"]["teds"] == 1.0
    assert scores["llamacloud"]["teds"] < 1.0
    tab.edit(op="set_cell", block="p1-b5", row=4, col=2, text="431")  # SoMark read 481 where the PDF says 431
    second = tab.client.get(f"/review/api/scores?f={SOMARK}").get_json()
    after = {r["provider"]: r["scores"] for r in second["rows"]}
    assert after["somark"]["teds"] < 1.0 and after["llamacloud"]["teds"] > scores["llamacloud"]["teds"]
    assert second["etag"] == tab.etag != first["etag"]
    for row in second["rows"]:
        page = tab.client.get(row["compare"])
        assert page.status_code == 200 and row["file"] in page.get_data(as_text=True)


def test_the_page_image_of_a_truth_is_its_sources(app):
    tab = Tab(app)
    tab.start()
    response = tab.client.get("/page-image?f=truth:harbor_q3_2025.truth.json&p=1&w=200")
    assert response.status_code == 200 and response.mimetype == "image/png"


def test_eval_pairs_a_truth_file_with_the_results_of_its_source_by_name(tmp_path):
    from exporters.eval import evaluate_sets
    result = load(str(SAMPLES / LLAMA))[0]
    result.file_name = None  # paired by the files' names alone: scan7.truth.json is the truth of scan7.json
    (tmp_path / "truth").mkdir()
    (tmp_path / "runs").mkdir()
    truth = history.start(result, history.Started("scan7.json", 0, "d"), "t")
    (tmp_path / "truth" / "scan7.truth.json").write_bytes(to_json(truth))
    (tmp_path / "runs" / "scan7.json").write_bytes(to_json(result))
    run = evaluate_sets(str(tmp_path / "truth"), [str(tmp_path / "runs")])
    assert run.pages == 2 and run.entries[0].missing == [] and run.entries[0].scores["content"] == 1.0


@pytest.mark.parametrize("module", ["viewer.review.names", "viewer.review.edit_types", "viewer.review.edits",
                                    "viewer.review.table_edits", "viewer.review.history", "viewer.review.truths",
                                    "viewer.review.scores", "viewer.review.payload"])
def test_module_examples_run(module, monkeypatch):
    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_truths_store_start_is_once_and_change_needs_the_current_version(tmp_path):
    truths = Truths(str(tmp_path))
    doc = _started()
    opened, made = truths.start("rep", lambda: doc)
    again, made_again = truths.start("rep", lambda: pytest.fail("a second start must not make a truth"))
    assert made and not made_again and again.etag == opened.etag
    changed = truths.change("rep", opened.etag, lambda d: history.edit(d, EDITS[0][0], "t"))
    from viewer.review.truths import Conflict
    with pytest.raises(Conflict):
        truths.change("rep", opened.etag, lambda d: d)
    assert truths.open("rep").etag == changed.etag and msgspec.json.decode(
        (tmp_path / "rep.truth.json").read_bytes())["extra"]["docnorm_review"]["log"][0]["n"] == 1


# --- the Evaluate page over the truth folder ------------------------------------------------------------------

def test_the_evaluate_page_ranks_the_results_over_every_truth_of_the_truth_folder(app, folders, tmp_path):
    root, truth = folders
    tab = Tab(app)
    tab.start()
    tab.edit(op="set_cell", block="p1-b5", row=4, col=2, text="431")
    Tab(app, "docling/2305.03393v1-pg9.json").start()
    form = tab.client.get("/evaluate").get_data(as_text=True)
    assert '<option value="truth:" selected>every truth of review mode\'s truth folder (2)</option>' in form
    picks = "&".join(f"p=same_report/harbor_q3_{name}.json" for name in ("baidu", "llamacloud_v2", "somark"))
    page = tab.client.get(f"/evaluate?t=truth:&{picks}&p=docling")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and str(root) not in text and str(truth) not in text
    links = re.findall(r'href="(/compare\?a=truth:[^"]+)"', text.replace("&amp;", "&"))
    assert links and all(tab.client.get(link).status_code == 200 for link in set(links))
    from exporters.eval import evaluate_sets  # the same table as `docnorm eval TRUTH_DIR RESULT...`
    cli = evaluate_sets(str(truth), [str(root / "same_report" / f"harbor_q3_{n}.json") for n in
                                     ("baidu", "llamacloud_v2", "somark")] + [str(root / "docling")])
    ranked = [e.name for e in cli.entries]
    report = text[text.index('id="leaderboard"'):]
    assert "Evaluation against review mode&#39;s truth folder" in text
    first = [report.index(name) for name in ranked]  # the leaderboard comes first, best first
    assert ranked[0] == "harbor_q3_somark.json" and first == sorted(first)  # the truth began as SoMark's


def test_without_review_mode_the_evaluate_page_offers_no_truth_folder(folders, renderer):
    client = create_app(str(folders[0]), pages=renderer).test_client()
    assert 'value="truth:"' not in client.get("/evaluate").get_data(as_text=True)
    assert client.get("/evaluate?t=truth:&p=same_report").status_code == 404


def test_docnorm_serve_truth_makes_the_folder_and_starts_review_mode(folders, tmp_path, monkeypatch, capsys):
    import viewer.app
    import viewer.cli.serve as serve
    made = {}
    real = viewer.app.create_app

    def recording(*args, **kwargs):
        made["app"] = real(*args, **kwargs)
        return made["app"]

    class Server:
        effective_port = 8123

        def run(self):
            made["ran"] = True
    monkeypatch.setattr(viewer.app, "create_app", recording)
    monkeypatch.setattr(serve, "make_server", lambda app, host, port: Server())
    monkeypatch.setattr(threading, "Thread", lambda **kw: type("NotStarted", (), {"start": lambda self: None})())
    # (the page renderers' warm-up thread: not needed to answer a request)
    from viewer.cli import main
    assert main(["serve", str(folders[0]), "--truth", str(tmp_path / "new" / "truths")]) == 0
    assert made["ran"] and os.path.isdir(tmp_path / "new" / "truths")
    assert made["app"].extensions["docnorm"].truth.folder == os.path.realpath(tmp_path / "new" / "truths")
    assert made["app"].test_client().get(f"/review?f={SOMARK}").status_code == 200
    (tmp_path / "file").write_text("x")
    assert main(["serve", str(folders[0]), "--truth", str(tmp_path / "file" / "sub")]) == 2
    assert "--truth: cannot make the folder" in capsys.readouterr().err
