"""The page renderer's worker process: `python page_worker.py MEMORY_BYTES`, one request at a time over stdin and
stdout, each a length-prefixed msgpack frame.

It is started as a script by path, not by multiprocessing: nothing of the caller (its __main__, its threads, its
open documents) is copied into it, and it imports only PDFium, Pillow and msgspec. Its address space is capped
before it reads a byte of any source, and every failure is answered as a message, never raised: the caller kills
the process only when it misses its deadline or dies.

Requests: ["ping"], ["info", path, key], ["render", path, key, page_index, width], ["text", path, key, page_index]
(the page's words and their boxes, for the grounding audit). Answers: ["ok", payload] or ["error", message]. `key`
is the source's (size, mtime) so a changed file is opened again.
"""

from __future__ import annotations

import io
import re
import struct
import sys
from typing import Any, BinaryIO

import msgspec

MAX_PIXELS = 25_000_000  # a rendered page never holds more pixels than this, whatever its shape
MAX_PAGES = 100_000  # page sizes listed for at most this many pages
MAX_CHARS = 1_000_000  # characters read from one page's text layer
PDF_SUFFIXES = (".pdf",)
INSTALL = "pip install pypdfium2 pillow"
HEADER = struct.Struct(">I")  # each frame's length, before it (the caller reads it too)


class Refused(Exception):
    """Inside the worker: a page it will not render (unreadable, malformed, too big), answered as ["error", why].
    The caller raises it as `exporters.pages.images.SourceError`, a `DocnormError` (this script imports nothing of
    docnorm)."""


def write_frame(stream: BinaryIO, message: Any) -> None:
    body = msgspec.msgpack.encode(message)
    stream.write(HEADER.pack(len(body)) + body)
    stream.flush()


def _need(module: str) -> Any:
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        raise Refused(f"rendering source pages needs pypdfium2 and Pillow: {INSTALL}") from None


def _is_pdf(path: str) -> bool:
    return path.lower().endswith(PDF_SUFFIXES)


_open_pdfs: dict[str, Any] = {}  # the last few PDFs stay open (opening a big one costs the most)


def _pdf(path: str, key: Any) -> Any:
    pdfium = _need("pypdfium2")
    hit = _open_pdfs.get(path)
    if hit is not None and hit[0] == key:
        return hit[1]
    if len(_open_pdfs) >= 4:
        _open_pdfs.pop(next(iter(_open_pdfs), None))[1].close()  # the oldest (there are four)
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise Refused(f"not a readable PDF ({exc})") from None
    _open_pdfs[path] = (key, pdf)
    return pdf


def _frames(path: str) -> Any:
    """An image file (a multi-page TIFF has several frames), refused past Pillow's bomb limit."""
    image_module = _need("PIL.Image")
    image_module.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        return image_module.open(path)
    except (OSError, image_module.DecompressionBombError, ValueError) as exc:
        raise Refused(f"not a readable image ({exc})") from None


def info(path: str, key: Any) -> list:
    """["pdf" | "image", [[width, height], ...]]: PDF points, or an image's pixels."""
    if _is_pdf(path):
        pdf = _pdf(path, key)
        count = len(pdf)
        if count > MAX_PAGES:
            raise Refused(f"the PDF has {count:,} pages; at most {MAX_PAGES:,} are shown")
        return ["pdf", [list(pdf.get_page_size(i)) for i in range(count)]]
    with _frames(path) as image:
        sizes = []
        for n in range(min(getattr(image, "n_frames", 1), MAX_PAGES)):
            image.seek(n)
            sizes.append([float(image.width), float(image.height)])
        return ["image", sizes]


def scale_for(size: tuple[float, float], width: int) -> float:
    """Pixels per source unit for `width` pixels across, lowered so the page stays under MAX_PIXELS."""
    w, h = max(size[0], 1e-3), max(size[1], 1e-3)
    scale = width / w
    if w * h * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (w * h)) ** 0.5
    return scale


