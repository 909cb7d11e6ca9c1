"""The cyclic garbage collector paused while docnorm builds or walks one large tree.

A normalized document is a tree of tens of thousands of objects without a cycle, and so is every structure
docnorm derives from one (a diff, framework records, the viewer's slices). Python's collector runs whenever
allocations outnumber frees by its threshold: while such a tree is being built, every pass walks the whole of it
and finds nothing (on a 1,000-page result, a third of normalize and two thirds of `to_langchain`). `paused()`
turns the collector off for the duration of such work, and back on when the outermost pause ends, what was built
meanwhile then counted as old (`_age`); the garbage left meanwhile (there are no cycles to leave) is collected as
usual afterwards. Canonical and raw structs are not
tracked at all (`gc=False`, see `schema._Canonical` and `typed.Raw`), so a kept document costs later collections
only its lists and dicts.
"""

from __future__ import annotations

import gc
import threading
from contextlib import ContextDecorator
from typing import Any

_lock = threading.Lock()
_depth = 0  # pauses in progress, across threads: the collector is one per process
_restore = False  # whether the collector was on when the outermost pause began


class paused(ContextDecorator):
    """`with paused():` (or `@paused()`): the collector off while the block runs, restored when the outermost
    pause ends, however many nest or run on other threads; a caller that turned it off itself keeps it off.

    Example:
        >>> import gc
        >>> with paused():
        ...     with paused():
        ...         inside = gc.isenabled()
        ...     still = gc.isenabled()
        >>> inside, still, gc.isenabled()
        (False, False, True)
    """

    def __enter__(self) -> "paused":
        global _depth, _restore
        with _lock:
            if _depth == 0:
                _restore = gc.isenabled()
                gc.disable()
            _depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0 and _restore:
                _age()
                gc.enable()


def _age() -> None:
    """What the pause built, moved to the oldest generation without a pass over it. Left young, it would be walked
    at once (every allocation during the pause counts towards the next young collection, due as soon as the
    collector is back) and again a few collections later, before it reaches the old generation it belongs in: for
    a 10,000-page document, as much as a sixth of normalize. `freeze` then `unfreeze` moves every tracked object
    there, in constant time. (Objects a caller froze before the pause are thawed with them: asking whether any
    are, `gc.get_freeze_count()`, walks all of them, which cost every pause a pass over a frozen heap.)"""
    gc.freeze()
    gc.unfreeze()
