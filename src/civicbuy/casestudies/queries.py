"""Public read functions of the case-study library, used by its pages, the guide, the assessment and the API.

Facets are computed in Python over the (few thousand at most) live cases of one language, so filters,
counts and order are identical on SQLite and PostgreSQL. Within one facet the chosen values are
alternatives (country NZ or AU); different facets combine (country NZ and theme social-value). The
count next to a value is how many cases the list would show with that value added to the other facets'
choices, so a count never promises an empty page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wagtail.models import Locale

from civicbuy.casestudies import search
from civicbuy.casestudies.models import CaseStudyPage
from civicbuy.taxonomy import registry

FACETS = ("country", "region", "theme", "sdg", "stage")
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 20


@dataclass(frozen=True)
class CaseFilters:
    """What the reader asked for: a query and facet choices (only known codes survive)."""

    q: str = ""
    country: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    sdg: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CaseFilters:
        """Read filters from a query string (a Django QueryDict or a plain mapping of lists)."""

        def values(name: str) -> list[str]:
            getlist = getattr(params, "getlist", None)
            raw = getlist(name) if getlist else params.get(name, [])
            if isinstance(raw, str):
                raw = [raw]
            found: list[str] = []
            for item in raw[:MAX_VALUES_PER_FACET]:
                for part in str(item).split(","):
                    code = part.strip()
                    if code and code not in found:
                        found.append(code)
            return found

        countries = registry.countries()
        sdg_targets = registry.sdg_targets()
        sdg_goals = registry.sdg_goals()
        q = " ".join(str(params.get("q") or "").split())[:MAX_QUERY_LENGTH]
        return cls(
            q=q,
            country=tuple(c.upper() for c in values("country") if c.upper() in countries),
            region=tuple(c for c in values("region") if c in registry.regions()),
            theme=tuple(c for c in values("theme") if c in registry.themes()),
            sdg=tuple(c for c in values("sdg") if c in sdg_targets or c in sdg_goals),
            stage=tuple(c for c in values("stage") if c in registry.stages()),
        )

    def chosen(self, facet: str) -> tuple[str, ...]:
        """The chosen values of one facet."""
        value: tuple[str, ...] = getattr(self, facet)
        return value

    def without(self, facet: str, code: str | None = None) -> CaseFilters:
        """These filters minus one value of a facet (or the whole facet when ``code`` is None)."""
        kept = () if code is None else tuple(c for c in self.chosen(facet) if c != code)
        return CaseFilters(**{**self.as_dict(), facet: kept})

    def as_dict(self) -> dict[str, Any]:
        """Field name -> value."""
        return {"q": self.q, **{facet: self.chosen(facet) for facet in FACETS}}

    def params(self) -> list[tuple[str, str]]:
        """The filters as query-string pairs (for shareable links)."""
        pairs = [("q", self.q)] if self.q else []
        pairs += [(facet, code) for facet in FACETS for code in self.chosen(facet)]
        return pairs

    @property
    def active(self) -> bool:
        """True when any facet value is chosen or a query is given."""
        return bool(self.q) or any(self.chosen(facet) for facet in FACETS)


@dataclass(frozen=True)
class _Row:
    page_id: int
    country: str
    region: str
    themes: tuple[str, ...]
    sdg_targets: tuple[str, ...]
    stages: tuple[str, ...]
    published: dt.date
    title: str
    cpv_divisions: tuple[str, ...] = ()


def _matches_sdg(row: _Row, chosen: tuple[str, ...]) -> bool:
    return any(
        target == code or ("." not in code and target.split(".")[0] == code)
        for code in chosen
        for target in row.sdg_targets
    )


MATCHERS: dict[str, Callable[[_Row, tuple[str, ...]], bool]] = {
    "country": lambda row, chosen: row.country in chosen,
    "region": lambda row, chosen: row.region in chosen,
    "theme": lambda row, chosen: any(code in chosen for code in row.themes),
    "sdg": _matches_sdg,
    "stage": lambda row, chosen: any(code in chosen for code in row.stages),
}
VALUES: dict[str, Callable[[_Row], Iterable[str]]] = {
    "country": lambda row: [row.country] if row.country else [],
    "region": lambda row: [row.region] if row.region else [],
    "theme": lambda row: row.themes,
    "sdg": lambda row: row.sdg_targets,
    "stage": lambda row: row.stages,
}
TAXONOMY_KIND = {"country": "country", "region": "region", "theme": "theme", "sdg": "sdg", "stage": "stage"}


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of cases it would show."""

    code: str
    label: str
    count: int
    selected: bool

    @property
    def anchor(self) -> str:
        """A stable HTML id fragment for the value ("5.5" -> "5-5")."""
        return self.code.replace(".", "-")


