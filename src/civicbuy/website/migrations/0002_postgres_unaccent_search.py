"""On PostgreSQL, a text search configuration that ignores accents ("electricos" finds "eléctricos").

SQLite's FTS5 unicode61 tokenizer already folds accents, so search behaves the same on both engines.
The configuration is `simple` (no stemming, like FTS5) with the `unaccent` dictionary in front.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'civicbuy_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION civicbuy_unaccent (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION civicbuy_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
  END IF;
END $$;
"""


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS civicbuy_unaccent;")


class Migration(migrations.Migration):
    dependencies = [("website", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
