"""`docnorm serve`: the viewer behind a production WSGI server."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from exporters.corpus.runner import UsageError

from .common import add_command


EXAMPLES_SERVE = [
    "docnorm serve results/",
    "docnorm serve results/report.json --port 8080",
    "docnorm serve results/ --sources ~/scans --sources ~/pdfs",
    "docnorm serve results/ --truth truth/      # review mode: correct a result into a ground truth",
]


SERVER_THREADS = 8  # requests served at once; the rest wait in waitress's queue, not in threads of their own


def cmd_serve(args: argparse.Namespace) -> int:
    """The viewer behind waitress (a production WSGI server, pure Python): a bounded thread pool, idle
    connections closed, no server or Python version in the headers. A file is served with its folder and
    opened at once."""
    target = args.dir
    if os.path.isfile(target):
        root, first = os.path.dirname(os.path.abspath(target)), os.path.basename(target)
    elif os.path.isdir(target):
        root, first = target, ""
    else:
        raise UsageError(f"no such folder or file: {target}")
    for folder in args.sources:
        if not os.path.isdir(folder):
            raise UsageError(f"--sources: no such folder: {folder}")
    if args.truth is not None:
        try:
            os.makedirs(args.truth, exist_ok=True)  # review mode's truth folder, the one place it writes
        except OSError as exc:
            raise UsageError(f"--truth: cannot make the folder {args.truth}: {exc.strerror or exc}") from None
    from ..app import create_app  # Flask is only imported when serving
    app = create_app(root, hosts=(args.host,), sources=tuple(args.sources), truth=args.truth)
    import threading  # the page renderers start beside the server: a first page image need not wait for them
    threading.Thread(target=app.extensions["docnorm"].pages.warm, daemon=True).start()
    try:
        server = make_server(app, args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    from urllib.parse import quote
    url = f"http://{_url_host(args.host)}:{server.effective_port}/" + (f"view?f={quote(first)}" if first else "")
    print(f"docnorm: serving {os.path.abspath(root)} at {url} (Ctrl+C to stop)", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0


def make_server(app: Any, host: str, port: int) -> Any:
    """waitress over `app`: SERVER_THREADS workers; idle connections (up to 500, each a socket in the event
    loop, not a thread) are closed after 30 s; no Server header."""
    from waitress import create_server
    return create_server(app, host=host, port=port, threads=SERVER_THREADS, ident="", channel_timeout=30,
                         connection_limit=500, clear_untrusted_proxy_headers=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def add_parser(sub: Any) -> None:
    """`docnorm serve` and its arguments."""
    p = add_command(sub, "serve", EXAMPLES_SERVE, "browse saved results in a web browser",
             "Serve a folder of saved results (or one file, opened at once) in the viewer.")
    p.add_argument("dir", metavar="DIR", help="a folder of saved results, or one result file")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--sources", action="append", default=[], metavar="DIR",
                   help="a folder of source documents (PDF or page images) to show under the boxes; may be "
                        "repeated (a result's own folder is always searched)")
    p.add_argument("--truth", metavar="TRUTH_DIR", default=None,
                   help="review mode: correct results into ground truths saved as TRUTH_DIR/<source>.truth.json "
                        "(made if missing); without it the viewer is read-only (docs/review.md)")
    p.set_defaults(run=cmd_serve)
