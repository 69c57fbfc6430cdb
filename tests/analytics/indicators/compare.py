"""Compare two result tables row by row, values to 1e-9 (sums of floats differ in their last bits by order)."""

import math


def rows(table):
    """Return the table's rows, checking that no value is NaN (results use null for 'no value')."""
    listed = table.to_pylist()
    for row in listed:
        assert row["value"] is None or not math.isnan(row["value"])
    return listed


def same(left, right):
    """Return whether two result rows are equal, values to a relative and absolute 1e-9."""
    if left["value"] is None or right["value"] is None:
        return left == right
    close = math.isclose(left["value"], right["value"], rel_tol=1e-9, abs_tol=1e-9)
    return close and {**left, "value": 0} == {**right, "value": 0}


def differences(left_table, right_table):
    """Return the pairs of rows that differ (the tables must have as many rows)."""
    left, right = rows(left_table), rows(right_table)
    assert len(left) == len(right)
    return [(a, b) for a, b in zip(left, right, strict=True) if not same(a, b)]
