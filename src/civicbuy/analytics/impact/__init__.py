"""Impact of spend: carbon (spend-based, Scope 3), SDG view, social value and scenarios.

Django-free, like the rest of :mod:`civicbuy.analytics`. It reads an ingested dataset's flat Parquet tables and the
indicator results through :mod:`civicbuy.analytics.api`, and ships its own curated, cited tables in ``data/``.
"""
