"""A PDF page's words as the audit reads them: the text each word says, its key (the text normalized), its box as
fractions of the page shown, and its line; and the search for the words under a box.

The page workers (`exporters.pages.worker.text`) read the words in points, origin top-left, with the page's rotation
and crop box applied; here they become fractions of that page (0..1 both ways), the one frame in which a result's
page of any unit and size meets its PDF page.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

import numpy as np

Box = tuple[float, float, float, float]


def normalize_text(text: str) -> str:
    """The key two texts are compared by: NFKC, case-folded, letters and digits only (spaces, punctuation,
    hyphens and dashes dropped), so a line break, a ligature, a curly quote or a hyphenated word does not count
    as a difference.

    Example:
        >>> normalize_text("Tokeni-\\nzation, “OTSL” ﬁnal")
        'tokenizationotslfinal'
    """
    return "".join(filter(str.isalnum, unicodedata.normalize("NFKC", text).casefold()))


class PageWords(NamedTuple):
    """One PDF page's words: `boxes` (n x 4) and centres in fractions of the page, `keys` normalized, `line` the
    line of each word, `string` every key joined and `offsets` where each word's key starts in it."""

    size: tuple[float, float]  # the page in points, as shown
    words: list[str]
    keys: list[str]
    boxes: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    line: np.ndarray
    string: str
    offsets: np.ndarray
    by_y: np.ndarray  # word indices ordered by the centre's y, for the band search
    y_sorted: np.ndarray

    @property
    def chars(self) -> int:
        """The page's text in key characters."""
        return len(self.string)


def _shown(raw: bytes, turn: int, crop: list[float]) -> np.ndarray:
    """The worker's first- and last-character boxes (page space: origin bottom-left, y up) as one box a word on
    the page as shown: origin top-left at the crop box's corner, the page's /Rotate applied; n x 4 points."""
    chars = np.frombuffer(raw, dtype="<f4").astype(np.float64).reshape(-1, 8) if raw else np.zeros((0, 8))
    left, top = np.minimum(chars[:, 0], chars[:, 4]), np.maximum(chars[:, 1], chars[:, 5])
    right, bottom = np.maximum(chars[:, 2], chars[:, 6]), np.minimum(chars[:, 3], chars[:, 7])
    cl, cb, cr, ct = crop
    if turn == 90:
        xs, ys = (top - cb, bottom - cb), (left - cl, right - cl)
    elif turn == 180:
        xs, ys = (cr - left, cr - right), (top - cb, bottom - cb)
    elif turn == 270:
        xs, ys = (ct - top, ct - bottom), (cr - left, cr - right)
    else:
        xs, ys = (left - cl, right - cl), (ct - top, ct - bottom)
    return np.stack([np.minimum(*xs), np.minimum(*ys), np.maximum(*xs), np.maximum(*ys)], axis=1)


def page_words(payload: list) -> PageWords:
    """The page the worker read (`[width, height, rotation, crop box, words, boxes, line_starts]`, see
    `exporters.pages.worker.text`) as fractions of the page as shown.

    Example:
        >>> import array
        >>> boxes = array.array("f", [10, 180, 20, 170, 30, 180, 40, 170] * 2).tobytes()
        >>> p = page_words([100.0, 200.0, 0, [0, 0, 100, 200], ["Hello", "world"], boxes, [0, 1]])
        >>> p.keys, p.boxes[1].tolist(), p.string, p.line.tolist()
        (['hello', 'world'], [0.1, 0.1, 0.4, 0.15], 'helloworld', [0, 1])
    """
    width, height, turn, crop, words, raw, line_starts = payload
    boxes = _shown(raw, int(turn) % 360, [float(v) for v in crop])
    if len(boxes) != len(words):
        raise ValueError(f"the page reader sent {len(words)} words and {len(boxes)} boxes")
    if width > 0 and height > 0:
        boxes = boxes / np.array([width, height, width, height])
    keys = [normalize_text(w) for w in words]
    starts = np.asarray(sorted(set(line_starts) | {0}), dtype=np.int64)
    line = np.searchsorted(starts, np.arange(len(words)), side="right") - 1
    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    by_y = np.argsort(cy, kind="stable")
    return PageWords((float(width), float(height)), list(words), keys, boxes, cx, cy, line, "".join(keys), offsets,
                     by_y, cy[by_y])


def under(page: PageWords, box: Box, margin: float) -> np.ndarray:
    """The indices of the words whose centre lies in `box` (fractions, widened by `margin` each side), in the
    page's own order: a band search on y, then x, so the cost follows the words near the box, not the page.

    Example:
        >>> import array
        >>> boxes = array.array("f", [0, 100, 10, 90] * 2 + [50, 50, 60, 40] * 2).tobytes()
        >>> p = page_words([100.0, 100.0, 0, [0, 0, 100, 100], ["a", "b"], boxes, [0, 1]])
        >>> under(p, (0.0, 0.0, 0.2, 0.2), 0.01).tolist()
        [0]
    """
    lo = np.searchsorted(page.y_sorted, box[1] - margin, side="left")
    hi = np.searchsorted(page.y_sorted, box[3] + margin, side="right")
    band = page.by_y[lo:hi]
    xs = page.cx[band]
    return np.sort(band[(xs >= box[0] - margin) & (xs <= box[2] + margin)])


def words_of_span(page: PageWords, start: int, end: int) -> np.ndarray:
    """The words whose keys cover characters `start`..`end` (exclusive) of `page.string`: where a text found by
    searching the page's keys lies on the page.

    Example:
        >>> p = page_words([100.0, 100.0, 0, [0, 0, 100, 100], ["one", "two", "three"], bytes(96), [0]])
        >>> words_of_span(p, p.string.find("etwo"), p.string.find("etwo") + 4).tolist()
        [0, 1]
    """
    first = int(np.searchsorted(page.offsets, start, side="right")) - 1
    last = int(np.searchsorted(page.offsets, end, side="left"))
    return np.arange(max(first, 0), min(max(last, first + 1), len(page.words)))


def union(page: PageWords, indices: np.ndarray) -> Box:
    """The box around these words (fractions): where a run of words lies, for an anchor or a missed line.

    Example:
        >>> import array
        >>> boxes = array.array("f", [0, 100, 10, 90] * 2 + [50, 50, 60, 40] * 2).tobytes()
        >>> union(page_words([100.0, 100.0, 0, [0, 0, 100, 100], ["a", "b"], boxes, [0]]), np.array([0, 1]))
        (0.0, 0.0, 0.6, 0.6)
    """
    b = page.boxes[indices]
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def empty_page(size: tuple[float, float] = (0.0, 0.0)) -> PageWords:
    """A page with no words: what an image source has (it has no text layer), without asking a worker.

    Example:
        >>> empty_page((612.0, 792.0)).words, empty_page().chars
        ([], 0)
    """
    return page_words([size[0], size[1], 0, [0.0, 0.0, size[0], size[1]], [], b"", []])
