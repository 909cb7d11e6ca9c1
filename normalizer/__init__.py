"""docnorm's normalizer: raw provider JSON -> one canonical `Document` (docs/canonical-model.md)."""

from .api import detect, load, normalize, normalize_all
from .errors import DocnormError, NormalizeError, failure_message
from .join import join
from .schema import Block, Cell, Chunk, Document, Image, Job, Line, Location, Page, Table, Word

__all__ = ["detect", "normalize", "normalize_all", "load", "join", "NormalizeError", "DocnormError", "failure_message", "Document", "Page", "Block",
           "Table", "Cell", "Chunk", "Job", "Line", "Word", "Image", "Location"]
