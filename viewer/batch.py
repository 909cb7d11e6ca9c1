"""Deprecated: the corpus runner is `exporters.corpus.runner` and the command line's inputs `viewer.cli.inputs`.
This module re-exports them for one release."""

from __future__ import annotations

import warnings

from exporters.corpus.runner import (Crashed, Outcome, Summary, UsageError, attempt, failure, input_failed,  # noqa: F401
                                     jobs_wanted, map_jobs, run)
from viewer.cli.inputs import (Item, Unreadable, corpus_files, expand, is_pattern, outputs_under,  # noqa: F401
                               pattern_files, read)

warnings.warn("viewer.batch is deprecated: import from exporters.corpus.runner and viewer.cli.inputs",
              DeprecationWarning, stacklevel=2)
