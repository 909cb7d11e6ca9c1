"""What the collector's deferred cost would be under a canonical model with untracked boxes and shared empty lists
(issue #31: the target is 5 ms for a kept 1,000-page result; docs/architecture.md, "Where the time goes").

Canonical structs are untracked already (`gc=False`); what a full collection still walks is their lists and dicts.
This script takes each benchmark result as normalize makes it, and a copy rewritten the way such a model would
build it: every `bbox` a tuple (untracked once a collection has looked at it, as an untracked struct would be from
the start) and every empty list the shared empty tuple. It then measures both as speed_bench does: a full
`gc.collect()` with the result alive minus one just before with nothing kept, min and median of the rounds, and the
tracked objects each adds (a count, free of the machine's noise). Nothing in docnorm is changed by it.

    python benchmarks/collector_whatif.py [--pages 1000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import sys
from typing import Any, Callable

import msgspec

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import CASES  # noqa: E402
from speed_bench import deferred  # noqa: E402  (the measurement speed_bench makes)

from normalizer import normalize  # noqa: E402


def rewritten(value: Any) -> Any:
    """`value` with every struct's `bbox` list a tuple and every empty list field the empty tuple, in place."""
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            field = getattr(value, name)
            if name == "bbox" and type(field) is list:
                setattr(value, name, tuple(field))
            elif type(field) is list and not field:
                setattr(value, name, ())
            else:
                rewritten(field)
    elif type(value) is list:
        for item in value:
            rewritten(item)
    elif type(value) is dict:
        for item in value.values():
            rewritten(item)
    return value


def tracked_kinds(make: Callable[[], Any]) -> str:
    """The kinds of tracked object `make()`'s result adds, most first: what a full collection walks."""
    gc.collect()
    before = {id(o) for o in gc.get_objects()}
    result = make()
    kinds = collections.Counter(type(o).__name__ for o in gc.get_objects() if id(o) not in before)
    del result
    return ", ".join(f"{n:,} {k}" for k, n in kinds.most_common(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", help="one format id")
    args = parser.parse_args()
    print(f"{args.pages} pages, cpu ms min / median of {args.rounds} rounds: a full collection with the result alive "
          "minus one with nothing kept")
    for name, make in CASES.items():
        if args.only and name != args.only:
            continue
        data = make(args.pages)
        for label, build in (("as normalize makes it", lambda: normalize(data)),
                             ("boxes untracked, empty lists shared", lambda: _settled(rewritten(normalize(data))))):
            low, mid, added = deferred(build, args.rounds)
            print(f"  {name:20} {label:38} {low * 1000:6.1f} / {mid * 1000:6.1f} ms  {added:8,} tracked "
                  f"({tracked_kinds(build)})")


def _settled(doc: Any) -> Any:
    """`doc` after a pass that untracks its tuples (and the dicts holding only them): what untracked structs would be
    from the start. (Normalize leaves its result in the oldest generation, so only a full pass looks at it.)"""
    gc.collect()
    return doc


if __name__ == "__main__":
    main()
