"""The real page under the boxes: source pages rendered in bounded worker processes (`images`, `worker`), where a
block is drawn on its page (`frame`), and the boxes drawn over the page as PNG (`render`)."""
