"""The case-study list: search, facets with counts, map, JSON, and related cases; same contract on both databases."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from wagtail.models import Locale

from civicbuy.casestudies import queries, search
from civicbuy.casestudies.models import CaseStudyPage

pytestmark = pytest.mark.django_db


def _titles(client: Client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return re.findall(
        r'<h3 class="govuk-heading-m[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def _json(client: Client, path: str) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _slugs(client: Client, path: str) -> list[str]:
    sep = "&" if "?" in path else "?"
    return [result["slug"] for result in _json(client, f"{path}{sep}format=json")["results"]]


def test_library_lists_at_least_30_cases_in_each_language(client: Client) -> None:
    for language in ("en", "es"):
        data = _json(client, f"/{language}/case-studies/?format=json")
        assert data["count"] >= 30
        assert len({result["country"] for result in data["results"]} | set()) >= 1
        countries = {value["code"] for value in data["facets"]["country"]}
        assert len(countries) >= 20
        regions = {value["code"] for value in data["facets"]["region"]}
        assert len(regions) >= 6, regions


def test_acceptance_ecobici_finds_the_mexico_city_case(client: Client) -> None:
    assert _slugs(client, "/en/case-studies/?q=ecobici")[0] == "mexico-city-ecobici"
    assert "Mexico City" in _titles(client, "/en/case-studies/?q=ecobici")[0]
    assert _slugs(client, "/es/case-studies/?q=ecobici")[0] == "mexico-city-ecobici"


def test_acceptance_country_nz_finds_the_new_zealand_case(client: Client) -> None:
    slugs = _slugs(client, "/en/case-studies/?country=NZ")
    assert "new-zealand-maori-businesses" in slugs
    assert all(r["country"] == "NZ" for r in _json(client, "/en/case-studies/?country=NZ&format=json")["results"])


def test_acceptance_sdg_5_5_finds_the_dominican_republic_case(client: Client) -> None:
    assert "dominican-republic-women-owned-businesses" in _slugs(client, "/en/case-studies/?sdg=5.5")


@pytest.mark.parametrize("language", ["en", "es"])
def test_acceptance_unaccented_query_finds_accented_text(client: Client, language: str) -> None:
    slugs = _slugs(client, f"/{language}/case-studies/?q=compras+electronicas")
    assert slugs, "an unaccented query must still find a case"
    accented = _slugs(client, f"/{language}/case-studies/?q=compras+electr%C3%B3nicas")
    assert slugs == accented


def test_misspelt_query_still_finds_the_case(client: Client) -> None:
    assert _slugs(client, "/en/case-studies/?q=ecobicci")[:1] == ["mexico-city-ecobici"]
    assert _slugs(client, "/en/case-studies/?q=Dominicn+Republc")[:1] == ["dominican-republic-women-owned-businesses"]
    response = client.get("/en/case-studies/?q=ecobicci")
    assert "showing cases with ecobici" in response.content.decode()


def test_spanish_spelling_suggestions_keep_their_accents(client: Client) -> None:
    assert search.spelling("es", "compras electrnicas")[0][1][0] == "electrónicas"
    assert search.expand("es", "compras electrnicas")[1][0] == "electronicas"  # compared without accents
    html = client.get("/es/case-studies/?q=compras+electrnicas").content.decode()
    assert "se muestran casos con electrónicas" in html
    assert _slugs(client, "/es/case-studies/?q=compras+electrnicas")  # and the corrected word still finds cases


def test_search_is_case_insensitive_and_ranks_title_matches_first(client: Client) -> None:
    assert _slugs(client, "/en/case-studies/?q=ECOBICI") == _slugs(client, "/en/case-studies/?q=ecobici")
    slugs = _slugs(client, "/en/case-studies/?q=prozorro")
    assert slugs[0] == "ukraine-prozorro-dozorro"


def test_a_word_matches_as_prefix_and_no_match_says_so(client: Client) -> None:
    assert "santiago-electric-buses" in _slugs(client, "/en/case-studies/?q=electric+bus")
    response = client.get("/en/case-studies/?q=zzzqqqxxx")
    assert response.status_code == 200
    assert "No case study matches" in response.content.decode()


def test_facets_combine_and_counts_match_what_a_click_shows(client: Client) -> None:
    data = _json(client, "/en/case-studies/?theme=supplier-diversity&format=json")
    assert data["count"] > 0
    for value in data["facets"]["region"]:
        narrowed = _json(client, f"/en/case-studies/?theme=supplier-diversity&region={value['code']}&format=json")
        assert narrowed["count"] == value["count"], value
        assert all(r["region"] == value["code"] for r in narrowed["results"])
    both = _json(client, "/en/case-studies/?country=GB&theme=social-value&format=json")
    assert all(r["country"] == "GB" and "social-value" in r["themes"] for r in both["results"])
    either = _json(client, "/en/case-studies/?country=GB&country=NZ&format=json")
    assert {r["country"] for r in either["results"]} == {"GB", "NZ"}


@pytest.mark.parametrize(
    ("language", "name", "chip"),
    [("en", "Affordable and clean energy", "SDG 7"), ("es", "Energía asequible y no contaminante", "ODS 7")],
)
def test_a_chosen_sdg_goal_is_named_and_counted_in_its_facet_and_chip(
    client: Client, language: str, name: str, chip: str
) -> None:
    data = _json(client, f"/{language}/case-studies/?sdg=7&format=json")
    assert data["count"] >= 1
    goal = next(value for value in data["facets"]["sdg"] if value["code"] == "7")
    assert goal == {"code": "7", "label": f"7 {name}", "count": data["count"], "selected": True}
    codes = [value["code"] for value in data["facets"]["sdg"]]
    assert codes.index("7") < min(i for i, code in enumerate(codes) if code.startswith("7."))  # before its targets
    html = client.get(f"/{language}/case-studies/?sdg=7").content.decode()
    chips = html.split('class="govuk-list cb-tags"', 1)[1].split("</ul>", 1)[0]
    assert f">{chip} <span" in chips


def test_sdg_goal_matches_every_target_of_the_goal(client: Client) -> None:
    goal = set(_slugs(client, "/en/case-studies/?sdg=5"))
    target = set(_slugs(client, "/en/case-studies/?sdg=5.5"))
    assert target <= goal


def test_unknown_codes_are_ignored_not_errors(client: Client) -> None:
    data = _json(client, "/en/case-studies/?country=XX&theme=nope&sdg=99.9&stage=%3Cscript%3E&format=json")
    assert data["query"] == {"q": "", "country": [], "region": [], "theme": [], "sdg": [], "stage": []}
    assert data["count"] >= 30


def test_query_and_facets_combine(client: Client) -> None:
    data = _json(client, "/en/case-studies/?q=women&region=latin-america-caribbean&format=json")
    assert data["count"] >= 1
    assert all(r["region"] == "latin-america-caribbean" for r in data["results"])


def test_list_page_works_without_javascript_and_is_shareable(client: Client) -> None:
    response = client.get("/en/case-studies/?q=women&country=DO")
    html = response.content.decode()
    assert '<form method="get"' in html
    assert 'name="country" type="checkbox" value="DO" checked' in html
    assert 'hx-push-url="true"' in html
    assert "Women-owned" in html or "women-owned" in html
    assert 'href="?q=women"' in html  # removing the country filter keeps the query


def test_htmx_request_gets_only_the_library_fragment(client: Client) -> None:
    response = client.get("/en/case-studies/?country=NZ", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-library">')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    restore = client.get(
        "/en/case-studies/?country=NZ", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


def test_map_has_a_list_alternative_with_the_same_countries(client: Client) -> None:
    html = client.get("/en/case-studies/?region=latin-america-caribbean").content.decode()
    assert 'role="img"' in html
    assert 'aria-labelledby="map-title map-desc"' in html
    listed = re.findall(r'country=([A-Z]{2})">', html.split('id="map-countries"')[1])
    markers = re.findall(r'text-anchor="middle"[^>]*>([A-Z]{2})</text>', html)
    assert sorted(listed) == sorted(markers)
    assert {"MX", "DO", "CL"} <= set(listed)


def test_pagination_keeps_the_filters(client: Client) -> None:
    data = _json(client, "/en/case-studies/?format=json")
    assert data["page_size"] == 20
    if data["pages"] > 1:
        assert data["next"] == "?format=json&page=2"
        second = _json(client, "/en/case-studies/?format=json&page=2")
        assert not {r["slug"] for r in second["results"]} & {r["slug"] for r in data["results"]}


def test_case_detail_json_has_every_field_and_numbered_sources(client: Client) -> None:
    data = _json(client, "/en/case-studies/mexico-city-ecobici/?format=json")
    assert data["title"].startswith("Buying in the open")
    assert data["country"] == "MX"
    assert data["region"] == "latin-america-caribbean"
    assert len(data["summary"]) == 3
    assert data["results"]
    assert all(1 <= r["source"] <= len(data["sources"]) for r in data["results"])
    assert data["sources"][0]["number"] == 1
    assert data["translations"]["es"].endswith("/es/case-studies/mexico-city-ecobici/")
    assert "[src:" in data["problem"]


def test_case_page_shows_each_figure_with_its_citation(client: Client) -> None:
    page = CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code="en")
    html = client.get("/en/case-studies/mexico-city-ecobici/").content.decode()
    results = html.split('id="results"')[1].split("</ul>")[0]
    for child in page.results:
        source = page.sources[child.value["source"] - 1].value
        assert f'href="#source-{child.value["source"]}"' in results
        assert source["url"] in results
    assert 'id="source-1"' in html
    assert "About the sources" in html  # caveats
    assert "minute read" in html


def test_spanish_case_page_is_in_spanish(client: Client) -> None:
    html = client.get("/es/case-studies/mexico-city-ecobici/").content.decode()
    assert 'lang="es"' in html
    assert "Ciudad de México" in html


def test_related_returns_linked_cases_by_taxonomy() -> None:
    locale = Locale.objects.get(language_code="en")
    found = queries.related(locale, themes=["supplier-diversity"], sdg_targets=["5.5"])
    assert 1 <= len(found) <= 3
    for case in found:
        assert case.url.startswith("/en/case-studies/")
        assert case.title
        assert case.place
    assert queries.related(locale, themes=[]) == []
    assert len(queries.related(locale, limit=5, stages=["tender"])) == 5


def test_guide_step_shows_related_cases(client: Client) -> None:
    html = client.get("/en/guide/tender/set-realistic-deadlines/").content.decode()
    assert 'id="related-cases-heading"' in html
    assert "/en/case-studies/" in html


def test_unpublishing_removes_a_case_from_search(client: Client) -> None:
    page = CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code="en")
    page.unpublish()
    assert "mexico-city-ecobici" not in _slugs(client, "/en/case-studies/?q=ecobici")
    page.save_revision().publish()
    assert _slugs(client, "/en/case-studies/?q=ecobici")[:1] == ["mexico-city-ecobici"]


def test_rebuild_restores_the_same_results() -> None:
    before = search.match("en", "women procurement")
    assert search.rebuild() >= 60
    assert search.match("en", "women procurement") == before


def test_normalise_and_query_words() -> None:
    assert search.normalise("Compras Electrónicas") == "compras electronicas"
    assert search.query_words("the city of Ñuñoa and the buses", "en") == ["city", "nunoa", "buses"]
    assert search.query_words("las compras de la ciudad", "es") == ["compras", "ciudad"]


def test_sitemap_lists_at_least_30_cases_per_language(client: Client) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    for language in ("en", "es"):
        cases = re.findall(rf"/{language}/case-studies/[a-z0-9-]+/</loc>", xml)
        assert len(cases) >= 30, language


@pytest.mark.parametrize(
    ("language", "date", "accessed"),
    [
        ("en", r"[A-Z][a-z]+\.? \d{1,2}, \d{4}", r"accessed ([^<]+)</span>"),
        ("es", r"\d{1,2} de [a-záéíóú]+ de \d{4}", r"consultado el ([^<]+)</span>"),
    ],
)
def test_dates_on_a_case_page_are_written_one_way_in_the_language_of_the_page(
    client: Client, language: str, date: str, accessed: str
) -> None:
    html = client.get(f"/{language}/case-studies/barcelona-social-clauses/").content.decode()
    shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html) + re.findall(accessed, html)
    assert len(shown) >= 3  # published, a source's date in the list, a source's date next to a result
    for text in shown:
        assert re.fullmatch(date, text), f"{text!r} is not written like {date!r}"


def test_a_cited_summary_bullet_reads_as_plain_text_away_from_its_sources(client: Client) -> None:
    """Bullets may cite a source ([src:N]); the link only works on the case page, where the sources are listed."""
    from civicbuy.casestudies.models import CaseStudyPage

    page = CaseStudyPage.objects.get(locale__language_code="en", slug="barcelona-social-clauses")
    page.summary = ["Costs fell by **45%** in two years [src:1].", *page.summary[1:]]
    page.save_revision().publish()
    case = client.get("/en/case-studies/barcelona-social-clauses/").content.decode()
    description = re.search(r'<meta name="description" content="([^"]*)"', case)
    assert description is not None
    assert description.group(1) == "Costs fell by 45% in two years."
    assert '<a href="#source-1" rel="noopener noreferrer">[1]</a>' in case  # on the case page: a link to the source
    library = client.get("/en/case-studies/", {"q": "Barcelona"}).content.decode()
    assert "Costs fell by 45% in two years." in library
    assert "[src:1]" not in library
    assert "#source-1" not in library  # no link to a list of sources that is not on this page
