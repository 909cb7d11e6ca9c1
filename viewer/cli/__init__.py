"""The `docnorm` command line: `main(argv)` runs it; one module per command (normalize, export, diff, dataset,
render, serve), the shared checks and writers in `common`, the arguments-to-files rules in `inputs`."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
