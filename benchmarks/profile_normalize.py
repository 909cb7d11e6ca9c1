"""Where normalize spends its time, per provider: the share of the typed decode, table parsing, and the
converter's own Python, from one cProfile run of each 1,000-page benchmark document.

Run: python benchmarks/profile_normalize.py [--pages 1000] [--top 8]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import CASES  # noqa: E402

from normalizer import normalize  # noqa: E402

# (label, function names whose cumulative time is that share)
SHARES = (("typed decode", ("decode_as",)), ("detection", ("detect",)), ("tables", ("from_html", "from_markdown",
                                                                                     "from_matrix", "plain_text")),
          ("section tree", ("section_tree",)), ("captions", ("link_captions",)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args()
    for name, make in CASES.items():
        data = make(args.pages)
        normalize(data)
        profile = cProfile.Profile()
        profile.enable()
        doc = normalize(data)
        profile.disable()
        del doc
        stats = pstats.Stats(profile)
        total = max(v[3] for v in stats.stats.values())  # the outermost call's cumulative time
        cumulative: dict[str, float] = {}
        for (_, _, func), (_, _, _, cum, _) in stats.stats.items():
            cumulative[func] = max(cumulative.get(func, 0.0), cum)
        shares = ", ".join(f"{label} {sum(cumulative.get(f, 0.0) for f in funcs) / total:.0%}"
                           for label, funcs in SHARES)
        print(f"\n== {name}: {total * 1000:.0f} ms under the profiler; {shares}")
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
