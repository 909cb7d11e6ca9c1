"""Chunks sized in tokens: the limit, table rows kept whole with their header repeated, heading paths, small
neighbours merged, overlap, long blocks cut at sentences. Tokenizers are built here, offline: a whitespace split
for exact counts, and a small BPE trained with `tokenizers` on the samples' own text (nothing is downloaded)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from exporters import ChunkOptions, to_chunks
from exporters.markdown import gfm_table
from exporters.token_count import TokenizerError, count_words, counter
from exporters.token_split import split_text, tail
from normalizer import Document, load
from normalizer.geometry import union
from normalizer.kinds import FURNITURE
from normalizer.schema import Block, Cell, Page, Table

from .conftest import SAMPLES, sample_files


def words(text: str) -> list[str]:
    return text.split()


def _count(text: str) -> int:
    return len(text.split())


def _table(n: int, huge_row: int | None = None) -> Table:
    """Two header rows (a spanned top header) and n body rows; row `huge_row` has a 60-word cell."""
    cells = [Cell(row=0, col=0, row_span=2, text="Berth", header=True),
             Cell(row=0, col=1, col_span=2, text="Tonnes moved", header=True),
             Cell(row=1, col=1, text="2024", header=True), Cell(row=1, col=2, text="2025", header=True)]
    for r in range(2, n + 2):
        first = " ".join(["long"] * 60) if r == huge_row else f"berth {r}"
        cells += [Cell(row=r, col=0, text=first), Cell(row=r, col=1, text=str(100 + r)),
                  Cell(row=r, col=2, text=str(200 + r))]
    return Table(n_rows=n + 2, n_cols=3, cells=cells)


def _box(i: int) -> list[float]:
    return [50.0, 20.0 * i, 500.0, 20.0 * i + 15]


def _doc() -> Document:
    """A report: a title, three short paragraphs, a long one, a captioned table of 40 rows with one giant row, a
    second section with two paragraphs, a page footer."""
    long = " ".join(f"Sentence {k} tells how berth {k} handled its ships in the third quarter." for k in range(12))
    blocks = [Block(id="h1", page=1, kind="heading", level=1, text="Harbor report", bbox=_box(0)),
              Block(id="p1", page=1, kind="paragraph", text="Volumes rose.", bbox=_box(1)),
              Block(id="p2", page=1, kind="paragraph", text="Dwell time fell.", bbox=_box(2)),
              Block(id="p3", page=1, kind="paragraph", text="Cranes were added.", bbox=_box(3)),
              Block(id="p4", page=1, kind="paragraph", text=long, bbox=_box(4)),
              Block(id="h2", page=2, kind="heading", level=2, text="Berths", bbox=_box(5)),
              Block(id="c1", page=2, kind="caption", text="Table 1: tonnes by berth", bbox=_box(6)),
              Block(id="t1", page=2, kind="table", table=_table(40, huge_row=20), captions=["c1"], bbox=_box(7)),
              Block(id="h3", page=2, kind="heading", level=2, text="Outlook", bbox=_box(8)),
              Block(id="p5", page=2, kind="paragraph", text="Growth of three percent is expected.", bbox=_box(9)),
              Block(id="p6", page=2, kind="paragraph", text="Customs go live in May.", bbox=_box(10)),
              Block(id="f1", page=2, kind="footer", text="Harbor Logistics", bbox=_box(11))]
    return Document(provider="t", format="docnorm", pages=[Page(number=1), Page(number=2)], blocks=blocks)


LIMIT = 40


@pytest.fixture(scope="module")
def chunks():
    return to_chunks(_doc(), ChunkOptions(max_tokens=LIMIT), tokenizer=words)


def test_no_chunk_exceeds_the_limit_but_a_single_row_bigger_than_it_which_is_alone_and_flagged(chunks):
    over = [c for c in chunks if _count(c.text) > LIMIT]
    assert len(over) == 1 and over[0].extra["oversize"] is True and over[0].kind == "table"
    assert over[0].text == "| " + " ".join(["long"] * 60) + " | 120 | 220 |"  # the row alone
    assert all(c.extra["tokens"] == _count(c.text) for c in chunks)
    assert [c for c in chunks if c.extra.get("oversize")] == over


def test_table_rows_stay_whole_in_order_with_the_header_rows_repeated(chunks):
    table = _doc().blocks[7].table
    lines = gfm_table(table, "repeat").split("\n")
    head, rows = lines[:3], lines[3:]  # two header rows and the delimiter line
    parts = [c for c in chunks if c.kind == "table"]
    assert len(parts) > 3 and all(c.block_ids == ["c1", "t1"] and c.headings == ["Harbor report", "Berths"]
                                  for c in parts)
    seen = []
    for part in parts:
        text = part.text
        if part.extra.get("oversize"):
            seen.append(text)
            continue
        if text.startswith("Table 1: tonnes by berth\n\n"):
            text = text[len("Table 1: tonnes by berth\n\n"):]
        got = text.split("\n")
        assert got[:3] == head, part.text  # the header rows head every part
        seen += got[3:]
    assert seen == rows  # every row once, in order, none cut
    assert parts[0].text.startswith("Table 1: tonnes by berth\n\n")  # the caption travels with the table


def test_small_neighbours_under_one_heading_merge_and_no_chunk_crosses_a_heading(chunks):
    first = chunks[0]
    assert first.block_ids[:3] == ["p1", "p2", "p3"] and first.text.startswith("Volumes rose.\n\nDwell time fell.")
    outlook = [c for c in chunks if c.headings == ["Harbor report", "Outlook"]]
    assert len(outlook) == 1 and outlook[0].block_ids == ["p5", "p6"]
    section = {"p1": ["Harbor report"], "p2": ["Harbor report"], "p3": ["Harbor report"], "p4": ["Harbor report"],
               "c1": ["Harbor report", "Berths"], "t1": ["Harbor report", "Berths"],
               "p5": ["Harbor report", "Outlook"], "p6": ["Harbor report", "Outlook"]}
    for c in chunks:
        assert all(section[b] == c.headings for b in c.block_ids), c
    assert not any("f1" in c.block_ids for c in chunks)  # page furniture is left out, as in character mode


def test_a_long_block_is_cut_at_sentences_and_every_piece_keeps_its_block_id_and_box(chunks):
    doc = _doc()
    pieces = [c for c in chunks if "p4" in c.block_ids]
    assert len(pieces) >= 3
    assert all(c.text.rstrip().endswith(".") for c in pieces)  # cut between sentences, not inside one
    long = doc.blocks[4].text
    assert " ".join(c.text.replace("\n\n", " ") for c in pieces).endswith(long)  # nothing of it lost
    for c in chunks:  # one location per page, the union of the chunk's blocks' boxes there
        by_id = {b.id: b for b in doc.blocks}
        pages = sorted({by_id[b].page for b in c.block_ids})
        assert [loc.page for loc in c.locations] == pages
        for loc in c.locations:
            assert loc.bbox == union([by_id[b].bbox for b in c.block_ids if by_id[b].page == loc.page])


def test_overlap_repeats_the_end_of_the_previous_chunk_under_the_same_heading():
    plain = to_chunks(_doc(), ChunkOptions(max_tokens=LIMIT), tokenizer=words)
    chunks = to_chunks(_doc(), ChunkOptions(max_tokens=LIMIT, overlap=6), tokenizer=words)
    text_runs = [c for c in chunks if c.kind == "text" and c.headings == ["Harbor report"]]
    assert len(text_runs) >= 3 and "overlap_chars" not in text_runs[0].extra
    for before, after in zip(text_runs, text_runs[1:]):
        n = after.extra["overlap_chars"]
        repeated = after.text[:n].rstrip()
        assert before.text.endswith(repeated) and 1 <= _count(repeated) <= 6
        assert _count(after.text) <= LIMIT
    assert not any("overlap_chars" in c.extra for c in chunks if c.kind == "table")
    outlook = [c for c in chunks if c.headings == ["Harbor report", "Outlook"]]
    assert "overlap_chars" not in outlook[0].extra  # a new section starts fresh
    stripped = [c.text[c.extra.get("overlap_chars", 0):] for c in chunks]
    assert " ".join(stripped).split() == " ".join(c.text for c in plain).split()  # overlap only adds


def test_split_text_falls_back_to_words_then_characters():
    one_sentence = " ".join(f"w{k}" for k in range(25))
    assert split_text(one_sentence, 10, _count) == [" ".join(f"w{k}" for k in range(i, min(i + 10, 25)))
                                                    for i in (0, 10, 20)]
    word = "x" * 20_000
    calls = []

    def chars(text: str) -> int:
        calls.append(1)
        return len(text)
    pieces = split_text(word, 50, chars)
    assert "".join(pieces) == word and {len(p) for p in pieces} == {50}
    assert len(calls) < 400 * 20  # bisection: a few counts per piece, not one per character
    assert tail("a b c d e", 2, _count) == "d e" and tail("enormous", 0, _count) == ""


def test_count_words_counts_cjk_characters_one_each_and_runs_of_punctuation_in_linear_time():
    assert count_words("港口吞吐量 rose 4%") == 5 + 1 + 2
    assert count_words("!" * 200_000) == 200_000
    assert split_text("!" * 5_000, 100, count_words) == ["!" * 100] * 50


@pytest.fixture(scope="module")
def bpe_file(tmp_path_factory):
    """A byte-level BPE of 400 tokens trained on the samples' text: a real subword tokenizer, made offline."""
    tokenizers = pytest.importorskip("tokenizers")
    texts = [b.text for p in sample_files() for d in load(p) for b in d.blocks if b.text]
    model = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="[UNK]"))
    model.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = tokenizers.trainers.BpeTrainer(vocab_size=400, special_tokens=["[UNK]"], show_progress=False,
                                             initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet())
    model.train_from_iterator(texts, trainer)
    model.enable_truncation(8)  # the file's own truncation must not cap the counts
    path = tmp_path_factory.mktemp("bpe") / "tokenizer.json"
    model.save(str(path))
    return path


