"""Hypothesis strategies for JSON values shaped like OCDS: what the readers, the merge and the flattener meet in a
publisher's worst file (objects and arrays where scalars belong, and the other way round)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

#: Every JSON scalar (integers as wide as orjson writes them), and a few strings OCDS code lists and dates use.
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
    | st.sampled_from(["2020-01-01T00:00:00Z", "EUR", "open", "direct", "supplier", "1e400", "1,5"])
)


def json_values(keys: Sequence[str], *, max_leaves: int) -> st.SearchStrategy[Any]:
    """Any JSON value whose objects, at any depth, take their property names from ``keys``."""
    names = st.sampled_from(list(keys))
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=5),
        max_leaves=max_leaves,
    )
