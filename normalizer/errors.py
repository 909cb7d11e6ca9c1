"""`NormalizeError` and the repair log that lenient mode fills instead of raising."""

from __future__ import annotations

from typing import Any


class NormalizeError(ValueError):
    """Bad input. `.path` is a JSON path into the raw input, e.g. `$.pages[3].items[0].bbox`."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def describe(value: Any) -> str:
    """A short, safe description of a found value for error messages."""
    name = _JSON_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, (dict, list)):
        return f"{name} of {len(value)}"
    text = repr(value)
    return f"{name} {text[:40] + '…' if len(text) > 40 else text}"


_JSON_NAMES = {dict: "object", list: "array", str: "string", int: "integer", float: "number",
               bool: "boolean", type(None): "null"}


class Repairs:
    """Collects lenient repairs as warnings, or raises at the first one when strict."""

    __slots__ = ("strict", "warnings")

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.warnings: list[str] = []

    def __call__(self, path: str, problem: str, fix: str) -> None:
        """`problem` says what was expected and found; `fix` what lenient mode did about it."""
        if self.strict:
            raise NormalizeError(path, problem)
        self.warnings.append(f"{path}: {problem}; {fix}")

    def note(self, path: str, message: str) -> None:
        """Something worth telling that is not a repair (never raises)."""
        self.warnings.append(f"{path}: {message}")
