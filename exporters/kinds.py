"""Each block kind's colour and dash, shared by the viewer's boxes and `render_page`'s drawings."""

# Each kind's colour (from Paul Tol's colour-blind-safe vibrant, muted and bright schemes) and, where hues are
# close or the kind is page furniture, a dash pattern too: caption/table, header/footer/footnote and link/list
# item, alike before, now differ in hue and lightness.
KIND_STYLE: dict[str, tuple[str, str]] = {
    "heading": ("#CC3311", ""), "paragraph": ("#0077BB", ""), "list_item": ("#009988", ""),
    "table": ("#EE7733", ""), "figure": ("#AA3377", ""), "caption": ("#33BBEE", "2 2"),
    "formula": ("#117733", ""), "code": ("#332288", ""), "header": ("#999933", "6 3"),
    "footer": ("#882255", "6 3"), "page_number": ("#BBBBBB", "6 3"), "footnote": ("#DDCC77", "2 2"),
    "toc": ("#CCBB44", "1 3"), "seal": ("#EE3377", ""), "barcode": ("#222255", "1 3"), "link": ("#EE6677", "4 2"),
    "other": ("#777777", "1 3"),
}
