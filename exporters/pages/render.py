"""Visual debugging from Python and the command line: a page's boxes drawn over its real page, as a PNG.

pdfplumber's `PageImage` is the model: the source page (PDF or image, rendered by the bounded workers of
`page_images`) or a blank page when there is none, each block's box outlined in its kind's colour (the viewer's),
optionally numbered in reading order and labelled with its kind. With a second result, both pages side by side,
boxes coloured same / changed / only-in-one as in the compare view. The boxes are stretched with the page: a
result whose page is not the source page's shape says so in a red line at the top, as the viewer does.
"""

from __future__ import annotations

import io
import os
from typing import Callable, Iterable, Iterator

from normalizer.schema import Block, Document, Page

from ..kinds import kind_style
from ..optional import need
from .frame import SourcePage, aspect_note, drawn_boxes, frame, page_blocks
from .images import MAX_PIXELS, PageImages, SourceError, default_pool

EMBED_WIDTH = 800  # pixels across a page embedded in an HTML report: readable, and ~100 KB a page
MARK_COLOUR = {"same": "#2e9d57", "changed": "#e0a800", "only": "#d63031"}  # the compare view's
_GAP = 16  # pixels between the two pages of a comparison
INSTALL = "pip install pillow pypdfium2"

Colour = Callable[[Block], str]


def _pil():
    need("PIL", INSTALL, "render_page needs Pillow (and pypdfium2 for PDF sources)")
    from PIL import Image, ImageDraw, ImageFont
    return Image, ImageDraw, ImageFont


def _pager(doc: Document) -> Callable[[int], Page]:
    """Page by number (the first of that number), looked up in a dict: drawing every page stays linear."""
    by_number: dict[int, Page] = {}
    for page in doc.pages:
        by_number.setdefault(page.number, page)

    def get(number: int) -> Page:
        page = by_number.get(number)
        return page if page is not None else _page(doc, number)
    return get


def _page(doc: Document, number: int) -> Page:
    for page in doc.pages:
        if page.number == number:
            return page
    raise ValueError(f"the document has no page {number} (its pages: "
                     f"{', '.join(str(p.number) for p in doc.pages[:12]) or 'none'}{'…' if len(doc.pages) > 12 else ''})")


def _canvas(page: Page, blocks: list[Block], source: str | None, width: int, pool: PageImages):
    """(image, frame width, frame height, notes): the source page scaled to `width`, or a blank page of the
    frame's shape; notes say what could not be shown."""
    Image, _, _ = _pil()
    notes: list[str] = []
    image = under = None
    if source is not None:
        try:
            info = pool.info(source)
            if 1 <= page.number <= len(info.sizes) and min(info.sizes[page.number - 1]) > 0:
                under = SourcePage(info.sizes[page.number - 1], info.kind)
                image = Image.open(io.BytesIO(pool.page(source, page.number - 1, width))).convert("RGB")
                if image.width != width:  # rendered at a cached width (or a smaller image): drawn at the one asked
                    image = image.resize((width, max(round(image.height * width / image.width), 1)),
                                         Image.Resampling.LANCZOS)
            else:
                notes.append(f"the source has {len(info.sizes)} page(s); there is no page {page.number}")
        except SourceError as exc:
            notes.append(f"source page: {exc}")
    fw, fh, sized = frame(page, blocks, under)
    if under is not None and sized:
        notes += [n for n in [aspect_note(fw, fh, under)] if n]
    if image is None:
        image = Image.new("RGB", (width, _blank_height(width, fw, fh)), "white")
    return image, fw, fh, notes