@pytest.mark.parametrize("limit", [16, 64, 256])
def test_every_sample_chunked_by_a_trained_bpe_stays_within_the_limit_and_loses_no_block(bpe_file, limit):
    import tokenizers
    real = tokenizers.Tokenizer.from_file(str(bpe_file))
    real.no_truncation()
    for path in sample_files():
        for doc in load(path):
            chunks = to_chunks(doc, ChunkOptions(max_tokens=limit, overlap=limit // 8), tokenizer=str(bpe_file))
            for c in chunks:
                n = len(real.encode(c.text, add_special_tokens=False).ids)
                assert n == c.extra["tokens"], (path, c.id)
                assert n <= limit or (c.extra.get("oversize") and c.kind == "table"), (path, c.id, n)
            kept = {b for c in chunks for b in c.block_ids}
            wanted = {b.id for b in doc.blocks if b.kind not in FURNITURE and b.kind != "heading"
                      and (b.text or b.latex or b.table and b.table.n_rows)}
            assert wanted <= kept, (path, wanted - kept)


def test_a_tiktoken_encoding_is_named_and_counted_without_any_download(monkeypatch):
    tiktoken = pytest.importorskip("tiktoken")
    made = tiktoken.Encoding("docnorm_test_bytes", pat_str=r"\S+|\s+",
                             mergeable_ranks={bytes([b]): b for b in range(256)}, special_tokens={})
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: made if name == "docnorm_test_bytes" else 1 / 0)
    count = counter("docnorm_test_bytes")
    assert count("héllo") == len("héllo".encode())  # one token per byte in this encoding
    chunks = to_chunks(load(SAMPLES / "same_report" / "harbor_q3_baidu.json")[0], ChunkOptions(max_tokens=120),
                       tokenizer="docnorm_test_bytes")
    assert all(len(c.text.encode()) <= 120 or c.extra.get("oversize") for c in chunks)
    assert counter(made)("abc") == 3  # a loaded Encoding is taken as it is


def test_a_missing_library_or_file_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tiktoken", None)
    with pytest.raises(ImportError, match=r"pip install 'docnorm\[tiktoken\]'"):
        counter("some_encoding_never_loaded")
    with pytest.raises(TokenizerError, match="no such file"):
        counter(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("{}")
    pytest.importorskip("tokenizers")
    with pytest.raises(TokenizerError, match="not a Hugging Face tokenizer file"):
        counter(str(tmp_path / "bad.json"))
    with pytest.raises(ValueError, match="overlap"):
        ChunkOptions(max_tokens=10, overlap=10)


@pytest.mark.parametrize("module", ["exporters.token_count", "exporters.token_split", "exporters.token_chunks",
                                    "exporters.figure_files", "viewer.cli.common", "viewer.cli.export"])
def test_module_examples_run(module, monkeypatch):
    """Every public function of the modules this change added to carries an example that runs."""
    import doctest
    import importlib

    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def docnorm(*args):
    return subprocess.run(["docnorm", *map(str, args)], capture_output=True, text=True)


def test_the_command_line_sizes_chunks_with_a_tokenizer_file_and_refuses_mistakes_before_any_work(bpe_file, tmp_path):
    import json

    import tokenizers
    real = tokenizers.Tokenizer.from_file(str(bpe_file))
    real.no_truncation()
    sample = SAMPLES / "llamacloud" / "annual_report_v2.json"
    out = docnorm("export", sample, "--to", "chunks", "--max-tokens", 48, "--overlap", 6, "--tokenizer", bpe_file)
    assert out.returncode == 0, out.stderr
    chunks = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(chunks) > 5 and all(len(real.encode(c["text"], add_special_tokens=False).ids) <= 48
                                   or c["extra"].get("oversize") for c in chunks)
    same = docnorm("export", sample, "--to", "chunks", "--opt", "max_tokens=48", "--opt", "overlap=6",
                   "--tokenizer", bpe_file)
    assert same.stdout == out.stdout  # the flags are the options
    for args, message in [(("--max-tokens", 10, "--tokenizer", tmp_path / "nope.json"), "no such file"),
                          (("--max-tokens", 10, "--overlap", 10), "overlap (10) must be less than max_tokens"),
                          (("--tokenizer", bpe_file), "give both"), (("--overlap", 3), "give both")]:
        bad = docnorm("export", sample, "--to", "chunks", *args, "-o", tmp_path / "x.jsonl")
        assert bad.returncode == 2 and message in bad.stderr and not (tmp_path / "x.jsonl").exists(), bad.stderr
    wrong = docnorm("export", sample, "--to", "md", "--max-tokens", 10)
    assert wrong.returncode == 2 and "--max-tokens is for --to chunks" in wrong.stderr
