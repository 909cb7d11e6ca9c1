"""docnorm's outer layer: the command line and the Flask viewer (`create_app(root)`).

Flask is imported only when the viewer is: the command line starts without it."""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str) -> object:  # typing is not imported: `docnorm --version` needs none of it
    if name == "create_app":
        from .app import create_app
        return create_app
    raise AttributeError(name)
