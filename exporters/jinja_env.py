"""The one Jinja environment of the HTML exports and reports: every template autoescaped, so a provider's
string is always text."""

from __future__ import annotations

import jinja2

env = jinja2.Environment(loader=jinja2.PackageLoader("exporters", "templates"), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)
