"""What exporters read is in the schema: list numbering, code languages, link targets, chunk ids, keywords and
scores, layout text are typed fields that the readers fill, never `extra` keys an exporter has to know about."""

from __future__ import annotations

import ast
import json

import msgspec

from exporters import to_html, to_markdown
from exporters.docling import to_docling
from exporters.frameworks import records
from normalizer import Block, Document, Page, load, normalize
from normalizer.schema import encode

from .conftest import ROOT, SAMPLES


def _doc(*blocks: Block, **fields) -> Document:
    return Document(provider="x", format="docnorm", pages=[Page(number=1)], blocks=list(blocks), **fields)


def _reads_an_extra_key(node: ast.AST) -> bool:
    """`x.extra["k"]` or `x.extra.get(...)`: reading one key of a provider's leftovers."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        return node.value.attr == "extra"
    own = isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "META"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "extra"
            and not own)  # review mode's own record (`extra.docnorm_review`, written by docnorm), not a leftover


def test_no_exporter_or_viewer_module_reads_an_extra_key_or_names_a_provider():
    """A new provider gets numbered lists, code languages and links by filling fields, not by luck."""
    found = []
    for folder in ("exporters", "viewer"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if _reads_an_extra_key(node):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} reads an extra key")
                if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "provider":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} compares .provider")
    assert found == []


def test_numbered_lists_start_where_the_provider_says_and_extra_is_not_consulted():
    doc = _doc(Block(id="a", page=1, kind="list_item", level=1, text="third", ordered=True, list_start=3),
               Block(id="b", page=1, kind="list_item", level=1, text="fourth", ordered=True, list_start=3),
               Block(id="p", page=1, kind="paragraph", text="between"),
               Block(id="c", page=1, kind="list_item", level=1, text="bullet", extra={"ordered": True}))
    md = to_markdown(doc)
    assert "3. third\n" in md and "3. fourth" in md and "- bullet" in md  # CommonMark numbers on from the first
    html = to_html(doc)
    assert '<ol class="depth-1" start="3"><li data-block="a"' in html
    assert '<ol class="depth-1" start="4"><li data-block="b"' in html
    assert '<ul class="depth-1"><li data-block="c"' in html


def test_code_language_and_link_target_come_from_their_fields():
    doc = _doc(Block(id="c", page=1, kind="code", text="SELECT 1;", language="sql"),
               Block(id="k", page=1, kind="link", text="site", url="https://example.org/a b"),
               Block(id="j", page=1, kind="link", text="evil", url="javascript:alert(1)"))
    md, html = to_markdown(doc), to_html(doc)
    assert "```sql\nSELECT 1;\n```" in md and '<code class="language-sql">' in html
    assert "[site](https://example.org/a%20b)" in md and 'href="https://example.org/a%20b"' in html
    assert "javascript" not in md.replace("evil", "") and "javascript:" not in html


def test_layout_text_is_a_document_field_every_exporter_honours():
    docs = [d for p in sorted((SAMPLES / "whisperer").glob("*.json")) for d in load(p) if d.blocks]
    assert docs and all(d.layout_text for d in docs)
    assert 'class="layout-text"' in to_html(docs[0])
    assert 'class="layout-text"' in to_html(msgspec.structs.replace(docs[0], provider="x"))  # the field decides
    assert 'class="layout-text"' not in to_html(msgspec.structs.replace(docs[0], layout_text=False))


def test_readers_fill_the_fields():
    docling = load(SAMPLES / "docling" / "meridian_h1_2025.json")[0]
    code = next(b for b in docling.blocks if b.kind == "code")
    items = [b for b in docling.blocks if b.kind == "list_item"]
    assert code.language == "SQL" and "code_language" not in code.extra
    assert items and all(b.ordered is False and b.marker == "-" for b in items)
    assert all("enumerated" not in b.extra and "marker" not in b.extra for b in items)
    llama = load(SAMPLES / "llamacloud" / "annual_report_v2.json")[0]
    ordered = [b.ordered for b in llama.blocks if b.kind == "list_item"]
    assert True in ordered and False in ordered
    ragflow = load(SAMPLES / "ragflow" / "retrieval_two_documents.json")[0]
    chunk = ragflow.chunks[0]
    assert list(chunk.scores) == ["similarity", "vector_similarity", "term_similarity"]
    assert not {"similarity", "vector_similarity", "term_similarity"} & set(chunk.extra)
    assert all(b.chunk in {c.id for c in ragflow.chunks} for b in ragflow.blocks)
    assert records(ragflow, "chunk")[0].metadata["score"] == chunk.scores["similarity"]


def test_docling_export_keeps_list_markers_and_numbering():
    doc = _doc(Block(id="a", page=1, kind="list_item", level=1, text="one", ordered=True, marker="a)"),
               Block(id="b", page=1, kind="list_item", level=1, text="two"))
    items = [t for t in json.loads(to_docling(doc))["texts"] if t["label"] == "list_item"]
    assert [(t["enumerated"], t["marker"]) for t in items] == [(True, "a)"), (False, "-")]


def test_canonical_files_written_before_the_fields_are_lifted_and_say_so():
    old = json.loads(encode(_doc()))
    old["blocks"] = [
        {"id": "l", "page": 1, "kind": "list_item", "text": "one", "extra": {"ordered": True}},
        {"id": "m", "page": 1, "kind": "list_item", "text": "two", "extra": {"ordered": True, "keep": 1}},
        {"id": "c", "page": 1, "kind": "code", "text": "x", "extra": {"language": "python"}},
        {"id": "k", "page": 1, "kind": "link", "text": "k", "extra": {"url": "https://e.org"}},
        {"id": "p", "page": 1, "kind": "paragraph", "text": "p", "extra": {"language": "not a code block"}}]
    old["chunks"] = [{"id": "c1", "extra": {"similarity": 0.5, "term_similarity": True,
                                            "important_keywords": ["a", "b"]}}]
    for key in ("layout_text",):
        old.pop(key)
    for b in old["blocks"]:
        assert not {"ordered", "language", "url"} & (b.keys() - {"extra"})
    doc = normalize(json.dumps(old).encode())
    assert [b.ordered for b in doc.blocks] == [True, True, None, None, None]
    assert doc.blocks[1].extra == {"keep": 1} and doc.blocks[4].extra == {"language": "not a code block"}
    assert (doc.blocks[2].language, doc.blocks[3].url) == ("python", "https://e.org")
    chunk = doc.chunks[0]
    assert (chunk.scores, chunk.keywords, chunk.extra) == ({"similarity": 0.5}, ["a", "b"], {"term_similarity": True})
    assert "$.blocks[*].extra.ordered: kept in extra by an older docnorm (2 blocks); moved to the typed field" \
        in doc.warnings
    assert len(doc.warnings) == 5  # ordered, language, url, important_keywords, similarity: one line per key
    assert normalize(encode(doc)) == doc  # and the lifted document round-trips unchanged


def test_every_error_docnorm_raises_is_a_docnorm_error():
    from exporters.corpus.runner import Unreadable, UsageError
    from exporters.formats import OptionError
    from exporters.pages.images import Busy, SourceError
    from normalizer import DocnormError, NormalizeError
    assert all(issubclass(e, DocnormError) for e in (NormalizeError, UsageError, Unreadable, SourceError, Busy,
                                                     OptionError))
