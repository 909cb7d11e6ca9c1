"""Deprecated: moved to `exporters.corpus.dataset_ray`; this module re-exports it for one release."""

import warnings

from .corpus.dataset_ray import *  # noqa: F401,F403
from .corpus.dataset_ray import __doc__ as _moved  # noqa: F401

warnings.warn("exporters.dataset_ray is deprecated: import exporters.corpus.dataset_ray", DeprecationWarning, stacklevel=2)
