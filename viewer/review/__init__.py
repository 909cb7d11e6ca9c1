"""Review mode (`docnorm serve DIR --truth TRUTH_DIR`, docs/review.md): a result corrected over its pages into
the ground truth of its source, saved as canonical JSON with its edit log, scored against every result of it.

`names` (a source's truth file name), `edit_types` (the edits as JSON), `edits` and `table_edits` (the edits,
pure functions in one registry), `history` (the truth's record and log, undo and redo), `truths` (the truth
folder: atomic saves that never overwrite someone else's edit), `scores` (the Scores panel), `payload` (the page's
JSON), `guard` (what a write must show), `routes` (the blueprint)."""
