"""Deprecated: moved to `exporters.pages.images`; this module re-exports it for one release."""

import importlib
import warnings

globals().update({name: value for name, value in vars(importlib.import_module("exporters.pages.images")).items()
                  if not name.startswith("__")})
warnings.warn("exporters.page_images is deprecated: import exporters.pages.images", DeprecationWarning, stacklevel=2)
