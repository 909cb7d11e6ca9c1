"""Which truth file a result's source has: `TRUTH_DIR/<source stem>.truth.json`, the stem made safe.

The stem is the source's (the file name the result records, its last part only), else the result file's own;
nothing a request sends names a file. A stem that had to change to be safe (a character outside letters,
digits, `_`, `-`, `.`; a leading dot; more than MAX_STEM characters) keeps a short hash of what it was, so two
sources never share a truth because their names were cut alike.
"""

from __future__ import annotations

import hashlib
import re

TRUTH_SUFFIX = ".truth.json"
MAX_STEM = 100
_UNSAFE = re.compile(r"[^\w.-]+")
_DOTS = re.compile(r"\.{2,}")
_SAFE = re.compile(r"[\w-][\w.-]{0,%d}" % (MAX_STEM + 9))


def _last_part(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _stem(name: str) -> str:
    head, dot, _ = name.rpartition(".")
    return head if dot and head else name


def safe_stem(stem: str) -> str:
    """`stem` as a file name part that names no other place: letters, digits, `_`, `-` and inner dots only, at
    most MAX_STEM characters, with a hash of the original when anything had to change.

    Example:
        >>> safe_stem("harbor_q3_2025"), safe_stem("../../etc/passwd")[:11], safe_stem("")[:9]
        ('harbor_q3_2025', 'etc_passwd-', 'document-')
    """
    cleaned = _DOTS.sub(".", _UNSAFE.sub("_", stem)).strip("._")[:MAX_STEM].rstrip(".")
    if cleaned == stem and cleaned:
        return cleaned
    digest = hashlib.sha1(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{cleaned or 'document'}-{digest}"


def source_stem(file_name: str | None, rel: str) -> str:
    """The stem of the source a result was made from: the recorded file name's, else the result file's own
    (`report.json` -> `report`), made safe: the name every result of the same source shares.

    Example:
        >>> source_stem("scans/harbor_q3_2025.pdf", "runs/a.json"), source_stem(None, "runs/oxr_paper.json")
        ('harbor_q3_2025', 'oxr_paper')
    """
    recorded = _last_part(file_name or "")
    stem = _stem(recorded) if recorded not in ("", ".", "..") and "\x00" not in recorded else ""
    if not stem.strip("."):
        stem = _stem(_last_part(rel))
    if stem.endswith(".truth"):  # a truth of the served folder is its source's truth
        stem = stem[: -len(".truth")]
    return safe_stem(stem)


def is_stem(stem: str) -> bool:
    """Whether `stem` is one `safe_stem` could have made (the only names a truth file may have).

    Example:
        >>> is_stem("harbor_q3_2025"), is_stem("../x"), is_stem(".hidden"), is_stem("a/b")
        (True, False, False, False)
    """
    return bool(_SAFE.fullmatch(stem)) and ".." not in stem and not stem.endswith(".")


def truth_file_name(stem: str) -> str:
    """The truth file's name for a safe stem.

    Example:
        >>> truth_file_name("harbor_q3_2025")
        'harbor_q3_2025.truth.json'
    """
    if not is_stem(stem):
        raise ValueError(f"not a truth name: {stem[:40]!r}")
    return stem + TRUTH_SUFFIX


def stem_of_truth_file(name: str) -> str | None:
    """The stem a truth file's name carries, or None for a file that is not a truth.

    Example:
        >>> stem_of_truth_file("harbor_q3_2025.truth.json"), stem_of_truth_file("notes.json")
        ('harbor_q3_2025', None)
    """
    if not name.endswith(TRUTH_SUFFIX):
        return None
    stem = name[: -len(TRUTH_SUFFIX)]
    return stem if is_stem(stem) else None
