"""Deprecated: moved to `exporters.corpus.dataset_ray`; this module re-exports it for one release."""

import importlib
import warnings

globals().update({name: value for name, value in vars(importlib.import_module("exporters.corpus.dataset_ray")).items()
                  if not name.startswith("__")})
warnings.warn("exporters.dataset_ray is deprecated: import exporters.corpus.dataset_ray", DeprecationWarning, stacklevel=2)
