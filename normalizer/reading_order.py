"""Reading order from position alone, for providers that give boxes but no order (MinerU's model.json).

A recursive XY cut, told to keep columns whole: a region is split at every horizontal gap no box crosses into
strips; neighbouring strips that share a vertical gutter (an x-range no box of either covers: two columns running
past a gap that happens to line up across them) are joined again; each joined group that has a gutter is split into
its columns, read left to right; a region that no gap splits is read top to bottom, then left to right. It is done
with a stack, not recursion, and a page of more boxes than `MAX_BOXES` is read top to bottom, then left to right
(the cut costs up to the square of the boxes).
"""

from __future__ import annotations

from typing import Sequence

from .schema import BBox

MAX_BOXES = 400  # boxes on one page ordered by the cut; past it, by position (a page of layout regions has < 100)

Interval = tuple[float, float]


def reading_order(boxes: Sequence[BBox]) -> list[int]:
    """The indexes of `boxes` in reading order: columns kept whole, top to bottom within each.

    Example:
        >>> title, left, right = [0, 0, 100, 10], [0, 20, 45, 90], [55, 20, 100, 60]
        >>> reading_order([right, left, [0, 95, 100, 99], title])
        [3, 1, 0, 2]
    """
    if len(boxes) > MAX_BOXES:
        return sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))
    out: list[int] = []
    stack = [list(range(len(boxes)))]
    while stack:
        region = stack.pop()
        parts = _split(region, boxes) if len(region) > 1 else None
        if parts is None:
            out += sorted(region, key=lambda i: (boxes[i][1], boxes[i][0]))
        else:
            stack += parts[::-1]
    return out


def _split(region: list[int], boxes: Sequence[BBox]) -> list[list[int]] | None:
    """The region's parts in reading order (each smaller than the region), or None when no gap splits it."""
    strips = _cut(region, boxes, 1)
    if len(strips) == 1:
        columns = _cut(region, boxes, 0)
        return columns if len(columns) > 1 else None
    groups: list[list[int]] = []
    shared: list[Interval] = []  # the gutters every strip of the last group has
    for strip in strips:
        gutters = _gutters(strip, boxes)
        common = _intersect(shared, gutters) if groups and shared else []
        if common:
            groups[-1] += strip
            shared = common
        else:
            groups.append(list(strip))
            shared = gutters
    if len(groups) == 1:  # columns all the way down: a gutter runs through the whole region
        columns = _cut(region, boxes, 0)
        return columns if len(columns) > 1 else None
    return groups


def _cut(region: list[int], boxes: Sequence[BBox], axis: int) -> list[list[int]]:
    """The region cut at every gap along `axis` (1: horizontal gaps, into strips top to bottom; 0: vertical gaps,
    into columns left to right) that no box crosses."""
    ordered = sorted(region, key=lambda i: (boxes[i][axis], boxes[i][axis + 2]))
    parts: list[list[int]] = [[ordered[0]]]
    reach = boxes[ordered[0]][axis + 2]
    for i in ordered[1:]:
        if boxes[i][axis] > reach:
            parts.append([i])
        else:
            parts[-1].append(i)
        reach = max(reach, boxes[i][axis + 2])
    return parts


def _gutters(strip: list[int], boxes: Sequence[BBox]) -> list[Interval]:
    """The x-ranges between the strip's boxes that none of them covers (not its margins)."""
    ordered = sorted(strip, key=lambda i: boxes[i][0])
    out: list[Interval] = []
    reach = boxes[ordered[0]][2]
    for i in ordered[1:]:
        if boxes[i][0] > reach:
            out.append((reach, boxes[i][0]))
        reach = max(reach, boxes[i][2])
    return out


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The x-ranges in both lists (each sorted and disjoint)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out
