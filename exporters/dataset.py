"""Deprecated: moved to `exporters.corpus.dataset`; this module re-exports it for one release."""

import importlib
import warnings

globals().update({name: value for name, value in vars(importlib.import_module("exporters.corpus.dataset")).items()
                  if not name.startswith("__")})
warnings.warn("exporters.dataset is deprecated: import exporters.corpus.dataset", DeprecationWarning, stacklevel=2)