@dataclass
class CaseSearch:
    """The outcome of a search: matching page ids in order, and the facets with counts."""

    filters: CaseFilters
    page_ids: list[int]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    corrected: list[tuple[str, list[str]]] = field(default_factory=list)
    countries: list[CountryCount] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many cases match."""
        return len(self.page_ids)


def _rows(locale: Locale) -> list[_Row]:
    pages = CaseStudyPage.objects.live().public().filter(locale=locale)
    fields = ("id", "country", "themes", "sdg_targets", "stages", "published", "title", "cpv_divisions")
    return [
        _Row(
            page_id=page_id,
            country=country,
            region=registry.region_of(country) if country else "",
            themes=tuple(themes or ()),
            sdg_targets=tuple(sdgs or ()),
            stages=tuple(stages or ()),
            published=published,
            title=title,
            cpv_divisions=tuple(cpvs or ()),
        )
        for page_id, country, themes, sdgs, stages, published, title, cpvs in pages.values_list(*fields)
    ]


def _passes(row: _Row, filters: CaseFilters, skip: str = "") -> bool:
    return all(
        MATCHERS[facet](row, filters.chosen(facet)) for facet in FACETS if facet != skip and filters.chosen(facet)
    )


def _sort_values(facet: str, values: list[FacetValue]) -> list[FacetValue]:
    if facet == "stage":
        order = {code: term.order for code, term in registry.stages().items()}
        return sorted(values, key=lambda v: order.get(v.code, 99))
    if facet == "sdg":  # a chosen goal ("7") comes just before its own targets ("7.2")
        order = {code: term.order for code, term in registry.sdg_targets().items()}
        return sorted(values, key=lambda v: (_goal_number(v.code), order.get(v.code, -1)))
    return sorted(values, key=lambda v: search.normalise(v.label))


def _goal_number(sdg_code: str) -> int:
    goal = sdg_code.partition(".")[0]
    return int(goal) if goal.isdigit() else 99


def _is_sdg_goal(facet: str, code: str) -> bool:
    """True for an SDG goal code ("7"): the facet also accepts goals, meaning all of their targets."""
    return facet == "sdg" and "." not in code


def _facet_label(facet: str, code: str, language: str) -> str:
    kind = "sdg_goal" if _is_sdg_goal(facet, code) else TAXONOMY_KIND[facet]
    label = registry.label(kind, code, language)
    return f"{code} {label}" if facet == "sdg" else label


def find_cases(locale: Locale, filters: CaseFilters) -> CaseSearch:
    """Search the live cases of ``locale``: full text, facets and counts."""
    language = str(locale.language_code)[:2]
    rows = _rows(locale)
    by_id = {row.page_id: row for row in rows}
    ranked = search.match(language, filters.q) if filters.q else None
    if ranked is None:
        candidates = sorted(rows, key=lambda r: (-r.published.toordinal(), search.normalise(r.title)))
    else:
        candidates = [by_id[page_id] for page_id in ranked if page_id in by_id]
    matching = [row.page_id for row in candidates if _passes(row, filters)]

    facets: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        chosen = filters.chosen(facet)
        counts: dict[str, int] = {}
        for row in candidates:
            if _passes(row, filters, skip=facet):
                for code in set(VALUES[facet](row)):
                    counts[code] = counts.get(code, 0) + 1
        for code in chosen:
            if _is_sdg_goal(facet, code):  # cases are tagged with targets, never goals: count the goal's targets
                counts[code] = sum(
                    1 for row in candidates if _passes(row, filters, skip=facet) and _matches_sdg(row, (code,))
                )
            else:
                counts.setdefault(code, 0)
        values = [
            FacetValue(code=code, label=_facet_label(facet, code, language), count=count, selected=code in chosen)
            for code, count in counts.items()
        ]
        facets[facet] = _sort_values(facet, values)
    corrected = search.spelling(language, filters.q) if filters.q else []
    return CaseSearch(
        filters=filters,
        page_ids=matching,
        facets=facets,
        corrected=corrected,
        countries=_country_counts([by_id[page_id] for page_id in matching], language),
    )


def pages_in_order(page_ids: Sequence[int]) -> list[CaseStudyPage]:
    """The case pages with these ids, in the same order."""
    pages = CaseStudyPage.objects.filter(pk__in=list(page_ids)).select_related("locale")
    by_id = {page.pk: page for page in pages}
    return [by_id[page_id] for page_id in page_ids if page_id in by_id]


@dataclass(frozen=True)
class CaseLink:
    """A case in a list of links: what ``includes/related_cases.html`` shows."""

    page_id: int
    url: str
    title: str
    place: str


def _link(page: CaseStudyPage) -> CaseLink:
    return CaseLink(page_id=page.pk, url=page.get_url() or page.url_path, title=page.title, place=page.place)


def related(
    locale: Locale,
    *,
    limit: int = 3,
    themes: Iterable[str] = (),
    sdg_targets: Iterable[str] = (),
    stages: Iterable[str] = (),
    cpv_divisions: Iterable[str] = (),
) -> list[CaseLink]:
    """Up to ``limit`` live cases of ``locale`` sharing the most tags with the given ones (newest first on ties).

    Each shared theme or SDG target counts 2, a shared SDG goal 1, a shared stage or CPV division 1.
    Cases sharing nothing are never returned.
    """
    themes, sdg_targets, stages, cpv_divisions = set(themes), set(sdg_targets), set(stages), set(cpv_divisions)
    goals = {code.split(".")[0] for code in sdg_targets}
    scored: list[tuple[int, int, str, int]] = []
    for row in _rows(locale):
        score = 2 * len(themes & set(row.themes)) + 2 * len(sdg_targets & set(row.sdg_targets))
        score += len(goals & {code.split(".")[0] for code in row.sdg_targets})
        score += len(stages & set(row.stages)) + len(cpv_divisions & set(row.cpv_divisions))
        if score:
            scored.append((-score, -row.published.toordinal(), search.normalise(row.title), row.page_id))
    top = [page_id for *_, page_id in sorted(scored)[: max(0, limit)]]
    return [_link(page) for page in pages_in_order(top)]


@dataclass(frozen=True)
class CountryCount:
    """How many matching cases a country has (for the map and its list alternative)."""

    code: str
    name: str
    count: int


def _country_counts(rows: Iterable[_Row], language: str) -> list[CountryCount]:
    counts: dict[str, int] = {}
    for row in rows:
        if row.country:
            counts[row.country] = counts.get(row.country, 0) + 1
    found = [CountryCount(code, registry.label("country", code, language), n) for code, n in counts.items()]
    return sorted(found, key=lambda c: search.normalise(c.name))


def countries_of(page_ids: Iterable[int], locale: Locale) -> list[CountryCount]:
    """Countries of the given cases with their counts, by name."""
    wanted = set(page_ids)
    return _country_counts((row for row in _rows(locale) if row.page_id in wanted), str(locale.language_code)[:2])


def index_page(locale: Locale) -> Any:
    """The live case-study index page of ``locale`` (None before the content is loaded)."""
    from civicbuy.casestudies.models import CaseStudyIndexPage

    return CaseStudyIndexPage.objects.live().filter(locale=locale).first()
