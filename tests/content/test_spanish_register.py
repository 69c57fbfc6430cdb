"""The Spanish content packs address the reader formally ("usted"), like the Spanish interface, and call
bidders "oferentes". Every *.es.yaml file of the bundled pack is read through the pack reader and its text
is searched for clear markers of the informal "tú" register and for "licitador(es)".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from civicbuy.content.packs import bundled_pack, read_pack

BUNDLED = bundled_pack()
SPANISH_FILES = sorted(path.relative_to(BUNDLED).as_posix() for path in BUNDLED.rglob("*.es.yaml"))

# Words that only occur in the informal register, or are the wrong term for a bidder. ("ti" is left out: it
# cannot be told apart from "TI", tecnologías de la información.)
INFORMAL = re.compile(
    r"\b(tú|tu|tus|te|puedes|debes|tienes|quieres|necesitas|asegúrate|licitador|licitadores)\b",
    re.IGNORECASE,
)
# Proper nouns that contain one of the words above; the word is allowed inside them.
ALLOWED_NAMES = ("Te Puni Kōkiri",)


@pytest.fixture(scope="module")
def spanish_texts() -> dict[str, dict[str, Any]]:
    """Each Spanish file's data as the pack reader returns it, keyed by its path in the pack."""
    texts = {}
    for pages in read_pack(BUNDLED).values():
        for page in pages:
            texts[page.relative.removesuffix(".en.yaml") + ".es.yaml"] = page.data["es"]
    return texts


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every text in a parsed file, with the field it sits in (e.g. ``actions[2]``, ``examples[0].body``)."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _strings(inner, f"{where}[{i}]")


def test_every_spanish_file_is_checked(spanish_texts: dict[str, dict[str, Any]]) -> None:
    assert len(SPANISH_FILES) >= 90
    assert sorted(spanish_texts) == SPANISH_FILES


@pytest.mark.parametrize("relative", SPANISH_FILES)
def test_spanish_text_uses_the_formal_register(relative: str, spanish_texts: dict[str, dict[str, Any]]) -> None:
    problems = []
    for field, original in _strings(spanish_texts[relative], ""):
        text = original
        for name in ALLOWED_NAMES:
            text = text.replace(name, " " * len(name))
        problems.extend(
            f"{relative}: {field}: informal or wrong word {match.group(0)!r} in "
            f"{text[max(0, match.start() - 40) : match.end() + 40]!r}"
            for match in INFORMAL.finditer(text)
        )
    assert not problems, "\n".join(problems)
