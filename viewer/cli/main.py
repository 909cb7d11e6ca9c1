"""The `docnorm` command line: one module per command, each adding its own parser (docs/architecture.md)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable  # not typing: `--version` imports neither it nor anything slow


EXAMPLES_SCHEMA = [
    "docnorm schema > docnorm.schema.json",
    "docnorm schema | python -m json.tool",
]


def cmd_schema(args: argparse.Namespace) -> int:
    import orjson

    from normalizer.schema import json_schema
    sys.stdout.buffer.write(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    return 0


def add_schema_parser(sub: argparse._SubParsersAction) -> None:
    """`docnorm schema`."""
    from .common import add_command
    p = add_command(sub, "schema", EXAMPLES_SCHEMA, "print the JSON Schema of the canonical document",
             "Print the JSON Schema (2020-12) of canonical docnorm JSON.")
    p.set_defaults(run=cmd_schema)


# The commands, in the order `docnorm --help` lists them: (name, its module under viewer.cli, the function of that
# module adding its parser and its `run`). A call imports only the module of the command it names.
COMMANDS = (("detect", "normalize", "add_detect_parser"), ("normalize", "normalize", "add_normalize_parser"),
            ("export", "export", "add_parser"), ("diff", "diff", "add_parser"), ("eval", "eval", "add_parser"),
            ("audit", "audit", "add_parser"), ("dataset", "dataset", "add_parser"), ("render", "render", "add_parser"),
            ("serve", "serve", "add_parser"), ("schema", "main", "add_schema_parser"))
NAMES = frozenset(name for name, _, _ in COMMANDS)


# pyproject.toml's version (tests/test_startup.py keeps them equal). Not looked up with importlib.metadata: importing
# it costs more than the rest of `docnorm --version`, and a checkout that is not installed has no metadata at all.
VERSION = "0.1.0"


class _Version(argparse.Action):
    """`--version`, printed without importing anything."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object):
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0,
                         help="show docnorm's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"docnorm {VERSION}")
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line, `docnorm COMMAND ...`: a subparser per entry of COMMANDS, or only `command`'s ("" for
    none), so that a call imports the module of the command it runs and no other.

    Example:
        >>> build_parser("schema").parse_args(["schema"]).command
        'schema'
    """
    parser = argparse.ArgumentParser(
        prog="docnorm", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Normalize, export, view and compare the JSON that document-parsing services return "
                    "(LlamaCloud/LlamaParse, SoMark, Baidu, LLMWhisperer, RAGFlow).",
        epilog="Run 'docnorm COMMAND --help' for a command's options and examples.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module, add in COMMANDS:
        if command is None or name == command:
            getattr(importlib.import_module(f"viewer.cli.{module}"), add)(sub)
    return parser


def _needed(argv: list[str]) -> str | None:
    """The one command parser this call needs: the command it names, none for `--version`, all of them (None) for
    the help or a mistake, whose message lists them."""
    first = argv[0] if argv else None
    if first in NAMES:
        return first
    return "" if first == "--version" else None


def main(argv: Iterable[str] | None = None) -> int:
    argv = list(argv) if argv is not None else sys.argv[1:]
    parser = build_parser(_needed(argv))
    args = parser.parse_args(argv)
    if args.command is None:  # `docnorm` alone: the whole help
        parser.print_help()
        return 0
    from exporters.corpus.runner import UsageError  # loaded by every command's module already
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"docnorm: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
