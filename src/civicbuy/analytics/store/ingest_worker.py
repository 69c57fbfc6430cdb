"""Entry point of one parallel-ingest worker: ``python -m civicbuy.analytics.store.ingest_worker FILE PARENT_PID``.

A module of its own so that the worker loop runs from :mod:`civicbuy.analytics.store.parallel` imported under its
own name: what a worker pickles then names ``civicbuy.analytics.store.parallel.ChunkResult``, which the main process
can load, rather than ``__main__.ChunkResult``.
"""

from __future__ import annotations

import sys

from civicbuy.analytics.store.parallel import serve

if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
