"""The viewer's routes, a blueprint per area: the index of the served folder, a document, two documents (or
folders) compared, the pages under the boxes, downloads, the grounding audit. Routes take the file as `?f=` (relative to the root) and
the document within it as `?i=`; view models come from `layout`, the served folder from `state()`."""

from . import audit, compare, document, downloads, index, pages

BLUEPRINTS = (index.bp, document.bp, compare.bp, pages.bp, downloads.bp, audit.bp)
