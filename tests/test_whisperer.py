"""LLMWhisperer: pages from separators, line bands, low-confidence words, line numbers, status words."""

from __future__ import annotations

import json

import pytest

from normalizer import NormalizeError, load, normalize, normalize_all
from normalizer.providers import llmwhisperer

from .conftest import SAMPLES, shared_files

W = SAMPLES / "whisperer"


def retrieve(text, lines=None, words=None, **more):
    body = {"result_text": text, "metadata": {}, **more}
    if lines is not None:
        body["line_metadata"] = lines
    if words is not None:
        body["confidence_metadata"] = words
    return json.dumps(body).encode()


@pytest.mark.parametrize("word,status", [
    ("accepted", "queued"), ("processing", "running"), ("stage_ocr_in_progress", "running"),
    ("processed", "succeeded"), ("delivered", "succeeded"), ("retrieved", "succeeded"),
    ("error", "failed"), ("error_password_protected", "failed"), ("failed", "failed"),
    ("webhook_retries_exceeded", "failed"), ("unknown", "unknown"), ("PROCESSED", "succeeded"),
])
def test_every_generation_of_status_words(word, status):
    doc = normalize(json.dumps({"status": word, "message": "m"}).encode())
    assert (doc.format, doc.job.status, doc.job.provider_status) == ("whisperer.status", status, word)
    assert doc.pages == [] and doc.blocks == []
    assert (doc.job.error == "m") == (status == "failed")


def test_unknown_status_word_is_kept_and_reported():
    doc = normalize(b'{"status": "teleported"}')
    assert doc.job.status == "unknown" and doc.job.provider_status == "teleported"
    assert any("teleported" in w for w in doc.warnings)


def test_status_detail_keeps_one_based_page_numbers():
    doc = load(W / "status_processed.json")[0]
    assert [d["page_no"] for d in doc.extra["detail"]] == [1, 2, 3] and doc.job.page_count == 3
    failed = load(W / "status_error.json")[0]
    assert failed.job.status == "failed" and "password protected" in failed.job.error


def test_both_output_modes_split_into_the_same_pages():
    layout = load(W / "lease.layout_preserving.txt")[0]
    text_mode = load(W / "sales.text.txt")[0]
    assert [p.number for p in layout.pages] == [1, 2, 3]
    assert layout.pages[0].text.endswith("Page 1 of 3\n") and "<<<" not in "".join(p.text for p in layout.pages)
    assert [p.text.strip() for p in text_mode.pages] == [
        "QUARTERLY SALES SUMMARY Q3 2025\nRegion North: 1,204 units\nRegion South: 987 units",
        "Prepared by Finance\nContact: finance@example.com"]
    assert layout.text == (W / "lease.layout_preserving.txt").read_text()  # the provider's text, verbatim


def test_layout_whitespace_is_kept_verbatim_in_page_text():
    doc = load(W / "lease_retrieve.json")[0]
    raw = json.loads((W / "lease_retrieve.json").read_bytes())["result_text"]
    assert "".join(p.text + "<<<\f" for p in doc.pages) == raw
    assert doc.pages[1].text.startswith("\n3. SECURITY DEPOSIT\n")


def test_custom_separator_is_detected():
    doc = load(W / "custom_separator.txt")[0]
    assert [p.text for p in doc.pages] == ["Invoice INV-0042\nAmount due: $310.00\n", "Terms: net 30\n"]
    assert doc.extra["page_separator"] == "=== PAGE END ==="


def test_text_without_separator_is_one_page_with_a_note():
    doc = normalize(retrieve("just one line\nand another"))
    assert len(doc.pages) == 1 and doc.blocks[0].text == "just one line\nand another"
    assert any("no page separator" in w for w in doc.warnings)


def test_lines_get_vertical_bands_and_pages_their_height_but_no_invented_x():
    doc = load(W / "lease_retrieve.json")[0]
    assert all(p.height == 3300 and p.unit == "px" and p.width is None for p in doc.pages)
    line = doc.blocks[0].lines[0]
    assert line.text.strip() == "RIVERSIDE PROPERTY MANAGEMENT LLC"
    assert (line.top, line.bottom) == (186, 242) and line.bbox is None
    assert all(b.bbox is None for b in doc.blocks)


def test_paragraphs_are_grouped_at_blank_lines():
    doc = load(W / "lease_retrieve.json")[0]
    rent = next(b for b in doc.blocks if b.text.startswith("2. RENT SCHEDULE"))
    assert len(rent.lines) == 5 and rent.kind == "paragraph" and rent.page == 1
    assert rent.text.splitlines()[1] == "   Period                    Monthly Rent       Annual Rent"


def test_low_confidence_words_land_on_their_line():
    doc = load(W / "lease_retrieve.json")[0]
    words = {w.text: (w.confidence, ln.text) for b in doc.blocks for ln in b.lines for w in ln.words}
    assert words["03/O3/2025"] == (0.42, "   Date: 03/03/2025                       Date: 03/O3/2025")
    assert words["Lindqvist"][1].endswith("By: J. Lindqvist") and words["$14,100.00"][0] == 0.88
    assert doc.warnings == []


