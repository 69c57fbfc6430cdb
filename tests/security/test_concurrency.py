"""Shared state under gunicorn's threads: pages render the same from many threads at once.

Found by the load test (benchmarks/load_site.py): 6 of 26,115 requests failed with
``IndexError: pop from empty list`` inside Python-Markdown, because ``website.rendering`` keeps one
``markdown.Markdown`` instance per process (``@cache``) and gunicorn's gthread workers call it from 4
threads. Markdown instances are not thread-safe; a per-thread instance (``threading.local``) fixes it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from civicbuy.website.rendering import render_markdown

TEXTS = [f"# Title {i}\n\n- one [src:1]\n- two\n\n| a | b |\n|---|---|\n| {i} | x |\n\n> quote {i}" for i in range(8)]


def test_markdown_renders_correctly_from_many_threads() -> None:
    expected = {text: str(render_markdown(text)) for text in TEXTS}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(30):
            results = list(pool.map(lambda text: (text, str(render_markdown(text))), TEXTS * 25))
            assert all(html == expected[text] for text, html in results)
