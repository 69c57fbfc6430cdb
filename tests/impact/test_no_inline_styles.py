"""The production CSP blocks inline style attributes, so no template may carry one (a grep over every template).

CivicBuy's CSP has no 'unsafe-inline' for styles: an element's ``style="..."`` is ignored by the browser there, and a
page that relies on one silently loses its layout. Styles belong in the Sass (``frontend/scss/``).
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "civicbuy"
SCSS = SRC.parents[1] / "frontend" / "scss"
# an attribute: whitespace, then style, then "=" (not the <style> element of a PDF-only template)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.html") if "templates" in p.parts)


def test_no_template_has_a_style_attribute() -> None:
    templates = _templates()
    assert len(templates) > 50  # the walk found the templates of every app
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STYLE_ATTRIBUTE.search(line)
    ]
    assert offenders == [], "inline style= attributes (blocked by the CSP): " + ", ".join(offenders)


def test_the_impact_classes_are_defined_in_the_sass() -> None:
    used = set()
    for path in (SRC / "impact" / "templates").rglob("*.html"):
        used |= set(re.findall(r"\bcb-impact-[a-z-]+", path.read_text(encoding="utf-8")))
    assert used >= {"cb-impact-panel", "cb-impact-nav"}
    defined = set(re.findall(r"\.(cb-impact-[a-z-]+)", (SCSS / "_impact.scss").read_text(encoding="utf-8")))
    assert used <= defined
    assert '@use "impact";' in (SCSS / "civicbuy.scss").read_text(encoding="utf-8")
