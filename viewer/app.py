"""The Flask viewer's app factory: the served folder, the Host check, the security headers; the routes are
`routes.bp`. Every response carries a Content-Security-Policy without inline script; templates autoescape every
provider string."""

from __future__ import annotations

import os

from flask import Flask, Response, render_template, request

from exporters.pages.images import PageImages

from .routes import BLUEPRINTS
from .routes.evaluate import bp as evaluate_bp
from .review.routes import bp as review_bp
from .state import ViewerState
from .store import Refused

# KaTeX (served from the package, never a CDN) sizes its output with style attributes and loads its fonts:
# style attributes are allowed (provider text is always escaped, so none can come from a result), <style> is not.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; font-src 'self'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")


def create_app(root: str, hosts: tuple[str, ...] = (), sources: tuple[str, ...] = (),
               pages: PageImages | None = None, index_budget: float = 0.25, truth: str | None = None) -> Flask:
    """The viewer over `root`. It answers only requests whose Host header names this machine (or one of
    `hosts`, the interface it was bound to): a page on another site rebound to 127.0.0.1 cannot read results.
    Source documents are looked for beside each result and in the `sources` folders (read-only too); their pages
    are rendered by `pages` (by default, two bounded worker processes started on first use, caching outside
    every served folder). An index request reads result files itself for `index_budget` seconds and leaves the
    rest to a background scan, so a large folder answers at once (tests that need every row at once raise it).
    With `truth`, a folder, the viewer runs in review mode (docs/review.md): truths made from results are saved
    there, and only there; without it, nothing is ever written."""
    for folder in (root, *sources, *([truth] if truth is not None else [])):
        if not os.path.isdir(folder):
            raise ValueError(f"not a folder: {folder!r}")
    allowed = {h.lower().strip("[]") for h in LOCAL_HOSTS + tuple(hosts)}
    app = Flask(__name__)
    app.jinja_env.autoescape = True  # Flask only autoescapes *.html by name; these templates are *.html.j2
    app.config["JSON_SORT_KEYS"] = False
    viewer = app.extensions["docnorm"] = ViewerState(root, sources, pages, index_budget, truth)
    store = viewer.store

    @app.context_processor
    def folder() -> dict[str, str]:
        return {"root": os.path.basename(store.root)}

    @app.before_request
    def local_only() -> tuple[str, int] | None:
        host = (request.host or "").lower()
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 or host.startswith("[") and "]:" in host else host
        if name.strip("[]") not in allowed:
            return render_template("error.html.j2", message="this viewer answers requests to this machine only"), 400
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.errorhandler(Refused)
    def refused(exc: Refused) -> tuple[str, int]:
        return render_template("error.html.j2", message=str(exc)), 404

    for blueprint in BLUEPRINTS + (evaluate_bp, review_bp):  # Evaluate: sets scored against a truth; review mode
        app.register_blueprint(blueprint)
    return app
