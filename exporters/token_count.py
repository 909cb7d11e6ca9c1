"""How many tokens a text is, for chunks sized in tokens (`ChunkOptions.max_tokens`).

A tokenizer is named once and resolved into a `Counter` (text -> number of tokens), read in this order:

- None or `"words"`: words and punctuation marks, each CJK character one (no dependency; a rough stand-in);
- a callable: `len(tokenizer(text))`, or the int it returns;
- an object with `encode`: a tiktoken `Encoding` or a `tokenizers.Tokenizer` already loaded;
- a path ending in `.json`, or an existing file: a Hugging Face `tokenizers` JSON file
  (`pip install 'docnorm[tokenizers]'`);
- any other name: a tiktoken encoding such as `cl100k_base` (`pip install 'docnorm[tiktoken]'`; tiktoken downloads
  an encoding's file on its first use and caches it, in `TIKTOKEN_CACHE_DIR` when set).

Special tokens are counted as the text they are; a tokenizer file's own truncation and padding are switched off.
Files and encodings are loaded once per process (a corpus export's workers each load it once).
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Callable

from normalizer.errors import DocnormError

from .optional import need_extra

Counter = Callable[[str], int]

WORDS = "words"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+|[^\\w\\s]")  # linear: one character class per alternative


class TokenizerError(DocnormError, ValueError):
    """A tokenizer that cannot be loaded: a missing file, an unknown encoding name, a file that is not one."""


def count_words(text: str) -> int:
    """The default count: words, punctuation marks and CJK characters, one token each.

    >>> count_words("Port volume rose 4.2% (Q3).")  # Port volume rose 4 . 2 % ( Q3 ) .
    11
    """
    return len(_WORD.findall(text))


def _from_callable(fn: Callable[[str], Any]) -> Counter:
    def count(text: str) -> int:
        got = fn(text)
        return got if isinstance(got, int) else len(got)
    return count


def _from_encoder(encoder: Any) -> Counter:
    """A tiktoken Encoding (`encode_ordinary`: special tokens as plain text) or a tokenizers Tokenizer."""
    if hasattr(encoder, "encode_ordinary"):
        return lambda text: len(encoder.encode_ordinary(text))

    def count(text: str) -> int:  # tokenizers' Encoding has .ids; a transformers tokenizer returns the list
        got = encoder.encode(text, add_special_tokens=False)
        return len(got.ids if hasattr(got, "ids") else got)
    return count


@functools.lru_cache(maxsize=8)
def _tokenizer_file(path: str, size: int, mtime: int) -> Counter:
    tokenizers = need_extra("tokenizers", "tokenizers", "tokenizers")
    try:
        tokenizer = tokenizers.Tokenizer.from_file(path)
    except Exception as exc:  # the library's own error (a Rust panic message, an OSError…): say which file
        raise TokenizerError(f"--tokenizer {path}: not a Hugging Face tokenizer file ({str(exc)[:200]})") from None
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return _from_encoder(tokenizer)


@functools.lru_cache(maxsize=8)
def _encoding(name: str) -> Counter:
    tiktoken = need_extra("tiktoken", "tiktoken", "tiktoken")
    try:
        return _from_encoder(tiktoken.get_encoding(name))
    except ValueError as exc:  # "Unknown encoding …": the names it knows follow in its message
        raise TokenizerError(f"--tokenizer {name}: {(str(exc).splitlines() or [''])[0][:300]}") from None
    except OSError as exc:  # the encoding's file could not be fetched (no network) or read
        raise TokenizerError(f"--tokenizer {name}: cannot load the encoding: tiktoken downloads its file on first "
                             f"use and caches it (TIKTOKEN_CACHE_DIR) ({str(exc)[:160]})") from None


def _named(name: str) -> Counter:
    if name == WORDS:
        return count_words
    if name.endswith(".json") or os.path.isfile(name):
        try:
            st = os.stat(name)
        except OSError as exc:
            raise TokenizerError(f"--tokenizer {name}: no such file ({exc.strerror or exc})") from None
        return _tokenizer_file(os.path.abspath(name), st.st_size, st.st_mtime_ns)
    return _encoding(name)


def counter(tokenizer: str | Callable[[str], Any] | Any | None = None) -> Counter:
    """The token count `tokenizer` gives (the module's table says how each form is read).

    Raises:
        TokenizerError: a file or encoding that cannot be loaded.
        ImportError: tiktoken or tokenizers is not installed (the message gives the pip command).

    Example:
        >>> counter(str.split)("three short words")
        3
        >>> counter()("Tonnage, by berth.")
        5
    """
    if tokenizer is None:
        return count_words
    if isinstance(tokenizer, str):
        return _named(tokenizer)
    if hasattr(tokenizer, "encode"):
        return _from_encoder(tokenizer)
    if callable(tokenizer):
        return _from_callable(tokenizer)
    raise TokenizerError(f"a tokenizer is a callable, an encoding name or a tokenizer file, found "
                         f"{type(tokenizer).__name__}")