def render(path: str, key: Any, index: int, width: int) -> bytes:
    """Page `index` as PNG, `width` pixels across (an image is never enlarged past its own pixels)."""
    image_module = _need("PIL.Image")
    if _is_pdf(path):
        pdf = _pdf(path, key)
        if not 0 <= index < len(pdf):
            raise Refused(f"the PDF has {len(pdf)} page(s); there is no page {index + 1}")
        page = pdf[index]
        try:
            image = page.render(scale=scale_for(tuple(page.get_size()), width), may_draw_forms=False).to_pil()
        finally:
            page.close()
    else:
        with _frames(path) as frames:
            count = getattr(frames, "n_frames", 1)
            if not 0 <= index < count:
                raise Refused(f"the image has {count} page(s); there is no page {index + 1}")
            frames.seek(index)
            scale = min(scale_for((frames.width, frames.height), width), 1.0)
            image = frames.convert("RGB")
            if scale < 1:
                size = (max(round(frames.width * scale), 1), max(round(frames.height * scale), 1))
                image = image.resize(size, image_module.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


_WORD = re.compile(r"\S+")  # linear: one class, no alternation


def _chars(raw: Any, textpage: Any, count: int) -> str:
    """The page's characters, one per index (PDFium's own text may drop or insert some: then char by char)."""
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) == count:
        return text
    codes = (raw.FPDFText_GetUnicode(textpage, i) for i in range(count))
    return "".join("\ufffd" if 0xD800 <= c < 0xE000 or c > 0x10FFFF else chr(c) for c in codes)


def text(path: str, key: Any, index: int) -> list:
    """[width, height, rotation, crop box, words, boxes, line_starts]: the page's words. `boxes` are eight
    little-endian float32 a word, the loose boxes (left, top, right, bottom, in page space: origin bottom-left, y
    up) of its first and last characters: two calls a word, not one a character, and the caller turns them into
    the page as shown (rotation and crop box) all at once. `line_starts`: the index of each line's first word.

    Example:
        >>> width, height, turn, crop, words, boxes, lines = text("samples/docling/2305.03393v1-pg9.pdf", [0, 0], 0)
        >>> words[:2], turn, crop, len(boxes) == 32 * len(words)
        (['Optimized', 'Table'], 0, [0.0, 0.0, 612.0, 792.0], True)
    """
    if not _is_pdf(path):
        return [0.0, 0.0, 0, [0.0, 0.0, 0.0, 0.0], [], b"", []]  # an image has no text layer
    raw = _need("pypdfium2.raw")
    pdf = _pdf(path, key)
    if not 0 <= index < len(pdf):
        raise Refused(f"the PDF has {len(pdf)} page(s); there is no page {index + 1}")
    page = pdf[index]
    try:
        width, height = page.get_size()
        head = [width, height, page.get_rotation() % 360, list(page.get_cropbox())]
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            if count > MAX_CHARS:
                raise Refused(f"the page has {count:,} characters; at most {MAX_CHARS:,} are read")
            return head + _words(raw, textpage, _chars(raw, textpage, max(count, 0)))
        finally:
            textpage.close()
    finally:
        page.close()


def _words(raw: Any, textpage: Any, chars: str) -> list:
    import array
    words: list[str] = []
    boxes = array.array("f")
    line_starts: list[int] = []
    rect, get, put = raw.FS_RECTF(), raw.FPDFText_GetLooseCharBox, boxes.extend
    end = 0
    for match in _WORD.finditer(chars):
        first, last = match.span()
        if not words or "\n" in chars[end:first]:
            line_starts.append(len(words))
        end = last
        get(textpage, first, rect)
        put((rect.left, rect.top, rect.right, rect.bottom))
        if last - first > 1:
            get(textpage, last - 1, rect)
        put((rect.left, rect.top, rect.right, rect.bottom))
        words.append(match.group())
    if sys.byteorder == "big":
        boxes.byteswap()
    return [words, boxes.tobytes(), line_starts]


def ping() -> bool:
    _need("pypdfium2"), _need("PIL.Image")
    return True


OPS = {"info": info, "render": render, "text": text, "ping": ping}


def _read_exact(stream: BinaryIO, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve(memory: int) -> None:
    """Answer requests until stdin closes."""
    if memory and sys.platform.startswith("linux"):
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a library that prints must not corrupt the frames
    while True:
        header = _read_exact(inp, HEADER.size)
        if header is None:
            return
        body = _read_exact(inp, HEADER.unpack(header)[0])
        if body is None:
            return
        try:
            op, *args = msgspec.msgpack.decode(body)
            answer = ["ok", OPS[op](*args)]
        except Refused as exc:
            answer = ["error", str(exc)]
        except MemoryError:
            _open_pdfs.clear()
            answer = ["error", "the page needs more memory than the renderer may use"]
        except Exception as exc:  # PDFium and Pillow raise many kinds; each is the source's fault, not ours
            answer = ["error", f"cannot render this page ({type(exc).__name__}: {str(exc)[:200]})"]
        write_frame(out, answer)


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
