"""Deprecated: moved to `exporters.pages.render`; this module re-exports it for one release."""

import importlib
import warnings

globals().update({name: value for name, value in vars(importlib.import_module("exporters.pages.render")).items()
                  if not name.startswith("__")})
warnings.warn("exporters.render is deprecated: import exporters.pages.render", DeprecationWarning, stacklevel=2)
