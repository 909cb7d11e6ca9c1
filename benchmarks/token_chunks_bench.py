"""Chunks sized in tokens on a 1,000-page LlamaCloud result (21,000 blocks, a table a page): characters (the
default), then `max_tokens=512, overlap=64` counted by words, by a plain callable and by a byte-level BPE trained
here on the samples (`tokenizers`; nothing is downloaded). Min of 3 rounds each.

    python benchmarks/token_chunks_bench.py [--pages N]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from generate import llamacloud_v2  # noqa: E402

from exporters import ChunkOptions, to_chunks  # noqa: E402
from normalizer import load, normalize  # noqa: E402


def _bpe(folder: str) -> str | None:
    """A 400-token byte-level BPE trained on the samples' text, saved as tokenizer.json (None without tokenizers)."""
    try:
        import tokenizers
    except ImportError:
        return None
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
    texts = []
    for base, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".json", ".txt")):
                try:
                    texts += [b.text for d in load(os.path.join(base, name)) for b in d.blocks if b.text]
                except Exception:  # a sample that does not load is no text to train on
                    continue
    model = tokenizers.Tokenizer(tokenizers.models.BPE(unk_token="[UNK]"))
    model.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    model.train_from_iterator(texts, tokenizers.trainers.BpeTrainer(
        vocab_size=400, special_tokens=["[UNK]"], show_progress=False,
        initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet()))
    path = os.path.join(folder, "tokenizer.json")
    model.save(path)
    return path


def _best(run, rounds: int = 3):
    times, got = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        got = run()
        times.append(time.perf_counter() - start)
    return min(times), got


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    pages = parser.parse_args().pages
    doc = normalize(llamacloud_v2(pages))
    print(f"{pages} pages, {len(doc.blocks):,} blocks")
    seconds, chunks = _best(lambda: to_chunks(doc, ChunkOptions(prefer_provider=False)))
    print(f"  characters, max_chars 2000       {seconds * 1000:8.0f} ms  {len(chunks):,} chunks")
    with tempfile.TemporaryDirectory() as folder:
        for name, tokenizer in (("words (default)", None), ("str.split callable", str.split),
                                ("BPE tokenizer.json", _bpe(folder))):
            if name.startswith("BPE") and tokenizer is None:
                print("  BPE: pip install tokenizers")
                continue
            seconds, chunks = _best(lambda: to_chunks(doc, ChunkOptions(max_tokens=512, overlap=64),
                                                      tokenizer=tokenizer))
            print(f"  {name:<20} 512 / 64     {seconds * 1000:8.0f} ms  {len(chunks):,} chunks")


if __name__ == "__main__":
    main()
