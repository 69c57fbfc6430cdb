"""Ibis backends for the indicators: DuckDB (default, embedded) and PySpark (``civicbuy[spark]``, local mode).

The indicator expressions in :mod:`civicbuy.analytics.indicators` are written once in Ibis and run unchanged on
both; tests assert identical results.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import ibis

from civicbuy.analytics.ocds.exceptions import BackendUnavailableError
from civicbuy.analytics.store.schemas import TABLES

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from civicbuy.analytics.store.dataset import Dataset

BACKENDS = ("duckdb", "spark")
_SPARK: Any = None


def spark_session() -> Any:
    """Return a shared local SparkSession (UTC, small shuffle partitions, no UI)."""
    global _SPARK  # noqa: PLW0603 - one JVM per process
    if _SPARK is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as error:
            raise BackendUnavailableError(
                "the spark backend needs PySpark", hint="Install it with: pip install 'civicbuy[spark]'"
            ) from error
        os.environ.setdefault("PYSPARK_PYTHON", os.environ.get("PYSPARK_PYTHON", "python3"))
        _SPARK = (
            SparkSession.builder.master(os.environ.get("CIVICBUY_SPARK_MASTER", "local[2]"))
            .appName("civicbuy")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def connect(backend: str = "duckdb") -> BaseBackend:
    """Return an Ibis connection for ``backend`` ("duckdb" or "spark")."""
    if backend == "duckdb":
        return ibis.duckdb.connect()
    if backend == "spark":
        return ibis.pyspark.connect(spark_session())
    raise BackendUnavailableError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")


def load_tables(connection: BaseBackend, dataset: Dataset) -> dict[str, ibis.Table]:
    """Register every flat table of ``dataset`` on ``connection`` and return the Ibis tables by name."""
    tables = {}
    prefix = "t" + format(abs(hash(str(dataset.path))), "x")[:10]
    for name in TABLES:
        tables[name] = connection.read_parquet(str(dataset.table_path(name)), table_name=f"{prefix}_{name}")
    return tables
