"""atheris harness: the OCDS readers (detect, stream, upgrade, compile) on arbitrary bytes.

Run in a separate environment (atheris is never a product dependency); see tools/fuzz/README.md::

    /tmp/fuzz-venv/bin/python tools/fuzz/fuzz_ocds.py -max_total_time=300 tools/fuzz/corpus/ocds

The contract under test (ARCHITECTURE.md): any input either yields releases or fails with the engine's
own ``AnalyticsError`` (one line saying what is wrong and where); any other exception is a bug.
"""

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports():
    from civicbuy.analytics import api
    from civicbuy.analytics.ocds.exceptions import AnalyticsError, ProblemLog

MAX_RELEASES = 1000
SUFFIXES = (".json", ".jsonl", ".json.gz", ".ndjson")
WORK = tempfile.mkdtemp(prefix="fuzz-ocds-")


def test_one_input(data: bytes) -> None:
    """Write ``data`` to a file and read it as every entry point does."""
    if not data:
        return
    suffix = SUFFIXES[data[0] % len(SUFFIXES)]
    path = os.path.join(WORK, "input" + suffix)  # noqa: PTH118
    with open(path, "wb") as handle:  # noqa: PTH123
        handle.write(data[1:])
    try:
        api.detect(path)
        problems = ProblemLog()
        for count, _release in enumerate(api.compile_releases(path, problems)):
            if count > MAX_RELEASES:
                break
    except AnalyticsError:
        pass


def main() -> None:
    """Start libFuzzer with the command-line options."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
