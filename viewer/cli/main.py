"""The `docnorm` command line: one module per command, each adding its own parser (docs/architecture.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Iterable

from exporters.corpus.runner import UsageError
from normalizer.schema import json_schema

from . import audit, dataset, diff, eval, export, normalize, render, serve
from .common import add_command


EXAMPLES_SCHEMA = [
    "docnorm schema > docnorm.schema.json",
    "docnorm schema | python -m json.tool",
]


def cmd_schema(args: argparse.Namespace) -> int:
    import orjson
    sys.stdout.buffer.write(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    return 0


def add_schema_parser(sub: Any) -> None:
    """`docnorm schema`."""
    p = add_command(sub, "schema", EXAMPLES_SCHEMA, "print the JSON Schema of the canonical document",
             "Print the JSON Schema (2020-12) of canonical docnorm JSON.")
    p.set_defaults(run=cmd_schema)


# The commands, in the order `docnorm --help` lists them: each entry adds its parser (and its `run`).
COMMANDS = (normalize.add_detect_parser, normalize.add_normalize_parser, export.add_parser, diff.add_parser,
            eval.add_parser, audit.add_parser, dataset.add_parser, render.add_parser, serve.add_parser,
            add_schema_parser)


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("docnorm")
    except Exception:  # not installed as a distribution (run from a checkout)
        return "0.1.0"


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: `docnorm COMMAND ...`, a subparser per entry of COMMANDS."""
    parser = argparse.ArgumentParser(
        prog="docnorm", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Normalize, export, view and compare the JSON that document-parsing services return "
                    "(LlamaCloud/LlamaParse, SoMark, Baidu, LLMWhisperer, RAGFlow).",
        epilog="Run 'docnorm COMMAND --help' for a command's options and examples.")
    parser.add_argument("--version", action="version", version=f"docnorm {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command is None:  # `docnorm` alone: the whole help
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"docnorm: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