def test_a_word_listed_on_the_wrong_line_is_moved_with_a_warning():
    text = "alpha beta\ngamma delta\n<<<\f"
    data = retrieve(text, words=[[{"text": "delta", "confidence": 0.5}], [], []])
    doc = normalize(data)
    assert [w.text for w in doc.blocks[0].lines[1].words] == ["delta"] and doc.blocks[0].lines[0].words == []
    assert any("confidence_metadata[0][0]" in w for w in doc.warnings)
    with pytest.raises(NormalizeError) as err:
        normalize(data, strict=True)
    assert err.value.path == "$.confidence_metadata[0][0]"


def test_a_word_on_no_line_goes_to_the_nearest_line_or_to_extra():
    near = normalize(retrieve("alpha\n<<<\f", words=[[], [{"text": "zeta", "confidence": 0.3}]]))
    assert [w.text for w in near.blocks[0].lines[0].words] == ["zeta"]
    assert any("found it on no line nearby; attached to line 1" in w for w in near.warnings)
    far = normalize(retrieve("alpha\n<<<\f", words=[[]] * 60 + [[{"text": "zeta", "confidence": 0.3}]]))
    assert far.extra["unplaced_words"] == [{"line": 61, "text": "zeta", "confidence": 0.3}]


def test_line_numbers_are_recognised_and_kept_out_of_the_text():
    doc = load(W / "sales_client_text_mode.json")[0]
    assert doc.pages[0].text.startswith("QUARTERLY SALES SUMMARY") and "0x" not in doc.pages[0].text
    first = doc.blocks[0].lines[0]
    assert first.text == "QUARTERLY SALES SUMMARY Q3 2025" and first.extra == {"line_no": 1}
    assert [w.text for w in doc.blocks[0].lines[1].words] == ["1,204"]
    assert doc.job.id == "9d1e4b7a2c3f4e5d8a6b0c1d2e3f4a5b" and doc.job.status == "succeeded"
    assert "0x0001: QUARTERLY" in doc.text  # the provider's text stays verbatim on the document


def test_bad_line_metadata_is_repaired_or_raised_with_its_path():
    data = retrieve("a\n<<<\f", lines=[[0, 40, 10], [0, 0, 0, 0]])
    doc = normalize(data)
    assert doc.blocks[0].lines[0].extra["line_metadata"] == [0, 40, 10]
    with pytest.raises(NormalizeError) as err:
        normalize(data, strict=True)
    assert err.value.path == "$.line_metadata[0]"
    assert any("line_metadata[0]" in w for w in doc.warnings)


def test_metadata_page_disagreeing_with_the_text_is_reported():
    doc = normalize(retrieve("a\n<<<\f\nb\n<<<\f", lines=[[0, 40, 10, 100], [0, 0, 0, 0], [0, 60, 10, 100],
                                                           [0, 0, 0, 0]]))
    assert [b.page for b in doc.blocks] == [1, 2]
    assert any("metadata says page 1" in w for w in doc.warnings)


def test_client_wrapper_with_an_http_error_is_a_failed_job():
    doc = normalize(b'{"status_code": 400, "message": "Whisper already delivered", "extraction": {}}')
    assert doc.job.status == "failed" and doc.job.error == "Whisper already delivered" and doc.pages == []


@pytest.mark.parametrize("name,pages,first", [
    ("llmwhisperer_result_text_handwritten-form.form.layout_preserving.txt", 1, "Name   STEPHEN   YOUNG"),
    ("llmwhisperer_result_text_restaurant_invoice_photo.high_quality.layout_preserving.txt", 1, "BURGER SEIGNEUR"),
    ("llmwhisperer_result_text_restaurant_invoice_photo.high_quality.text.txt", 1,
     "BURGER SEIGNEUR No.35, 80 feet road, HAL 3rd Stage, Indiranagar, Bangalore GST: 29AAHFL9534H1ZV"),
])
def test_real_captures(name, pages, first, shared_dir):
    path = shared_dir / "real" / name
    doc = load(path)[0]
    raw = path.read_text()
    assert len(doc.pages) == pages and doc.blocks[0].text.split("\n")[0] == first and doc.warnings == []
    body = raw[: raw.rindex("<<<")].rstrip("\n")
    assert doc.pages[0].text.rstrip("\n") == body


def test_shared_examples(shared_dir):
    doc = load(shared_dir / "examples" / "llmwhisperer_v2_whisper_retrieve.json")[0]
    assert len(doc.pages) == 2 and doc.warnings == []
    lines = [ln for b in doc.blocks for ln in b.lines]
    assert sum(1 for ln in lines if ln.words) == 2
    ebit = next(ln for ln in lines if ln.words and ln.words[0].text == "EBIT")
    assert "Margin = EBIT / Revenue" in ebit.text and [w.confidence for w in ebit.words] == [0.611, 0.83]
    assert doc.pages[1].text.startswith("\n2. Outlook\n")


@pytest.mark.parametrize("path", [p for p in shared_files("llmwhisperer_") if "highlights" not in p.name],
                         ids=lambda p: p.name)
def test_shared_files_normalize(path):
    for doc in normalize_all(path.read_bytes()):
        assert doc.provider == "llmwhisperer" and not [w for w in doc.warnings if "expected" in w]


def test_status_table_words_are_lower_case():
    assert all(w == w.lower() for w in llmwhisperer.STATUS)
