"""Full-text search of case studies with each database's own engine.

SQLite: an FTS5 table (unicode61 tokenizer, accents folded), ranked with bm25.
PostgreSQL: a weighted ``search_vector`` tsvector column with a GIN index, built with one text search
configuration per language (English or Spanish stemming, with ``unaccent`` in front so that
"electronicas" finds "electrónicas").
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS casestudies_fts USING fts5("
    "title, summary, place, body, language UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
)
SQLITE_DROP = "DROP TABLE IF EXISTS casestudies_fts"

POSTGRES_CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'civicbuy_cases_en') THEN
    CREATE TEXT SEARCH CONFIGURATION civicbuy_cases_en (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION civicbuy_cases_en
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'civicbuy_cases_es') THEN
    CREATE TEXT SEARCH CONFIGURATION civicbuy_cases_es (COPY = spanish);
    ALTER TEXT SEARCH CONFIGURATION civicbuy_cases_es
      ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, hword, hword_part, word WITH unaccent, spanish_stem;
  END IF;
END $$;
ALTER TABLE casestudies_casestudysearchentry ADD COLUMN IF NOT EXISTS search_vector tsvector;
CREATE INDEX IF NOT EXISTS casestudies_search_vector_gin
  ON casestudies_casestudysearchentry USING gin (search_vector);
"""
POSTGRES_DROP = """
DROP INDEX IF EXISTS casestudies_search_vector_gin;
ALTER TABLE casestudies_casestudysearchentry DROP COLUMN IF EXISTS search_vector;
DROP TEXT SEARCH CONFIGURATION IF EXISTS civicbuy_cases_en;
DROP TEXT SEARCH CONFIGURATION IF EXISTS civicbuy_cases_es;
"""


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("casestudies", "0001_initial"), ("website", "0002_postgres_unaccent_search")]
    operations = [migrations.RunPython(forwards, backwards)]
