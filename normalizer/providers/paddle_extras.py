"""PaddleOCR's page parts beside `parsing_res_list`, read onto the blocks `paddle.py` made: the layout detections'
scores, the images the service names, the running headers (PP-StructureV3's OCR lines and table cell boxes are in
`paddle_ocr.py`).

Every matching here is bounded: detections are found by their exact box first (a dict), and the fallback by
overlap stops at a fixed number of comparisons per page (`COMPARISONS`), as the placing of OCR lines does.
"""

from __future__ import annotations

import math
from typing import Any

import msgspec
from msgspec import UNSET

from ..errors import Repairs, describe
from ..geometry import clean_box, points_box
from ..schema import BBox, Block, Document, Image, Page
from ..typed import Raw, as_json, present_getter
from .paddle_shape import DetBox, DocPre, LayoutDet, PageInfo, TableRes


def fields_of(cls: type[Raw]) -> Any:
    """`as_json` for one struct type, fast enough for a per-block loop (`as_json` looks the fields up every call):
    the fields the input had and its unknown keys, nulls left out.

    Example:
        >>> fields_of(DetBox)(DetBox(label="text", score=0.5))
        {'label': 'text', 'score': 0.5}
    """
    add = present_getter(tuple(f.name for f in msgspec.structs.fields(cls) if f.name != "rest"))

    def of(obj: Raw) -> dict[str, Any]:
        out: dict[str, Any] = {}
        add(obj, out)
        return out
    return of


det_json, table_json, pre_json, info_json = (fields_of(DetBox), fields_of(TableRes), fields_of(DocPre),
                                             fields_of(PageInfo))

def deep_json(value: Any) -> Any:
    """A provider struct (or list of them) as plain JSON values, however deep, for `extra`.

    Example:
        >>> deep_json([DetBox(label="text", score=0.5)])
        [{'label': 'text', 'score': 0.5}]
    """
    if isinstance(value, Raw):
        return {k: deep_json(v) for k, v in as_json(value).items()}
    if isinstance(value, list):
        return [deep_json(v) for v in value]
    return value


COMPARISONS = 200_000  # per page: blocks x detections, lines x blocks
MIN_OVERLAP = 0.5  # intersection over union for a detection to be a block's


def score(value: Any) -> float | None:
    """A confidence in 0..1, or None for anything else.

    Example:
        >>> score(0.93), score(1.5), score(float("nan")), score(True)
        (0.93, None, None, None)
    """
    if type(value) is float and math.isfinite(value) and 0 <= value <= 1:
        return value
    if type(value) is int and 0 <= value <= 1:
        return float(value)
    return None


def any_box(value: Any) -> BBox | None:
    """A box given as `[x0, y0, x1, y1]`, eight corner numbers or four `[x, y]` corners; None otherwise.

    Example:
        >>> any_box([1, 2, 3, 4]), any_box([[1, 2], [5, 2], [5, 6], [1, 6]]), any_box([1, 2, 3, 4, 5, 6, 7, 8])
        ([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 5.0, 6.0], [1.0, 2.0, 7.0, 8.0])
    """
    if type(value) is not list:
        return None
    if len(value) == 4 and all(type(v) is not list for v in value):
        return clean_box(value)
    if len(value) == 8 and all(type(v) is not list for v in value):
        return points_box([value[k:k + 2] for k in range(0, 8, 2)])
    return points_box(value)


def _iou(a: BBox, b: BBox) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _key(label: str | None, box: BBox) -> tuple[Any, ...]:
    return (label, int(box[0]), int(box[1]), int(box[2]), int(box[3]))


_UNSET_OR_NONE = (UNSET, None)
_NUMBERS = (int, float)


def _whole(label: str | None, c: Any) -> tuple[Any, ...] | None:
    """The exact-match key of four finite numbers in corner order, cut to whole pixels (the common case, without
    `clean_box`'s work); None for anything else, which `clean_box` then judges."""
    if type(c) is not list or len(c) != 4:
        return None
    a, b, x, y = c
    if type(a) in _NUMBERS and type(b) in _NUMBERS and type(x) in _NUMBERS and type(y) in _NUMBERS and a <= x \
            and b <= y:
        try:
            return (label, int(a), int(b), int(x), int(y))
        except (ValueError, OverflowError):  # NaN, infinity
            return None
    return None


