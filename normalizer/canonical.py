"""Canonical JSON written by docnorm itself: one Document or a list of them."""

from __future__ import annotations

from typing import Any

import msgspec

from .detect import Probe
from .errors import NormalizeError, Repairs
from .schema import Document

_one = msgspec.json.Decoder(Document)
_many = msgspec.json.Decoder(list[Document])


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    try:
        if isinstance(raw, (bytes, bytearray, memoryview, str)):
            text = bytes(raw) if not isinstance(raw, str) else raw
            stripped = text.lstrip()
            is_list = stripped[:1] in ("[", b"[")
            return _many.decode(text) if is_list else [_one.decode(text)]
        if isinstance(raw, list):
            return msgspec.convert(raw, list[Document])
        return [msgspec.convert(raw, Document)]
    except msgspec.ValidationError as exc:
        raise NormalizeError(_path_of(str(exc)), f"canonical JSON does not match docnorm/1: {exc}") from None
    except msgspec.DecodeError as exc:
        raise NormalizeError("$", f"expected JSON, found malformed input ({exc})") from None


def _path_of(message: str) -> str:
    marker = " - at `"
    at = message.rfind(marker)
    return message[at + len(marker):-1] if at >= 0 and message.endswith("`") else "$"


def sniff(p: Probe) -> bool:
    """An object (or a non-empty list of objects) whose `schema` says docnorm wrote it."""
    first = p[0] if p.is_(list) else p
    schema = first["schema"].value
    return isinstance(schema, str) and schema.startswith("docnorm/")
