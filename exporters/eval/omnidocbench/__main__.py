"""`python -m exporters.eval.omnidocbench TRUTH.json PREDICTIONS_DIR [-o RESULT.json]`: OmniDocBench's end-to-end
figures for a folder of predicted Markdown pages, printed (and written as OmniDocBench's metric_result JSON)."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Score a folder of predictions from the command line (the benchmark runs it in a fresh process).

    Example:
        >>> demo = "tests/data/omnidocbench/"
        >>> main([demo + "OmniDocBench_demo.json", demo + "mds"])  # doctest: +ELLIPSIS
        text_block {'Edit_dist': {'ALL_page_avg': 0.0, ...}}
        ...
        0
    """
    parser = argparse.ArgumentParser(prog="python -m exporters.eval.omnidocbench", description=__doc__)
    parser.add_argument("truth", help="OmniDocBench's ground truth JSON")
    parser.add_argument("predictions", help="a folder of X.md files, one per page image X.jpg")
    parser.add_argument("-o", "--output", help="write the metric_result JSON here")
    args = parser.parse_args(argv)
    from . import evaluate, load_predictions, load_truth
    result = evaluate(load_truth(args.truth), load_predictions(args.predictions))
    for element, figures in result.metric_result.items():
        print(element, figures["all"])
    for note in result.notes:
        print("note:", note, file=sys.stderr)
    if args.output:
        import orjson
        with open(args.output, "wb") as handle:
            handle.write(orjson.dumps(result.metric_result, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    return 0


if __name__ == "__main__":
    sys.exit(main())
