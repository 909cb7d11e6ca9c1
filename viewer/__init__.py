"""docnorm's outer layer: the command line and the Flask viewer (`create_app(root)`)."""

from .app import create_app

__all__ = ["create_app"]
