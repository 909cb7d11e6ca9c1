"""What the diff compares of a block: its text with whitespace squeezed, a formula's LaTeX without whitespace, and
a block's text without the repetition of its own caption."""

from __future__ import annotations

import functools

import msgspec

from normalizer.schema import Block, Document


@functools.lru_cache(maxsize=1 << 16)  # pairing and matching ask for each block's text many times
def squeeze(text: str) -> str:
    """Whitespace runs as one space, none at the ends: providers break lines and indent differently.

    Example:
        >>> squeeze("  Net   income\\n rose ")
        'Net income rose'
    """
    return " ".join(text.split())


def latex_key(block: Block) -> str | None:
    """A block's LaTeX without any whitespace (`\\frac{a}{b}` and `\\frac {a} {b}` are one formula), or None.

    Example:
        >>> latex_key(Block(id="f", page=1, kind="formula", latex=r"E = m c^2"))
        'E=mc^2'
    """
    return "".join(block.latex.split()) if block.latex and block.latex.strip() else None


def pair_texts(xs: list[Block], ys: list[Block]) -> tuple[str, str, bool]:
    """The two texts a pair is compared by, and whether they are LaTeX: the formulas' LaTeX when every block of
    both sides has one (whitespace-insensitive), else the texts joined in reading order.

    Example:
        >>> f = lambda latex: Block(id="f", page=1, kind="formula", text="x", latex=latex)
        >>> pair_texts([f("a + b")], [f("a+b")])
        ('a+b', 'a+b', True)
    """
    keys = [latex_key(blk) for blk in xs + ys]
    if all(keys):
        return "".join(keys[:len(xs)]), "".join(keys[len(xs):]), True  # type: ignore[arg-type]
    return "\n".join(blk.text for blk in xs), "\n".join(blk.text for blk in ys), False


def without_repeated_captions(doc: Document) -> Document:
    """The document with each block's text freed of the text of its own captions when it repeats them (a figure
    whose text is its caption, as LlamaCloud gives it, next to the caption block itself): compared with a
    provider that gives the figure no text, that repetition is no difference. Blocks otherwise unchanged.

    Example:
        >>> from normalizer import load
        >>> doc, = load("samples/same_report/harbor_q3_llamacloud_v2.json")
        >>> [b.text for b in without_repeated_captions(doc).blocks if b.kind == "figure"]
        ['']
    """
    by_id: dict[str, Block] | None = None
    changed: dict[int, Block] = {}
    for k, block in enumerate(doc.blocks):
        if not (block.captions and block.text.strip()):
            continue
        if by_id is None:
            by_id = {blk.id: blk for blk in doc.blocks}
        text = squeeze(block.text)
        for caption_id in block.captions:
            caption = by_id.get(caption_id)
            said = squeeze(caption.text) if caption is not None and caption.id != block.id else ""
            if said and said in text:
                text = squeeze(text.replace(said, " ", 1))
        if text != squeeze(block.text):
            changed[k] = msgspec.structs.replace(block, text=text)
    if not changed:
        return doc
    return msgspec.structs.replace(doc, blocks=[changed.get(k, blk) for k, blk in enumerate(doc.blocks)])
