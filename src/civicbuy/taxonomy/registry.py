"""The shared taxonomy: one source of truth for stages, themes, SDG targets, CPV divisions and countries.

Every guide step, case study, indicator and assessment dimension is tagged with codes from here, so
the parts of CivicBuy can link to each other. The curated data lives in YAML beside this module
(labels in CivicBuy's own words, English and Spanish); this module only reads and looks it up.
It never imports Django, so the analytics engine can use it too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pycountry
import yaml

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Term:
    """One entry of the taxonomy: a stable code with a label (and optional summary) per language."""

    kind: str
    code: str
    labels: dict[str, str]
    summaries: dict[str, str] = field(default_factory=dict)
    order: int = 0
    parent: str = ""

    def label(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the label in ``language``, falling back to English."""
        return self.labels.get(language) or self.labels[DEFAULT_LANGUAGE]

    def summary(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the one-line summary in ``language`` (empty when the term has none)."""
        return self.summaries.get(language) or self.summaries.get(DEFAULT_LANGUAGE, "")


class UnknownTermError(KeyError):
    """A code that the taxonomy does not know; the message names the kind and the code."""

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"unknown {kind} code {code!r}")
        self.kind = kind
        self.code = code

    def __str__(self) -> str:
        return str(self.args[0])


def _same(text: str) -> str:
    return text


def _read(name: str) -> Any:
    text = resources.files("civicbuy.taxonomy").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _labelled(kind: str, rows: list[dict[str, Any]]) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for position, row in enumerate(rows, start=1):
        terms[row["code"]] = Term(
            kind=kind,
            code=row["code"],
            labels={lang: row[lang]["label"] for lang in LANGUAGES},
            summaries={lang: row[lang].get("summary", "") for lang in LANGUAGES},
            order=int(row.get("order", position)),
        )
    return terms


@cache
def stages() -> dict[str, Term]:
    """Lifecycle stages (plan ... measure-learn) plus the emergency track, in order."""
    return _labelled("stage", _read("stages.yaml"))


@cache
def themes() -> dict[str, Term]:
    """Themes that cut across the lifecycle (social value, climate, supplier diversity...)."""
    return _labelled("theme", _read("themes.yaml"))


def _sdg_sort_key(code: str) -> tuple[int, int, str]:
    goal, _, target = code.partition(".")
    return (int(goal), int(target) if target.isdigit() else 100, target)


@cache
def sdg_goals() -> dict[str, Term]:
    """The 17 Sustainable Development Goals (UN A/RES/70/1), keyed "1" to "17"."""
    data = _read("sdg.yaml")["goals"]
    return {
        code: Term(kind="sdg_goal", code=code, labels=dict(labels), order=int(code)) for code, labels in data.items()
    }


@cache
def sdg_targets() -> dict[str, Term]:
    """SDG targets that public procurement can move, keyed like "12.7" (UN A/RES/70/1)."""
    data = _read("sdg.yaml")["targets"]
    ordered = sorted(data, key=_sdg_sort_key)
    return {
        code: Term(kind="sdg", code=code, labels=dict(data[code]), order=i, parent=code.split(".")[0])
        for i, code in enumerate(ordered)
    }


@cache
def cpv_divisions() -> dict[str, Term]:
    """The 45 CPV 2008 divisions (Regulation (EC) 213/2008), keyed by two-digit code."""
    data = _read("cpv_divisions.yaml")
    return {
        code: Term(kind="cpv_division", code=code, labels=dict(labels), order=i)
        for i, (code, labels) in enumerate(sorted(data.items()))
    }


@cache
def regions() -> dict[str, Term]:
    """World regions used to group countries (UN M49 groupings, CivicBuy labels)."""
    data = _read("regions.yaml")
    return {
        row["code"]: Term(kind="region", code=row["code"], labels={lang: row[lang] for lang in LANGUAGES}, order=i)
        for i, row in enumerate(data["regions"])
    }


@cache
def _country_regions() -> dict[str, str]:
    data = _read("regions.yaml")
    return {country: row["code"] for row in data["regions"] for country in row["countries"]}


def region_of(country_code: str) -> str:
    """Return the region code of an ISO 3166-1 alpha-2 country code ("" when unmapped)."""
    return _country_regions().get(country_code.upper(), "")


@cache
def countries() -> dict[str, Term]:
    """Every ISO 3166-1 country, from pycountry, with English and Spanish names.

    Spanish names come from pycountry's bundled iso3166-1 translations (Debian iso-codes).
    """
    import gettext

    try:
        spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
        translate: Callable[[str], str] = spanish.gettext
    except OSError:  # pycountry always ships the Spanish catalogue; fall back to English names
        translate = _same
    result: dict[str, Term] = {}
    for country in pycountry.countries:
        english = getattr(country, "common_name", None) or country.name
        result[country.alpha_2] = Term(
            kind="country",
            code=country.alpha_2,
            labels={"en": english, "es": translate(country.name)},
            parent=region_of(country.alpha_2),
        )
    return result


KINDS = {
    "stage": stages,
    "theme": themes,
    "sdg": sdg_targets,
    "sdg_goal": sdg_goals,
    "cpv_division": cpv_divisions,
    "country": countries,
    "region": regions,
}


def vocabulary(kind: str) -> dict[str, Term]:
    """Return every term of one kind ("stage", "theme", "sdg", "cpv_division", "country", "region")."""
    try:
        return KINDS[kind]()
    except KeyError:
        raise UnknownTermError("taxonomy kind", kind) from None


def term(kind: str, code: str) -> Term:
    """Look up one term; raise :class:`UnknownTermError` with a clear message when it does not exist."""
    terms = vocabulary(kind)
    try:
        return terms[code]
    except KeyError:
        raise UnknownTermError(kind, code) from None


def label(kind: str, code: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Return the label of a code, or the code itself when unknown (for display of legacy data)."""
    found = vocabulary(kind).get(code)
    return found.label(language) if found else code


def validate_codes(kind: str, codes: list[str]) -> list[str]:
    """Return the codes that are not in the taxonomy (empty when all are known)."""
    known = vocabulary(kind)
    return [code for code in codes if code not in known]


#: Letters that a language's alphabet keeps apart from their base letter (in Spanish, "ñ" sorts after "n").
#: Each stands for its base letter followed by a character above every other, so it comes after "nz" and before "o".
_SEPARATE_LETTERS = {"es": {"ñ": "n\U0010ffff"}}


def collation_key(text: str, language: str = DEFAULT_LANGUAGE) -> tuple[str, str, str]:
    """Sort key that orders names as a reader of ``language`` expects: accents and case ignored first.

    A plain ``sorted`` compares code points, which puts "Bélgica" after "Bután" and "Åland Islands" last.
    PyICU would give full CLDR collation, but it is a compiled dependency the install does not have; for
    country names, stripping accents (NFKD without combining marks) and case-folding gives the same order,
    with the letters a language keeps apart ("ñ" in Spanish) put back after their base letter.
    Ties (names that differ only in accents or case) fall back to the case-folded, then the exact text,
    so the order is stable.
    """
    folded = text.casefold()
    for letter, replacement in _SEPARATE_LETTERS.get(language, {}).items():
        folded = folded.replace(letter, replacement)
    decomposed = unicodedata.normalize("NFKD", folded)
    primary = "".join(char for char in decomposed if not unicodedata.combining(char))
    return primary, text.casefold(), text


def choices(kind: str, language: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """Return (code, label) pairs in display order, for forms and facets."""
    terms = sorted(vocabulary(kind).values(), key=lambda t: (t.order, t.code))
    if kind == "country":
        terms = sorted(terms, key=lambda t: collation_key(t.label(language), language))
    if kind in {"sdg", "cpv_division"}:
        return [(t.code, f"{t.code} {t.label(language)}") for t in terms]
    return [(t.code, t.label(language)) for t in terms]
