"""`python -m viewer.cli`: the same as the `docnorm` command."""

from .main import main

raise SystemExit(main())
