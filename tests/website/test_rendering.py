from __future__ import annotations

import pytest

from civicbuy.website.rendering import plain_text, reading_minutes, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<p style=\"background:url('javascript:alert(1)')\">x</p>",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_never_survives(text: str) -> None:
    html = str(render_markdown(text)).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "onload" not in html
    assert "onclick" not in html
    assert "<iframe" not in html
    assert "style=" not in html


def test_citations_link_to_numbered_sources() -> None:
    html = str(render_markdown("Bids rose by 40% [src:2]."))
    assert 'href="#source-2"' in html
    assert ">[2]</a></sup>" in html


def test_links_get_noopener_and_tables_render() -> None:
    html = str(render_markdown("[OCP](https://www.open-contracting.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert 'rel="noopener noreferrer"' in html
    assert "<table>" in html


def test_plain_text_and_reading_time() -> None:
    assert plain_text("**Bold** text [src:1]") == "Bold text"
    assert reading_minutes("word " * 400) == 2
    assert reading_minutes("") == 1