class Detections:
    """A page's layout detections, to give each block the score of the detection it came from: the one of its label
    whose box, cut to whole pixels, is the block's (as both pipelines make a block's box), else the best overlap.

    Example:
        >>> dets = Detections(LayoutDet(boxes=[DetBox(label="text", score=0.97, coordinate=[10.4, 20.2, 90.7, 40.1])]))
        >>> block = Block(id="p1-b0", page=1, kind="paragraph", bbox=[10, 20, 90, 40], extra={"block_label": "text"})
        >>> dets.give(block, dets.match("text", block.bbox), Repairs(), "$"); block.confidence, dets.leftover()
        (0.97, [])
    """

    __slots__ = ("boxes", "frames", "keys", "exact", "by_label", "used", "budget", "last")

    def __init__(self, ld: LayoutDet | None):
        self.boxes: list[DetBox] = list(ld.boxes or ()) if ld is not None else []
        self.frames: dict[int, BBox | None] = {}  # read when first needed (the overlap fallback)
        self.keys: list[tuple[Any, ...] | None] = []
        self.exact: dict[tuple[Any, ...], int] = {}
        self.by_label: dict[str | None, list[int]] = {}
        for i, box in enumerate(self.boxes):
            key = _whole(box.label, box.coordinate)
            if key is None and box.coordinate is not None:
                frame = self.frame(i)
                key = None if frame is None else _key(box.label, frame)
            self.keys.append(key)
            if key is None:
                continue
            if key not in self.exact:
                self.exact[key] = i
            found = self.by_label.get(box.label)
            if found is None:
                self.by_label[box.label] = [i]
            else:
                found.append(i)
        self.used: set[int] = set()
        self.budget = COMPARISONS
        self.last: tuple[Any, ...] | None = None  # the key of the block last matched

    def frame(self, i: int) -> BBox | None:
        """Detection `i`'s box, read once."""
        if i not in self.frames:
            c = self.boxes[i].coordinate
            self.frames[i] = clean_box(c) or (any_box(c) if c is not None else None)
        return self.frames[i]

    def match(self, label: str, bbox: BBox | None) -> int | None:
        """The index of the detection a block came from, once per detection; None when none fits."""
        if bbox is None or not self.boxes:
            return None
        self.last = key = _key(label, bbox)
        found = self.exact.get(key)
        if found is not None and found not in self.used:
            self.used.add(found)
            return found
        best, best_iou = None, MIN_OVERLAP
        candidates = self.by_label.get(label, ())
        self.budget -= len(candidates)
        if self.budget < 0:
            return None
        for i in candidates:
            frame = self.frame(i)
            if i not in self.used and frame is not None:
                overlap = _iou(bbox, frame)
                if overlap >= best_iou:
                    best, best_iou = i, overlap
        if best is not None:
            self.used.add(best)
        return best

    def give(self, block: Block, index: int, repairs: Repairs, path: str) -> None:
        """The detection's score as the block's confidence; its other fields in `extra.layout_det` (its label, box
        and polygon only where they are not the block's)."""
        box = self.boxes[index]
        det: dict[str, Any] = {"index": index}
        if box.cls_id not in _UNSET_OR_NONE:
            det["cls_id"] = box.cls_id
        conf = block.confidence = score(box.score)
        if conf is None and box.score is not None:
            repairs(f"{path}.layout_det_res.boxes[{index}].score", f"expected a score in 0..1, found "
                                                                     f"{describe(box.score)}", "kept in extra")
            det["score"] = box.score
        if box.label != block.extra.get("block_label") and box.label is not None:
            det["label"] = box.label
        key, mine = self.keys[index], self.last
        if box.coordinate is not None and (key is None or mine is None or key[1:] != mine[1:]):
            det["coordinate"] = box.coordinate
        if box.order not in _UNSET_OR_NONE:
            det["order"] = box.order
        polygon = box.polygon_points
        if polygon not in _UNSET_OR_NONE and polygon != block.extra.get("block_polygon_points"):
            det["polygon_points"] = polygon
        if box.rest:
            det.update(box.rest)
        block.extra["layout_det"] = det

    def leftover(self) -> list[dict[str, Any]]:
        """The detections no block came from (dropped or merged by the pipeline), as given."""
        return [{"index": i, **det_json(b)} for i, b in enumerate(self.boxes) if i not in self.used]


# --- images ----------------------------------------------------------------------------------------------------

def img_src(html: str) -> str | None:
    """The `src` of the first `<img>` tag of an HTML fragment (what `format_block_content` writes for a picture).

    Example:
        >>> img_src('<div style="text-align: center;"><img src="imgs/a.jpg" alt="Image" width="50%" /></div>')
        'imgs/a.jpg'
    """
    lower = html.lower()
    start = lower.find("<img")
    end = lower.find(">", start)
    at = lower.find("src=", start, end if end >= 0 else len(lower)) if start >= 0 else -1
    if at < 0:
        return None
    quote = html[at + 4:at + 5]
    if quote in ("'", '"'):
        close = html.find(quote, at + 5)
        return html[at + 5:close] if close >= 0 else None
    stop = next((k for k in range(at + 4, end if end >= 0 else len(html)) if html[k] in " />"), len(html))
    return html[at + 4:stop] or None


