"""Serialise parsed release data to JSON bytes, whatever its depth.

orjson, used everywhere for speed, refuses to write values nested more than 254 levels deep (``TypeError:
Recursion limit reached``), although it reads up to 1,024 levels and ijson reads any depth. A release that deep
is valid JSON and must not crash an ingest, so :func:`dumps` tries orjson first (the normal, fast path) and only
for such a release falls back to an encoder with its own stack (no Python recursion), which also enforces
:data:`MAX_DEPTH`: the deepest value orjson can read back (compile's spilled runs are read with orjson), and the
limit the JSON Lines reader already applies to each line.
"""

from __future__ import annotations

from typing import Any

import orjson

#: Deepest nesting accepted in a release: what ``orjson.loads`` reads (and so what a line of JSON Lines may hold).
MAX_DEPTH = 1024


class TooDeepError(ValueError):
    """A value is nested more than :data:`MAX_DEPTH` levels deep."""


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """Return ``value`` as compact JSON bytes (orjson's output when orjson can write it).

    Raises :class:`TooDeepError` for a value nested more than :data:`MAX_DEPTH` levels deep.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else None)
    except orjson.JSONEncodeError:
        return _dumps_deep(value, sort_keys=sort_keys)


def _dumps_deep(value: Any, *, sort_keys: bool) -> bytes:
    """Encode with an explicit stack; scalars are still written by orjson, so the output is the same bytes."""
    parts: list[bytes] = []
    # Each entry is either bytes to write or (value, depth) to encode; pushed in reverse order of writing.
    stack: list[bytes | tuple[Any, int]] = [(value, 0)]
    while stack:
        entry = stack.pop()
        if isinstance(entry, bytes):
            parts.append(entry)
            continue
        node, depth = entry
        if isinstance(node, dict | list | tuple):
            if depth >= MAX_DEPTH:
                raise TooDeepError(f"nested more than {MAX_DEPTH} levels deep")
            _push_container(stack, node, depth + 1, sort_keys=sort_keys)
        else:
            parts.append(orjson.dumps(node))
    return b"".join(parts)


def _push_container(
    stack: list[bytes | tuple[Any, int]],
    node: dict[Any, Any] | list[Any] | tuple[Any, ...],
    depth: int,
    *,
    sort_keys: bool,
) -> None:
    """Push a container's brackets, separators and children, last first (the stack is popped from the end)."""
    if isinstance(node, dict):
        items = sorted(node.items()) if sort_keys else list(node.items())
        stack.append(b"}")
        for index in range(len(items) - 1, -1, -1):
            key, child = items[index]
            stack.append((child, depth))
            stack.append(orjson.dumps(str(key)) + b":")
            if index:
                stack.append(b",")
        stack.append(b"{")
        return
    stack.append(b"]")
    for index in range(len(node) - 1, -1, -1):
        stack.append((node[index], depth))
        if index:
            stack.append(b",")
    stack.append(b"[")
