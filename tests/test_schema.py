"""The canonical schema: pinned field names, JSON Schema kept in sync, encode/decode identity."""

from __future__ import annotations

import json
import subprocess
import sys

import msgspec
import pytest

from normalizer import Block, Cell, Chunk, Document, Job, Page, Table
from normalizer.schema import KINDS, STATUSES, decode, encode, json_schema

from .conftest import ROOT

PINNED = {
    Document: "schema provider format file_name job pages blocks chunks images markdown text layout_text warnings extra",
    Job: "id status provider_status error created_at updated_at progress page_count",
    Page: "number width height unit rotation ok error is_scan printed_number confidence text markdown extra",
    Block: "id page kind text level bbox confidence parent markdown html latex table image captions lines ordered list_start marker "
           "language url chunk extra",
    Table: "n_rows n_cols cells continued",
    Cell: "row col row_span col_span text bbox header confidence",
    Chunk: "id text kind headings locations block_ids keywords scores extra",
}


@pytest.mark.parametrize("struct", list(PINNED), ids=lambda s: s.__name__)
def test_fields_are_exactly_the_pinned_ones(struct):
    assert struct.__struct_fields__ == tuple(PINNED[struct].split())


def test_vocabularies():
    assert set(KINDS) == set("heading paragraph list_item table figure caption formula code header footer "
                             "page_number footnote toc seal barcode link other".split())
    assert STATUSES == ("queued", "running", "succeeded", "failed", "cancelled", "unknown")


def test_committed_json_schema_is_in_sync():
    committed = json.loads((ROOT / "normalizer" / "docnorm.schema.json").read_text())
    assert committed == json_schema(), "run: docnorm schema > normalizer/docnorm.schema.json"


def test_schema_command_prints_the_schema():
    out = subprocess.run([sys.executable, "-m", "viewer.cli", "schema"], cwd=ROOT, capture_output=True, check=True)
    assert json.loads(out.stdout) == json_schema()


def test_encode_decode_identity_and_unknown_fields_rejected():
    doc = Document(provider="x", format="docnorm", pages=[Page(number=1, width=10.0, height=20.0, unit="pt")],
                   blocks=[Block(id="p1-b0", page=1, kind="table", bbox=[1.0, 2.0, 3.0, 4.0],
                                 table=Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text="a")]))])
    assert decode(encode(doc)) == doc
    data = json.loads(encode(doc))
    assert data["schema"] == "docnorm/1" and set(data) == set(PINNED[Document].split())
    data["blocks"][0]["surprise"] = 1
    with pytest.raises(msgspec.ValidationError):
        decode(json.dumps(data))
    data["blocks"][0].pop("surprise")
    data["blocks"][0]["kind"] = "poem"
    with pytest.raises(msgspec.ValidationError):
        decode(json.dumps(data))


def test_schema_describes_every_field_and_boxes_are_four_numbers():
    schema = json_schema()
    assert schema["$schema"].endswith("2020-12/schema") and schema["$id"] and schema["title"]
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), name
        for field, prop in definition["properties"].items():
            assert prop.get("description"), f"{name}.{field}"
            if field == "bbox":
                array = next(o for o in prop.get("anyOf", [prop]) if o.get("type") == "array")
                assert array["minItems"] == array["maxItems"] == 4, f"{name}.{field}"


def test_a_document_shows_itself_in_jupyter():
    from normalizer import load
    from .conftest import SAMPLES
    doc = load(SAMPLES / "llamacloud" / "hostile_payloads_v2.json")[0]
    html = doc._repr_html_()
    assert "llamacloud (llamacloud.v2)" in html and "<b>Page 1</b>" in html
    assert "<script" not in html and "&lt;/h1&gt;&lt;script&gt;" in html
