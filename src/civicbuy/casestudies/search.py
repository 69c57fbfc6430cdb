"""Full-text search of case studies: one results contract on SQLite (FTS5) and PostgreSQL (tsvector).

The contract, tested on both databases:

- Accents and case never matter ("compras electronicas" finds "compras electrónicas").
- A case matches when it contains every query word, or a word starting with it (words of three
  letters or more match as prefixes: "bus" finds "buses"). Common words ("the", "de") are ignored.
- A misspelt word (one that no indexed text contains) is replaced by up to three close words from the
  index vocabulary, chosen with :mod:`difflib` in Python, so the correction is identical on both engines.
  Words are compared without accents but shown as the indexed text writes them ("electrónicas").
- When no case contains every word, cases containing any of them are returned instead.
- Results are ranked: a word in the title counts most, then the summary and place, then the body.

PostgreSQL additionally stems words with the page language's configuration (``civicbuy_cases_en`` or
``civicbuy_cases_es``, made by migration 0002), so it may also find other forms of a word; it never
finds fewer cases than the contract promises.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from civicbuy.casestudies.models import CaseStudyPage, CaseStudySearchEntry, CaseStudySearchTerm
from civicbuy.taxonomy import registry
from civicbuy.website.rendering import plain_text

WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 12
MAX_TERM_LENGTH = 64
PREFIX_MIN_LENGTH = 3
FUZZY_MIN_LENGTH = 4
FUZZY_MATCHES = 3
POSTGRES_CONFIGS = {"en": "civicbuy_cases_en", "es": "civicbuy_cases_es"}
# Ranking weights: title, summary, place (city, country, organisation), body.
SQLITE_WEIGHTS = (10.0, 4.0, 4.0, 1.0)

# Words too common to narrow a search (PostgreSQL's own stop lists drop them too, so the engines agree).
STOPWORDS = {
    "en": frozenset(
        [
            "a",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "by",
            "for",
            "from",
            "has",
            "have",
            "in",
            "into",
            "is",
            "it",
            "its",
            "of",
            "on",
            "or",
            "that",
            "the",
            "their",
            "this",
            "to",
            "was",
            "were",
            "with",
        ]
    ),
    "es": frozenset(
        [
            "a",
            "al",
            "como",
            "con",
            "de",
            "del",
            "el",
            "en",
            "es",
            "la",
            "las",
            "lo",
            "los",
            "o",
            "para",
            "por",
            "que",
            "se",
            "su",
            "sus",
            "un",
            "una",
            "uno",
            "y",
        ]
    ),
}


def normalise(text: str) -> str:
    """Lowercase ``text`` and remove accents ("Electrónicas" -> "electronicas")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def words(text: str) -> list[str]:
    """The normalised words of ``text``, in order."""
    return [word[:MAX_TERM_LENGTH] for word in WORD.findall(normalise(text))]


def written_words(text: str) -> list[str]:
    """The words of ``text`` in lowercase as written, accents kept ("Electrónicas" -> "electrónicas")."""
    return WORD.findall(unicodedata.normalize("NFC", text).lower())


def query_words(query: str, language: str) -> list[str]:
    """The distinct words of a query that can narrow a search (no stop words), at most twelve."""
    stop = STOPWORDS.get(language, frozenset())
    found: list[str] = []
    for word in words(query):
        if word not in stop and word not in found:
            found.append(word)
    return found[:MAX_QUERY_WORDS]


# Indexing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """The searchable text of one case page, split into ranked parts."""

    title: str
    summary: str
    place: str
    body: str


def document_for(page: CaseStudyPage) -> Document:
    """Plain text of a case page (Markdown and citations removed)."""
    language = page.language
    results = " ".join(plain_text(str(child.value["text"])) for child in page.results)
    place = " ".join(
        part
        for part in (
            page.city,
            registry.label("country", page.country, language) if page.country else "",
            registry.label("region", page.region, language) if page.region else "",
            page.organisation,
        )
        if part
    )
    body = " ".join(
        part
        for part in (
            plain_text(page.problem),
            plain_text(page.approach),
            results,
            plain_text(page.challenges),
            plain_text(page.reusable),
            page.quote_text,
            plain_text(page.caveats),
        )
        if part
    )
    return Document(title=page.title, summary=" ".join(page.summary), place=place, body=body)