def named_box(name: str) -> tuple[str, tuple[int, int, int, int]] | None:
    """The label and whole-pixel box an image's name records: PaddleX names a picture's crop
    `imgs/img_in_{label}_box_{x0}_{y0}_{x1}_{y1}.jpg`.

    Example:
        >>> named_box("imgs/img_in_image_box_774_201_1502_685.jpg")
        ('image', (774, 201, 1502, 685))
    """
    base = name.rsplit("/", 1)[-1]
    cut = base.rfind("_box_")
    if not base.startswith("img_in_") or cut < 0:
        return None
    parts = base[cut + 5:].rsplit(".", 1)[0].split("_")
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts):
        return None
    x0, y0, x1, y1 = (int(p) for p in parts)
    return base[7:cut], (x0, y0, x1, y1)


def markdown_images(images: dict[str, Any], page: Page, blocks: list[Block]) -> list[Image]:
    """The service's `markdown.images` (name -> URL or Base64 JPEG) as the document's images, each on the block
    whose label and box its name records.

    Example:
        >>> figure = Block(id="p1-b0", page=1, kind="figure", bbox=[10, 20, 30, 40], extra={"block_label": "image"})
        >>> images = markdown_images({"imgs/img_in_image_box_10_20_30_40.jpg": "https://x.org/a.jpg"}, Page(number=1),
        ...                          [figure])
        >>> figure.image.url, images[0].bbox
        ('https://x.org/a.jpg', [10, 20, 30, 40])
    """
    if not images:
        return []
    by_box = {_key(b.extra.get("block_label"), b.bbox): b for b in blocks if b.bbox is not None}
    out = []
    for name, value in images.items():
        url = value if isinstance(value, str) and value.startswith(("http://", "https://")) else None
        found = named_box(name)
        block = by_box.get((found[0], *found[1])) if found is not None else None
        image = Image(page=page.number, name=name, url=url, bbox=block.bbox if block is not None else None,
                      extra={} if url is not None else {"data": value})
        if block is not None and block.image is None:
            block.image = Image(page=page.number, name=name, url=url, bbox=block.bbox)
        out.append(image)
    return out


# --- running headers -------------------------------------------------------------------------------------------

TOP_BAND = 0.1  # a running header lies in the top tenth of the page


def running_headers(doc: Document, repairs: Repairs) -> None:
    """A `paragraph_title` whose text recurs at the top of two pages or more is the page's running header (the
    layout model labels some headers so): its kind becomes `header`, with a note naming the pages (an
    interpretation, not a repair of bad input: strict mode reads it too).

    Example:
        >>> from normalizer.schema import Block, Document, Page
        >>> titles = [Block(id=f"p{n}-b0", page=n, kind="heading", text="Annual Report", bbox=[0, 10, 90, 40],
        ...                 extra={"block_label": "paragraph_title"}) for n in (1, 2)]
        >>> doc = Document(provider="paddle", format="paddle.vl", pages=[Page(number=n, height=1000) for n in (1, 2)],
        ...                blocks=titles)
        >>> running_headers(doc, Repairs()); [b.kind for b in doc.blocks]
        ['header', 'header']
    """
    titles = [b for b in doc.blocks if b.kind == "heading" and b.extra.get("block_label") == "paragraph_title"
              and b.bbox is not None and b.text.strip()]
    if len({b.page for b in titles}) < 2:
        return
    heights = {p.number: p.height for p in doc.pages}
    tops = _tops(doc.blocks, {b.page for b in titles if not heights.get(b.page)})
    seen: dict[str, list[Block]] = {}
    for block in titles:
        if _at_top(block, heights.get(block.page), tops.get(block.page, [])):
            seen.setdefault(" ".join(block.text.split()).casefold(), []).append(block)
    for found in seen.values():
        pages = sorted({b.page for b in found})
        if len(pages) < 2:
            continue
        for block in found:
            block.kind, block.level = "header", None
        repairs.note("$", f"expected a paragraph_title to be a heading, found {found[0].text.strip()[:60]!r} at the "
                          f"top of pages {', '.join(map(str, pages))}; read as the page's running header")


def _tops(blocks: list[Block], pages: set[int]) -> dict[int, list[tuple[float, int]]]:
    """For the pages of unknown height, the two highest tops (y0, id of the block): whether a block lies above
    every other one of its page."""
    tops: dict[int, list[tuple[float, int]]] = {}
    if not pages:
        return tops
    for block in blocks:
        if block.page in pages and block.bbox is not None:
            two = tops.setdefault(block.page, [])
            two.append((block.bbox[1], id(block)))
            if len(two) > 2:
                two.sort(key=lambda t: t[0])
                two.pop()
    return tops


def _at_top(block: Block, height: float | None, tops: list[tuple[float, int]]) -> bool:
    """In the top band of a page of known height; else above every other block of its page."""
    if block.bbox is None:
        return False
    if height:
        return block.bbox[3] <= height * TOP_BAND
    others = sorted(y for y, j in tops if j != id(block))
    return bool(others) and block.bbox[3] <= others[0]
