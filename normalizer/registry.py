"""Format id -> (provider, sniff, convert). Detection order lives in `detect.RULES`."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from . import detect
from .errors import NormalizeError, Repairs
from .providers import baidu, llamacloud_v2, llamaparse_v1, llmwhisperer, ragflow, somark
from .schema import Document

Convert = Callable[[Any, Repairs], list[Document]]


class Format(NamedTuple):
    provider: str
    sniff: Callable[[detect.Probe], bool] | None
    convert: Convert


def _pending(format_id: str) -> Convert:
    def convert(raw: Any, repairs: Repairs) -> list[Document]:
        raise NormalizeError("$", f"recognised {format_id}, but its converter is not available in this "
                                  "version of docnorm")
    return convert


def _canonical(raw: Any, repairs: Repairs) -> list[Document]:
    from .canonical import convert
    return convert(raw, repairs)


_PROVIDER_MODULES = (llamacloud_v2, llamaparse_v1, llmwhisperer, ragflow, somark, baidu)
_PROVIDER_OF = {"somark": "somark", "baidu.result": "baidu", "baidu.task": "baidu",
                "whisperer.retrieve": "llmwhisperer", "whisperer.text": "llmwhisperer",
                "whisperer.status": "llmwhisperer", "ragflow.documents": "ragflow", "ragflow.chunks": "ragflow",
                "ragflow.retrieval": "ragflow"}

_sniffers = {format_id: sniff for format_id, sniff in reversed(detect.RULES)}

FORMATS: dict[str, Format] = {"docnorm": Format("docnorm", _sniffers["docnorm"], _canonical)}
for _module in _PROVIDER_MODULES:
    for _id, _convert in _module.FORMATS.items():
        FORMATS[_id] = Format(_module.PROVIDER, _sniffers.get(_id), _convert)
for _id, _provider in _PROVIDER_OF.items():
    FORMATS.setdefault(_id, Format(_provider, _sniffers.get(_id), _pending(_id)))


def get(format_id: str) -> Format:
    try:
        return FORMATS[format_id]
    except KeyError:
        raise NormalizeError("$", f"expected a format id ({', '.join(sorted(FORMATS))}), "
                                  f"found {format_id!r}") from None