def _save_terms(language: str, document: Document) -> None:
    """Store the document's words as written (accents kept), so a spelling correction reads right.

    A word is stored in its normalised form instead when its written form is too long for the column or
    does not normalise to one whole word (a script whose combining marks split it), so every normalised
    word of the text is still in the vocabulary.
    """
    terms: set[str] = set()
    for part in (document.title, document.summary, document.place, document.body):
        normalised = set(words(part))
        for written in written_words(part):
            key = normalise(written)[:MAX_TERM_LENGTH]
            if key in normalised and len(written) <= MAX_TERM_LENGTH:
                terms.add(written)
                normalised.discard(key)
        terms |= normalised
    CaseStudySearchTerm.objects.bulk_create(
        [CaseStudySearchTerm(language=language, term=term) for term in sorted(terms)],
        ignore_conflicts=True,
        batch_size=500,
    )


def _write_engine_row(entry: CaseStudySearchEntry) -> None:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("DELETE FROM casestudies_fts WHERE rowid = %s", [entry.page_id])
            cursor.execute(
                "INSERT INTO casestudies_fts (rowid, title, summary, place, body, language) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [entry.page_id, entry.title, entry.summary, entry.place, entry.body, entry.language],
            )
        elif vendor == "postgresql":
            cursor.execute(
                "UPDATE casestudies_casestudysearchentry SET search_vector = "
                "setweight(to_tsvector(%(cfg)s::regconfig, title), 'A') || "
                "setweight(to_tsvector(%(cfg)s::regconfig, summary), 'B') || "
                "setweight(to_tsvector(%(cfg)s::regconfig, place), 'B') || "
                "setweight(to_tsvector(%(cfg)s::regconfig, body), 'C') "
                "WHERE page_id = %(id)s",
                {"cfg": POSTGRES_CONFIGS.get(entry.language, "simple"), "id": entry.page_id},
            )


def index_page(page: CaseStudyPage) -> None:
    """Put the live version of a case page into the search index (replacing its previous text)."""
    if not page.live:
        remove_page(page.pk)
        return
    document = document_for(page)
    language = page.language
    with transaction.atomic():
        entry, _ = CaseStudySearchEntry.objects.update_or_create(
            page_id=page.pk,
            defaults={
                "language": language,
                "title": document.title,
                "summary": document.summary,
                "place": document.place,
                "body": document.body,
            },
        )
        _write_engine_row(entry)
        _save_terms(language, document)


def remove_page(page_id: int) -> None:
    """Take a page out of the search index (unpublished or deleted)."""
    with transaction.atomic():
        CaseStudySearchEntry.objects.filter(page_id=page_id).delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM casestudies_fts WHERE rowid = %s", [page_id])


def rebuild() -> int:
    """Rebuild the whole index from the live case pages; return how many were indexed."""
    with transaction.atomic():
        CaseStudySearchEntry.objects.all().delete()
        CaseStudySearchTerm.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM casestudies_fts")
        pages = CaseStudyPage.objects.live().select_related("locale")
        count = 0
        for page in pages.iterator(chunk_size=200):
            index_page(page)
            count += 1
    _VOCABULARY.clear()
    return count


# Vocabulary and spelling -------------------------------------------------------------------------


@dataclass
class _Vocabulary:
    size: int
    sorted_terms: list[str]  # normalised (lowercase, no accents), what queries are compared with
    by_length: dict[int, list[str]] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # normalised -> as the indexed text writes it


_VOCABULARY: dict[str, _Vocabulary] = {}


def _vocabulary(language: str) -> _Vocabulary:
    """Index words of a language, cached per process until the number of words changes."""
    size = CaseStudySearchTerm.objects.filter(language=language).count()
    cached = _VOCABULARY.get(language)
    if cached is not None and cached.size == size:
        return cached
    stored = sorted(CaseStudySearchTerm.objects.filter(language=language).values_list("term", flat=True))
    written: dict[str, str] = {}
    for term in stored:
        key = normalise(term)[:MAX_TERM_LENGTH]
        # An index made before words were stored as written holds them without accents: prefer a form
        # with accents when there is one, since an accent-free copy of a word is most often a stripped one.
        if key not in written or written[key] == key:
            written[key] = term
    terms = sorted(written)
    by_length: dict[int, list[str]] = {}
    for term in terms:
        by_length.setdefault(len(term), []).append(term)
    vocabulary = _Vocabulary(size=len(stored), sorted_terms=terms, by_length=by_length, written=written)
    _VOCABULARY[language] = vocabulary
    return vocabulary


