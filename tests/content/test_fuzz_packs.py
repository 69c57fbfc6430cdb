"""Fuzzing the content-pack reader with hypothesis: whatever a pack folder holds, reading it either
succeeds or raises ContentPackErrors with file-and-field messages; it never crashes with another error.

Three generators: arbitrary bytes in place of a real file; valid YAML of arbitrary shape; and the real
bundled step and case documents with one field replaced by a value of another type or a hostile string.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicbuy.content.errors import ContentPackErrors
from civicbuy.content.packs import bundled_pack, read_pack

BUNDLED = bundled_pack()
STEP = next((BUNDLED / "guide").rglob("*.en.yaml"))
CASE = next((BUNDLED / "cases").glob("*.en.yaml"))
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.sampled_from(["<script>alert(1)</script>", "[src:999]", "../../etc/passwd", "javascript:alert(1)", "\x00"]),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _read_with(relative: Path, content: bytes, *, raise_errors: bool = False) -> None:
    """Copy the small parts of the bundled pack, put ``content`` at ``relative``, read the pack."""
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "pack"
        shutil.copytree(BUNDLED / "site", root / "site")
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        source = BUNDLED / relative
        if source.exists():
            shutil.copy(
                source.with_name(source.name.replace(".en.", ".es.")),
                target.with_name(target.name.replace(".en.", ".es.")),
            )
        target.write_bytes(content)
        problems = []
        try:
            read_pack(root)
        except ContentPackErrors as errors:
            if raise_errors:
                raise
            problems = [str(error) for error in errors.errors] or [""]
        assert all(problem.strip() for problem in problems)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_in_a_pack_file(content: bytes) -> None:
    _read_with(CASE.relative_to(BUNDLED), content)


@FUZZ
@given(yaml_values)
def test_yaml_of_any_shape(document: Any) -> None:
    _read_with(STEP.relative_to(BUNDLED), yaml.safe_dump(document, allow_unicode=True).encode())


@FUZZ
@given(st.sampled_from([STEP, CASE]), st.data())
def test_real_documents_with_one_field_broken(path: Path, data: st.DataObject) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    field = data.draw(st.sampled_from(sorted(document)))
    document[field] = data.draw(yaml_values)
    _read_with(path.relative_to(BUNDLED), yaml.safe_dump(document, allow_unicode=True).encode())


def test_a_source_url_with_a_broken_ipv6_host_is_a_pack_error() -> None:
    document = yaml.safe_load(CASE.read_text(encoding="utf-8"))
    document["sources"][0]["url"] = "https://[2001:db8::1/report"
    with pytest.raises(ContentPackErrors):
        _read_with(CASE.relative_to(BUNDLED), yaml.safe_dump(document, allow_unicode=True).encode(), raise_errors=True)
