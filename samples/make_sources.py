"""Make the sample source documents the viewer shows under the boxes: run `python samples/make_sources.py`.

- `same_report/harbor_q3_2025.pdf`: the two-page report the three `same_report` results were made from,
  written by placing each block of the LlamaCloud result at its box (PDF points, so the boxes line up with the
  text a reader sees; the Baidu and SoMark results use the same page at 120 and 150 dpi).
- `somark/oxr_paper_sync.png`: a scan-like page image for a pixel-unit result, the SoMark page's blocks drawn
  at their pixel boxes.

The PDF is written by hand (a few objects, the standard Helvetica font): no dependency, byte-for-byte the same
on every run. Tests and benchmarks use `pdf_bytes` to make PDFs whose text sits at known boxes.
"""

from __future__ import annotations

import os
import sys
from typing import Iterable, NamedTuple

HERE = os.path.dirname(os.path.abspath(__file__))


class Text(NamedTuple):
    x: float  # left edge, page units from the left
    top: float  # top of the text line, page units from the top (our coordinate convention)
    size: float
    text: str


class Box(NamedTuple):
    x0: float
    y0: float
    x1: float
    y1: float
    gray: float  # 0 black .. 1 white
    fill: bool = True


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")  # WinAnsi: the standard fonts' encoding
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content(height: float, items: Iterable[Text | Box]) -> bytes:
    out = []
    for item in items:
        if isinstance(item, Text):
            baseline = height - item.top - item.size * 0.8
            out.append(b"0 g BT /F1 %.2f Tf %.2f %.2f Td %s Tj ET" % (item.size, item.x, baseline, _pdf_string(item.text)))
        else:
            op = b"f" if item.fill else b"S"
            colour = b"%.2f g" % item.gray if item.fill else b"%.2f G 0.8 w" % item.gray
            out.append(b"%s %.2f %.2f %.2f %.2f re %s" % (colour, item.x0, height - item.y1, item.x1 - item.x0,
                                                        item.y1 - item.y0, op))
    return b"\n".join(out)


def pdf_bytes(pages: list[tuple[float, float, list[Text | Box]]]) -> bytes:
    """A PDF with one page per (width, height, items); items in top-left page coordinates."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    kids = []
    for width, height, items in pages:
        stream = _content(height, items)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> >>"
                       b" /Contents %d 0 R >>" % (width, height, len(objects)))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return pdf_from_objects(objects)


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF of these objects (object 1 the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def wrapped(text: str, x0: float, y0: float, x1: float, y1: float, size: float) -> list[Text]:
    """`text` set in Helvetica at `size`, wrapped to the box's width and shrunk until it fits its height."""
    while True:
        per_line = max(int((x1 - x0) / (size * 0.52)), 1)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split():
                if line and len(line) + 1 + len(word) > per_line:
                    lines.append(line)
                    line = word
                else:
                    line = f"{line} {word}".strip()
            lines.append(line)
        if len(lines) * size * 1.2 <= (y1 - y0) + size * 0.2 or size <= 4:
            return [Text(x0, y0 + n * size * 1.2, size, line) for n, line in enumerate(lines) if line]
        size *= 0.9


def block_items(doc, scale: float = 1.0) -> dict[int, list[Text | Box]]:
    """Each page's drawing of a canonical document: every block's text at its box (tables cell by cell, in an
    even grid with rules; figures as a bar chart), box coordinates multiplied by `scale`, type sized as on a
    Letter page of the page's width."""
    pages: dict[int, list[Text | Box]] = {}
    letter = {p.number: (p.width or 612.0) / 612.0 for p in doc.pages}  # type sized for the page, as if Letter
    for b in doc.blocks:
        if not b.bbox:
            continue
        unit = scale * letter.get(b.page, 1.0)
        x0, y0, x1, y1 = (v * scale for v in b.bbox)
        items = pages.setdefault(b.page, [])
        if b.kind == "table" and b.table is not None and b.table.n_rows and b.table.n_cols:
            rh, cw = (y1 - y0) / b.table.n_rows, (x1 - x0) / b.table.n_cols
            items.append(Box(x0, y0, x1, y1, 0.3, fill=False))
            for c in b.table.cells:
                cx, cy = x0 + c.col * cw, y0 + c.row * rh
                items.append(Box(cx, cy, cx + c.col_span * cw, cy + c.row_span * rh, 0.6, fill=False))
                items += wrapped(c.text, cx + 3 * unit, cy + 3 * unit, cx + c.col_span * cw - 3 * unit,
                                 cy + c.row_span * rh - 2 * unit, 9 * unit)
        elif b.kind == "figure":
            items.append(Box(x0, y0, x1, y1, 0.6, fill=False))
            bars = 9
            for n in range(bars):
                bw = (x1 - x0) / (bars * 1.5)
                bx = x0 + bw * (0.5 + 1.5 * n)
                top = y1 - (y1 - y0) * (0.35 + 0.5 * ((n * 37) % 10) / 10)
                items.append(Box(bx, top, bx + bw, y1 - 4 * unit, 0.45))
        else:
            size = {"heading": 16, "header": 9, "footer": 9}.get(b.kind, 10) * unit
            items += wrapped(b.text, x0, y0, x1, y1, size)
    return pages


def _load(path: str):
    sys.path.insert(0, os.path.dirname(HERE))
    from normalizer import load
    return load(path)[0]


def main() -> None:
    report = _load(os.path.join(HERE, "same_report", "harbor_q3_llamacloud_v2.json"))
    baidu = _load(os.path.join(HERE, "same_report", "harbor_q3_baidu.json"))
    drawn = block_items(report)
    for b in baidu.blocks:  # the running header LlamaCloud leaves out: from Baidu's 120-dpi boxes
        if b.kind == "header" and b.bbox:
            x0, y0, x1, y1 = (v * 0.6 for v in b.bbox)
            drawn[b.page] += wrapped(b.text, x0, y0, x1, y1, 9)
    pages = [(p.width, p.height, drawn.get(p.number, [])) for p in report.pages]
    with open(os.path.join(HERE, "same_report", "harbor_q3_2025.pdf"), "wb") as fh:
        fh.write(pdf_bytes(pages))

    import pypdfium2
    scan = _load(os.path.join(HERE, "somark", "oxr_paper_sync.json"))
    page = scan.pages[0]
    pdf = pypdfium2.PdfDocument(pdf_bytes([(page.width, page.height, block_items(scan).get(page.number, []))]))
    image = pdf[0].render(scale=1.0).to_pil().convert("L")
    image.save(os.path.join(HERE, "somark", "oxr_paper_sync.png"), optimize=True)


if __name__ == "__main__":
    main()