def _known(vocabulary: _Vocabulary, word: str, *, prefix: bool) -> bool:
    terms = vocabulary.sorted_terms
    position = bisect.bisect_left(terms, word)
    if position >= len(terms):
        return False
    return terms[position] == word or (prefix and terms[position].startswith(word))


def _close_words(vocabulary: _Vocabulary, word: str) -> list[str]:
    """Normalised index words close to a normalised word that no indexed text contains."""
    if len(word) < FUZZY_MIN_LENGTH or word.isdigit():
        return []
    if _known(vocabulary, word, prefix=True):
        return []
    candidates = [
        term for length in range(len(word) - 2, len(word) + 3) for term in vocabulary.by_length.get(length, [])
    ]
    cutoff = 0.75 if len(word) <= 5 else 0.8  # noqa: PLR2004 - one edit in a short word costs more
    return difflib.get_close_matches(word, candidates, n=FUZZY_MATCHES, cutoff=cutoff)


def corrections(language: str, word: str) -> list[str]:
    """Close index words, as written, for a word that no indexed text contains (empty when known or short)."""
    vocabulary = _vocabulary(language)
    return [vocabulary.written.get(close, close) for close in _close_words(vocabulary, word)]


def spelling(language: str, query: str) -> list[tuple[str, list[str]]]:
    """(word, corrections as written) for each query word that no indexed text contains but a close word does."""
    found = []
    for word in query_words(query, language):
        fixes = corrections(language, word)
        if fixes:
            found.append((word, fixes))
    return found


def expand(language: str, query: str) -> list[list[str]]:
    """The query as groups of alternatives: each word, or its (normalised) corrections when it is unknown."""
    vocabulary = _vocabulary(language)
    groups = []
    for word in query_words(query, language):
        fixes = _close_words(vocabulary, word)
        groups.append(fixes or [word])
    return groups


# Matching ----------------------------------------------------------------------------------------


def _sqlite_expression(groups: list[list[str]], operator: str) -> str:
    def term(word: str) -> str:
        return f'"{word}"*' if len(word) >= PREFIX_MIN_LENGTH else f'"{word}"'

    return f" {operator} ".join("(" + " OR ".join(term(word) for word in group) + ")" for group in groups)


def _postgres_expression(groups: list[list[str]], operator: str) -> str:
    def term(word: str) -> str:
        return f"{word}:*" if len(word) >= PREFIX_MIN_LENGTH else word

    joiner = " & " if operator == "AND" else " | "
    return joiner.join("(" + " | ".join(term(word) for word in group) + ")" for group in groups)


def _run(language: str, groups: list[list[str]], operator: str) -> list[int]:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
            cursor.execute(
                f"SELECT rowid FROM casestudies_fts WHERE casestudies_fts MATCH %s AND language = %s "  # noqa: S608 - weights are constants
                f"ORDER BY bm25(casestudies_fts, {weights}), rowid",
                [_sqlite_expression(groups, operator), language],
            )
        elif vendor == "postgresql":
            cursor.execute(
                "SELECT page_id FROM casestudies_casestudysearchentry, to_tsquery(%(cfg)s::regconfig, %(q)s) query "
                "WHERE language = %(language)s AND search_vector @@ query "
                "ORDER BY ts_rank(search_vector, query) DESC, page_id",
                {
                    "cfg": POSTGRES_CONFIGS.get(language, "simple"),
                    "q": _postgres_expression(groups, operator),
                    "language": language,
                },
            )
        else:  # CivicBuy supports SQLite and PostgreSQL only (settings refuse nothing else at start-up)
            raise ImproperlyConfigured(f"Case-study search needs SQLite or PostgreSQL, not {vendor}.")
        return [int(row[0]) for row in cursor.fetchall()]


def match(language: str, query: str) -> list[int] | None:
    """Page ids of indexed cases in ``language`` matching ``query``, best first (None for an empty query)."""
    groups = expand(language, query)
    if not groups:  # nothing but common words: no narrowing
        return None
    found = _run(language, groups, "AND")
    if not found and len(groups) > 1:
        found = _run(language, groups, "OR")
    return found