def _blank_height(width: int, fw: float, fh: float) -> int:
    """A blank page's height in pixels, `width` across in the frame's shape, at most MAX_PIXELS in all: a page
    5e-324 wide and 1e-300 high is a legal page, and asked for a canvas of 10**26 pixels (or infinity)."""
    cap = max(MAX_PIXELS // width, 1)
    height = width * (fh / fw)
    return max(round(height), 1) if height < cap else cap  # an infinite or NaN height is the cap too


def _pixel(value: float, limit: float) -> float:
    """A drawing coordinate Pillow accepts: finite and within `limit` of the page (boxes reaching 1e308, or
    stretched by a page 1e-300 wide, are drawn to the edge); NaN goes off the page."""
    if not value > -limit:
        return -limit
    return value if value < limit else limit


def _font(size: int):
    _, _, ImageFont = _pil()
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1: one bitmap size
        return ImageFont.load_default()


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _draw(image, blocks: list[Block], fw: float, fh: float, colour: Colour, numbers: bool, labels: bool,
          notes: list[str]):
    """The boxes over `image` (outlines with a light fill; a line known only by its height as a band), then the
    numbers, labels and notes on top."""
    Image, ImageDraw, _ = _pil()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(overlay)
    sx, sy = image.width / fw, image.height / fh
    line = max(image.width // 500, 2)
    font = _font(max(image.width // 75, 10))
    first: list[tuple[int, Block, tuple[float, float]]] = []
    limit = 4.0 * max(image.size)
    for n, b in enumerate(blocks, 1):
        rgb = _rgb(colour(b))
        rects = [tuple(_pixel(v * s, limit) for v, s in zip(r, (sx, sy, sx, sy))) for r in drawn_boxes(b, fw)]
        for x0, y0, x1, y1 in rects:
            box = (x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))
            pen.rectangle(box, fill=rgb + (36,), outline=rgb + (230,), width=line if b.bbox else 1)
        if rects:
            first.append((n, b, (rects[0][0], rects[0][1])))
    for n, b, (x, y) in first:
        tags = [str(n)] if numbers else []
        tags += [b.kind] if labels else []
        if tags:  # above the box's corner, so the text under it stays readable (inside at the page's top)
            text = " ".join(tags)
            height = pen.textbbox((0, 0), text, font=font)[3] + 4
            at = (x, y - height) if y >= height else (x + line, y + line)
            left, top, right, bottom = pen.textbbox(at, text, font=font)
            pen.rectangle((left - 2, top - 2, right + 2, bottom + 2), fill=_rgb(colour(b)) + (235,))
            pen.text(at, text, font=font, fill=(255, 255, 255, 255))
    y = 4
    for note in notes:
        left, top, right, bottom = pen.textbbox((6, y), note, font=font)
        pen.rectangle((2, top - 2, right + 4, bottom + 2), fill=(255, 240, 240, 240))
        pen.text((6, y), note, font=font, fill=(164, 0, 0, 255))
        y = bottom + 6
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def _by_kind(block: Block) -> str:
    return kind_style(block.kind)[0]


def page_image(doc: Document, page_number: int, source: str | os.PathLike | None = None, *, width: int = 1200,
               numbers: bool = False, labels: bool = False, colour: Colour = _by_kind,
               pool: PageImages | None = None):
    """`render_page` as a Pillow image (to draw on further, or to place beside another)."""
    return _image(_page(doc, page_number), page_blocks(doc).get(page_number, []), source, width, numbers, labels,
                  colour, pool)


def _image(page: Page, blocks: list[Block], source: str | os.PathLike | None, width: int, numbers: bool,
           labels: bool, colour: Colour, pool: PageImages | None):
    path = os.fspath(source) if source is not None else None
    image, fw, fh, notes = _canvas(page, blocks, path, max(int(width), 16), pool or default_pool())
    return _draw(image, blocks, fw, fh, colour, numbers, labels, notes)


def render_page(doc: Document, page_number: int, source: str | os.PathLike | None = None, *, width: int = 1200,
                numbers: bool = False, labels: bool = False, compare: Document | None = None,
                compare_source: str | os.PathLike | None = None, pool: PageImages | None = None,
                titles: tuple[str, str] = ("", "")) -> bytes:
    """Page `page_number` of `doc` as PNG bytes: its boxes, coloured by kind, over the source page.

    Args:
        doc: a canonical Document.
        page_number: the page's number (from 1, as in `doc.pages`).
        source: the PDF or image the result was made from (page n is its n-th page); None for a blank page.
        width: the page's width in pixels (the source is rendered at it; an image is never enlarged).
        numbers: number each block in reading order; labels: write each block's kind.
        compare: a second result of the same document: both pages side by side under an "A" and a "B" label
            (followed by `titles`, e.g. the two file names) and a key to the colours: boxes same (green), changed
            (amber) or only in one (red); `compare_source` is its source (default: `source`).
        pool: the renderer processes to use (default: one shared, bounded worker).

    Raises:
        ValueError: the document has no such page (or `compare` has none).
        ImportError: Pillow is not installed (the message gives the pip command).

    Example:
        >>> png = render_page(doc, 1, "report.pdf", numbers=True)
        >>> open("page-1.png", "wb").write(png)
    """
    [(_, png)] = render_pages(doc, [page_number], source, width=width, numbers=numbers, labels=labels,
                              compare=compare, compare_source=compare_source, pool=pool, titles=titles)
    return png


def render_pages(doc: Document, page_numbers: Iterable[int] | None = None, source: str | os.PathLike | None = None,
                 *, width: int = 1200, numbers: bool = False, labels: bool = False, compare: Document | None = None,
                 compare_source: str | os.PathLike | None = None, pool: PageImages | None = None,
                 titles: tuple[str, str] = ("", "")) -> Iterator[tuple[int, bytes]]:
    """(page number, PNG) for each of `page_numbers` (default: every page), as `render_page` draws them; the
    pages' blocks are grouped, and a comparison's pairing made, once for all of them."""
    for given in (doc, compare):
        if given is not None and not isinstance(given, Document):  # load() and normalize_all() give lists
            raise TypeError(f"expected one Document, found {type(given).__name__}: load(path) returns a list of the "
                            "documents a file holds (doc, = load(path), or load(path)[0])")
    by_page, page = page_blocks(doc), _pager(doc)
    if compare is None:
        for n in page_numbers if page_numbers is not None else [p.number for p in doc.pages]:
            yield n, _png(_image(page(n), by_page.get(n, []), source, width, numbers, labels, _by_kind, pool))
        return
    from ..diff import block_marks, diff
    Image, _, _ = _pil()
    marks = block_marks(diff(doc, compare))
    other = page_blocks(compare)
    sides = ((page, by_page, source, marks[0]),
             (_pager(compare), other, compare_source if compare_source is not None else source, marks[1]))
    for n in page_numbers if page_numbers is not None else [p.number for p in doc.pages]:
        pages = [_image(get(n), blocks.get(n, []), src, width, numbers, labels,
                        lambda blk, m=m: MARK_COLOUR[m.get(blk.id, "only")], pool) for get, blocks, src, m in sides]
        yield n, _png(_side_by_side(pages, titles))


KEY = (("same", "same in both"), ("changed", "changed"), ("only", "only on this side"))  # the compare colours


def _side_by_side(pages: list, titles: tuple[str, str]):
    """Page A and page B side by side under a head: each side's label ("A", "B" and its title) above it, and
    the key to the box colours."""
    Image, ImageDraw, _ = _pil()
    probe = ImageDraw.Draw(pages[0])
    size = max(pages[0].width // 50, 12)
    while size > 8 and _key(probe, 0, 0, _font(size), measure=True) > min(p.width for p in pages) - 12:
        size -= 1  # a narrow page: the key still fits on its side
    font = _font(size)
    line = probe.textbbox((0, 0), "Ag", font=font)[3] + 8
    head = 2 * line + 8
    out = Image.new("RGB", (pages[0].width + _GAP + pages[1].width, head + max(p.height for p in pages)), "#dddddd")
    pen = ImageDraw.Draw(out)
    pen.rectangle((0, 0, out.width, head - 1), fill="white")
    for x, page, letter, title in ((0, pages[0], "A", titles[0]), (pages[0].width + _GAP, pages[1], "B", titles[1])):
        left, top, right, bottom = pen.textbbox((x + 10, 4), letter, font=font)
        pen.rectangle((left - 5, top - 3, right + 5, bottom + 3), fill=(40, 40, 40))  # the side's letter, a badge
        pen.text((x + 10, 4), letter, font=font, fill="white")
        if title:
            pen.text((right + 14, 4), _short(title), font=font, fill=(20, 20, 20))
        out.paste(page, (x, head))
        _key(pen, x + 6, 4 + line, font)
    return out


def _key(pen, x: int, y: int, font, measure: bool = False) -> int:
    """The colour key, a swatch and words for each mark, drawn from (x, y); its width (only measured when
    `measure`)."""
    size = pen.textbbox((0, 0), "Ag", font=font)[3]
    start = x
    for mark, words in KEY:
        rgb = _rgb(MARK_COLOUR[mark])
        if not measure:
            pen.rectangle((x, y + 2, x + size, y + size), fill=_tint(rgb), outline=rgb, width=2)
            pen.text((x + size + 6, y), words, font=font, fill=(60, 60, 60))
        x = pen.textbbox((x + size + 6, y), words, font=font)[2] + 18
    return x - 18 - start


def _tint(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """The light fill a box of this colour has over white (the overlay's alpha, 36 of 255)."""
    return tuple(round(255 + (c - 255) * 36 / 255) for c in rgb)  # type: ignore[return-value]


def _short(title: str, most: int = 60) -> str:
    """A title kept to one short line (control characters shown as spaces): a file name can be anything."""
    title = "".join(c if c.isprintable() else " " for c in title)
    return title if len(title) <= most else "…" + title[-(most - 1):]


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def embedded_pages(doc: Document, source: str | os.PathLike | None, compare: Document | None = None,
                   width: int = EMBED_WIDTH, pool: PageImages | None = None) -> dict[int, bytes]:
    """Every page of `doc` drawn by `render_page` (side by side with `compare`'s when given, for the pages both
    have), by page number: the images a self-contained HTML report embeds."""
    both = None if compare is None else {p.number for p in compare.pages}
    return dict(render_pages(doc, [p.number for p in doc.pages if both is None or p.number in both], source,
                             width=width, compare=compare, pool=pool))
