"""Deprecated: moved to `exporters.pages.worker`; this module re-exports it for one release."""

import importlib
import warnings

globals().update({name: value for name, value in vars(importlib.import_module("exporters.pages.worker")).items()
                  if not name.startswith("__")})
warnings.warn("exporters.page_worker is deprecated: import exporters.pages.worker", DeprecationWarning, stacklevel=2)
