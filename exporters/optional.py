"""Optional dependencies, imported when first used, with an error that gives the exact command to install them."""

from __future__ import annotations

import importlib
from typing import Any


def need(module: str, install: str, what: str | None = None) -> Any:
    """`module`, imported; else an ImportError saying what needs it and the `install` command."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{what or module + ' is not installed'}: {install}") from None


def need_extra(module: str, extra: str, package: str) -> Any:
    """`need` for a module docnorm's extra `extra` installs (the package's own name for users of neither)."""
    return need(module, f"pip install 'docnorm[{extra}]'   # or: pip install {package}")
