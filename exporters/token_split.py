"""Text cut to a token budget at the gentlest boundary that serves: sentences (and line breaks), then words, then,
for a single word longer than the budget, characters. Every pattern here is linear in the text.
"""

from __future__ import annotations

import re

from .token_count import Counter

# Where a piece may end: after a sentence's closing mark and the space after it (or a CJK one, no space needed)
# or a line break; then after any whitespace. A lookbehind of one character keeps each pattern linear.
LEVELS = (re.compile(r"(?<=[.!?;:])\s+|(?<=[。！？；])\s*|\n+"), re.compile(r"\s+"))
_WORD_START = re.compile(r"\S+")


def split_text(text: str, limit: int, count: Counter) -> list[str]:
    """`text` in pieces of at most `limit` tokens each (stripped; nothing but whitespace dropped), cut at
    sentences, then words, then characters. A single character counting more than `limit` is a piece of its own.

    >>> split_text("One two. Three four five. Six.", 4, lambda t: len(t.split()))
    ['One two.', 'Three four five. Six.']
    """
    return [piece.strip() for piece in _split(text, max(limit, 1), count, 0) if piece.strip()]


def counted_pieces(text: str, limit: int, count: Counter) -> list[tuple[str, int]]:
    """`split_text` with each piece's count: a text within the limit (the common case) is counted once.

    >>> counted_pieces("  Two words. ", 5, lambda t: len(t.split()))
    [('Two words.', 2)]
    """
    whole = text.strip()
    n = count(whole)
    if n <= limit:
        return [(whole, n)] if whole else []
    return [(piece, count(piece)) for piece in split_text(text, limit, count)]


def _split(text: str, limit: int, count: Counter, level: int) -> list[str]:
    if count(text.strip()) <= limit:
        return [text]
    if level == len(LEVELS):
        return _by_characters(text, limit, count)
    units = _cut(text, LEVELS[level])
    if len(units) < 2:
        return _split(text, limit, count, level + 1)
    sized: list[tuple[str, int]] = []
    for unit in units:
        n = count(unit.strip())
        if n > limit:
            sized += [(part, count(part.strip())) for part in _split(unit, limit, count, level + 1)]
        else:
            sized.append((unit, n))
    return _pack(sized, limit, count)


def _cut(text: str, pattern: re.Pattern[str]) -> list[str]:
    """`text` cut after each match of `pattern` (the pieces join back into `text`)."""
    pieces, at = [], 0
    for m in pattern.finditer(text):
        if at < m.end() < len(text):
            pieces.append(text[at:m.end()])
            at = m.end()
    pieces.append(text[at:])
    return [p for p in pieces if p]


def _pack(sized: list[tuple[str, int]], limit: int, count: Counter) -> list[str]:
    """Consecutive units (text, tokens) joined greedily into pieces of at most `limit` tokens: the counts are
    added, then each piece is counted whole (tokens can merge across a cut) and halved while it is over."""
    pieces: list[str] = []
    group: list[str] = []
    total = 0
    for text, n in sized:
        if group and total + n > limit:
            pieces += _exact(group, limit, count)
            group, total = [], 0
        group.append(text)
        total += n
    if group:
        pieces += _exact(group, limit, count)
    return pieces


def _exact(units: list[str], limit: int, count: Counter) -> list[str]:
    text = "".join(units)
    if len(units) == 1 or count(text.strip()) <= limit:
        return [text]
    half = len(units) // 2
    return _exact(units[:half], limit, count) + _exact(units[half:], limit, count)


def _by_characters(text: str, limit: int, count: Counter) -> list[str]:
    """A text with no gentler boundary (one long word, a URL): the longest prefixes within `limit`, found by
    bisection (a character's tokens never shrink when the text grows in byte-level encodings)."""
    pieces = []
    while text:
        lo, hi = 1, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(text[:lo])
        text = text[lo:]
    return pieces


def tail(text: str, tokens: int, count: Counter) -> str:
    """The longest end of `text` that starts at a word and counts at most `tokens` ("" when even its last word
    is longer): the overlap a chunk repeats from the one before it.

    >>> tail("alpha beta gamma delta", 2, lambda t: len(t.split()))
    'gamma delta'
    """
    if tokens <= 0:
        return ""
    # Only the last words can fit: a word is a token at least (no token spans two words once a pre-tokenizer has
    # split them), so a window of 4 x tokens words bounds every count here by the overlap, not the chunk.
    window = max(len(text) - 64 * (tokens + 1), 0)
    starts = [m.start() for m in _WORD_START.finditer(text, window)]
    if window and starts and not text[starts[0] - 1].isspace():  # the window began inside a word
        starts = starts[1:]
    starts = starts[-4 * tokens - 1:]
    lo, hi = 0, len(starts)  # the first start whose end fits; hi = len(starts) means none does
    while lo < hi:
        mid = (lo + hi) // 2
        if count(text[starts[mid]:].rstrip()) <= tokens:
            hi = mid
        else:
            lo = mid + 1
    return text[starts[lo]:].rstrip() if lo < len(starts) else ""
