"""Deprecated: moved to `exporters.corpus.dataset`; this module re-exports it for one release."""

import warnings

from .corpus.dataset import *  # noqa: F401,F403
from .corpus.dataset import __doc__ as _moved  # noqa: F401

warnings.warn("exporters.dataset is deprecated: import exporters.corpus.dataset", DeprecationWarning, stacklevel=2)
