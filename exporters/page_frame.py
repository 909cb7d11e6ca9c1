"""Deprecated: moved to `exporters.pages.frame`; this module re-exports it for one release."""

import importlib
import warnings

globals().update({name: value for name, value in vars(importlib.import_module("exporters.pages.frame")).items()
                  if not name.startswith("__")})
warnings.warn("exporters.page_frame is deprecated: import exporters.pages.frame", DeprecationWarning, stacklevel=2)
