"""Deprecated: the corpus runner is `exporters.corpus.runner` and the command line's inputs `viewer.cli.inputs`.
This module re-exports them for one release."""

from __future__ import annotations

import warnings

from exporters.corpus.runner import (Crashed, Outcome, Summary, Unreadable, UsageError, attempt,  # noqa: F401
                                     input_failed, jobs_wanted, map_jobs, read, run)
from normalizer.errors import failure_message as failure  # noqa: F401  (its old name here)
from viewer.cli.inputs import Item, corpus_files, expand, is_pattern, outputs_under, pattern_files  # noqa: F401

warnings.warn("viewer.batch is deprecated: import from exporters.corpus.runner and viewer.cli.inputs",
              DeprecationWarning, stacklevel=2)
