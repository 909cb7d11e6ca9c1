"""Page images: page 250 of a 500-page PDF, cold (a PDF the renderer has never seen, an empty cache) and cached,
through the viewer's /page-image route, min and median of several rounds; and the document view of a result
whose 500-page source it has not seen (it reads the page sizes, never waits for an image).

    python benchmarks/page_image_bench.py [--pages 500] [--page 250] [--rounds 7] [--width 1200]

Each cold round writes a fresh copy of the PDF (a new file: hashed, opened and rendered from nothing) and uses
an empty cache folder; the renderer processes are started before the timer, as `docnorm serve` starts them
beside the server. The response body is kept until the timer stops.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples"))

import orjson  # noqa: E402

from exporters.pages.images import PageImages  # noqa: E402
from make_sources import Text, pdf_bytes  # noqa: E402
from viewer.app import create_app  # noqa: E402


def report_pdf(pages: int) -> bytes:
    """A text-heavy Letter report: a heading and 40 lines of running text a page."""
    body = "Container throughput rose in the third quarter while average dwell time fell to a new low. " * 2
    return pdf_bytes([(612.0, 792.0, [Text(72, 60, 18, f"Section {n}")] +
                       [Text(72, 100 + 16 * k, 10, body[k % 7:][:95]) for k in range(40)]) for n in range(1, pages + 1)])


def result_json(pages: int, file_name: str) -> bytes:
    """A LlamaCloud v2 result of the same pages (one heading box each), naming the PDF as its source."""
    return orjson.dumps({"job": {"id": "bench", "status": "COMPLETED", "name": file_name},
                         "items": {"pages": [{"page_number": n, "page_width": 612, "page_height": 792, "success": True,
                                              "items": [{"type": "heading", "level": 1, "value": f"Section {n}",
                                                         "bbox": [{"x": 72, "y": 60, "w": 200, "h": 22}]}]}
                                             for n in range(1, pages + 1)]}})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--page", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--width", type=int, default=1200)
    args = parser.parse_args()
    pdf = report_pdf(args.pages)
    cold, cached, views = [], [], []
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryDirectory() as caches:
        for r in range(args.rounds):
            name = f"report_{r}.pdf"
            with open(os.path.join(root, name), "wb") as fh:
                fh.write(pdf)
            with open(os.path.join(root, f"result_{r}.json"), "wb") as fh:
                fh.write(result_json(args.pages, name))
            pool = PageImages(cache_dir=os.path.join(caches, str(r)))
            pool.warm()
            client = create_app(root, pages=pool).test_client()
            url = f"/page-image?f=result_{r}.json&p={args.page}&w={args.width}"
            t = time.perf_counter()
            response = client.get(url)
            body = response.data
            cold.append(time.perf_counter() - t)
            assert response.status_code == 200 and body.startswith(b"\x89PNG"), response.data[:200]
            t = time.perf_counter()
            again = client.get(url).data
            cached.append(time.perf_counter() - t)
            assert again == body
            pool.close()
            # the document view of another fresh copy: it reads the source's page sizes, never an image
            os.replace(os.path.join(root, name), os.path.join(root, f"view_{name}"))
            with open(os.path.join(root, f"view_{r}.json"), "wb") as fh:
                fh.write(result_json(args.pages, f"view_{name}"))
            pool = PageImages(cache_dir=os.path.join(caches, f"v{r}"))
            pool.warm()
            client = create_app(root, pages=pool).test_client()
            client.get(f"/view?f=result_{r}.json")  # the result itself parsed and cached: only the source is new
            t = time.perf_counter()
            page = client.get(f"/view?f=view_{r}.json")
            html = page.data
            views.append(time.perf_counter() - t)
            assert page.status_code == 200 and b"page-image" in html
            pool.close()
    print(f"PDF: {args.pages} pages, {len(pdf) / 1e6:.1f} MB; page {args.page} at {args.width} px "
          f"({len(body) / 1e3:.0f} KB PNG); {args.rounds} rounds")
    for label, times in (("page image, cold", cold), ("page image, cached", cached),
                         ("document view, new source (cold)", views)):
        print(f"{label:<33} min {min(times) * 1000:7.1f} ms   median {statistics.median(times) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
