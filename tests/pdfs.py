"""PDFs for the page-image tests: well-formed ones with text at known boxes (samples/make_sources.py writes them),
and hostile ones written object by object."""

from __future__ import annotations

import importlib.util
import zlib

from .conftest import SAMPLES

_spec = importlib.util.spec_from_file_location("make_sources", SAMPLES / "make_sources.py")
make_sources = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(make_sources)  # type: ignore[union-attr]
pdf_bytes, Text, Box = make_sources.pdf_bytes, make_sources.Text, make_sources.Box


raw_pdf = make_sources.pdf_from_objects  # a PDF of hand-written objects (object 1 the catalog)


def one_page(content: bytes, media: bytes = b"0 0 612 792", extra: bytes = b"", resources: bytes = b"") -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [%s] %s /Contents 4 0 R >>" % (media, resources),
                    b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(content), extra, content)])


def malformed() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\n" + bytes(range(256)) * 8


def huge_page() -> bytes:
    """A page 200 inches square (PDF's limit), all black."""
    return one_page(b"0 g 0 0 14400 14400 re f", media=b"0 0 14400 14400")


def deep_nesting(depth: int = 100_000) -> bytes:
    """Arrays nested `depth` deep in the catalog and the page's resources."""
    deep = b"[" * depth + b"]" * depth
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep %s >>" % deep, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /X %s >> /Contents 4 0 R >>"
                    % deep, b"<< /Length 3 >>\nstream\n0 g\nendstream"])


def stream_bomb(gib: float = 1.5) -> bytes:
    """A content stream of ~1.5 MB that inflates to `gib` GiB of zeros."""
    pack = zlib.compressobj(9)
    chunk = b"\0" * (1 << 24)
    parts = [pack.compress(chunk) for _ in range(int(gib * 64))] + [pack.flush()]
    return one_page(b"".join(parts), extra=b"/Filter /FlateDecode")


def slow_page(rectangles: int = 600_000) -> bytes:
    """A page of many tiny rectangles: small on disk, most of a second to draw."""
    return one_page(zlib.compress(b"0.5 g " + b"1 1 1 1 re f " * rectangles, 9), extra=b"/Filter /FlateDecode")
