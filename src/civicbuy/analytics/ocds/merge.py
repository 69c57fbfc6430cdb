"""Merge the releases of one contracting process into its compiled release.

Follows OCDS 1.1 "Merging" (https://standard.open-contracting.org/1.1/en/schema/merging/) with
:data:`~civicbuy.analytics.ocds.merge_rules.OCDS_11_MERGE_RULES`, and gives the same compiled releases as ``ocdsmerge``
(checked on every sample publisher in ``tests/analytics/ocds/test_merge.py``).

This module is kept apart from the rest of compiling because it is the hot loop of every ingest of releases: the
install compiles it to a C extension with mypyc (``setup.py``), which merges about 2.2 times faster than the same
code interpreted (benchmarks/README.md). The source stays plain, typed Python: where no C compiler is available the
extension is skipped and this file runs as it is, with the same results. ``ocdsmerge_rs`` gives the same output too,
but was about 3 times slower here: converting each release from Python objects into Rust and back costs more than
the merge.
"""

from __future__ import annotations

from typing import Any

from civicbuy.analytics.ocds.exceptions import ProblemLog
from civicbuy.analytics.ocds.merge_rules import OCDS_11_MERGE_RULES, OMIT, WHOLE_LIST, MergeRules

# A node of the rule tree: (rule or None, children by property name).
RuleTree = dict[str, tuple[str | None, "RuleTree"]]
_NO_CHILDREN: RuleTree = {}


def rule_tree(rules: MergeRules) -> RuleTree:
    """Turn merge rules keyed by path tuples into a tree walked one property name at a time.

    The merge looks up a child by name instead of building and hashing a path tuple for every field.
    """
    nested: dict[str, Any] = {}
    for path, rule in rules.items():
        node = nested
        for depth, key in enumerate(path):
            entry = node.setdefault(key, [None, {}])
            if depth == len(path) - 1:
                entry[0] = rule
            node = entry[1]

    def freeze(node: dict[str, Any]) -> RuleTree:
        return {key: (rule, freeze(children)) for key, (rule, children) in node.items()}

    return freeze(nested)


class Merger:
    """Merge releases of one contracting process into a compiled release."""

    def __init__(self, rules: MergeRules | None = None, problems: ProblemLog | None = None) -> None:
        self.rules: MergeRules = rules if rules is not None else OCDS_11_MERGE_RULES
        self.problems = problems
        tree = dict(rule_tree(self.rules))
        _, children = tree.get("tag", (None, _NO_CHILDREN))
        tree["tag"] = (OMIT, children)  # a compiled release's tag is always ["compiled"]
        self._tree: RuleTree = tree

    def compile(self, releases: list[dict[str, Any]]) -> dict[str, Any]:
        """Return the compiled release of ``releases`` (all with the same ``ocid``), sorted by ``date``."""
        if any(not isinstance(release.get("date"), str) for release in releases):
            if self.problems is not None:
                self.problems.add(
                    "release_without_date",
                    "Releases without a date string were merged as if they were the oldest",
                    str(releases[0].get("ocid")),
                )
            ordered = sorted(releases, key=lambda release: _date_key(release.get("date")))
        elif len(releases) > 1:
            ordered = sorted(releases, key=lambda release: release["date"])
        else:
            ordered = releases
        compiled: dict[str, Any] = {"tag": ["compiled"]}
        last = ordered[-1]
        for release in ordered:
            self._merge(compiled, release, self._tree, ())
        compiled["id"] = f"{last.get('ocid')}-{last.get('date')}"
        compiled["date"] = last.get("date")
        compiled["ocid"] = last.get("ocid")
        return compiled

    def _merge(self, target: dict[str, Any], source: dict[str, Any], tree: RuleTree, path: tuple[str, ...]) -> bool:
        """Merge ``source`` into ``target``; return whether any field was written.

        ocdsmerge creates no container for an empty source object, so neither does this.
        """
        wrote = False
        for key, value in source.items():
            kind = type(value)
            node = tree.get(key)
            if node is None:
                if kind is str or kind is int or kind is float or kind is bool:
                    target[key] = value  # the common case, first: a plain value without a rule
                    wrote = True
                    continue
                rule = None
            else:
                rule = node[0]
                if rule == OMIT:
                    continue
            if (
                rule == WHOLE_LIST
                or (kind is not dict and kind is not list and not isinstance(value, (dict, list)))
                or (kind is list and any(not isinstance(item, dict) for item in value))
            ):
                if value is None:
                    existing = target.get(key)
                    if not isinstance(existing, (dict, list)) or not existing or rule == WHOLE_LIST:
                        target.pop(key, None)
                else:
                    target[key] = value
                wrote = True
            elif value:
                children = node[1] if node is not None else _NO_CHILDREN
                if isinstance(value, dict):
                    wrote = self._merge_object(target, key, value, children, path) or wrote
                else:
                    wrote = self._merge_array(target, key, value, children, path) or wrote
        return wrote

    def _merge_object(
        self, target: dict[str, Any], key: str, value: dict[str, Any], tree: RuleTree, path: tuple[str, ...]
    ) -> bool:
        existing = target.get(key)
        if isinstance(existing, dict):
            return self._merge(existing, value, tree, (*path, key))
        child: dict[str, Any] = {}
        if self._merge(child, value, tree, (*path, key)):
            target[key] = child
            return True
        return False

    def _merge_array(
        self, target: dict[str, Any], key: str, value: list[dict[str, Any]], tree: RuleTree, path: tuple[str, ...]
    ) -> bool:
        path = (*path, key)
        existing = target.get(key)
        created = not (isinstance(existing, list) and all(isinstance(item, dict) for item in existing))
        array: list[dict[str, Any]] = [] if created else existing  # type: ignore[assignment]
        index = {str(item["id"]): item for item in array if "id" in item}
        seen: set[str] = set()
        wrote = False
        for item in value:
            if "id" in item:
                identifier = str(item["id"])
                if identifier in seen and self.problems is not None:
                    self.problems.add(
                        "duplicate_id",
                        "Objects in the same array share an id; they were merged into one",
                        f"{'.'.join(path)} id {identifier!r}",
                    )
                seen.add(identifier)
                obj = index.get(identifier)
                if obj is not None:
                    wrote = self._merge(obj, item, tree, path) or wrote
                    continue
                # The id leads, as in ocdsmerge; an object or array id (invalid OCDS) is merged as a copy instead:
                # sharing it would merge it into itself (a changing dict, or a list that grows while read).
                identity = item["id"]
                obj = {} if isinstance(identity, (dict, list)) else {"id": identity}
                if self._merge(obj, item, tree, path):
                    index[identifier] = obj
                    array.append(obj)
                    wrote = True
            else:
                obj = {}
                if self._merge(obj, item, tree, path):
                    array.append(obj)
                    wrote = True
        if created and array:
            target[key] = array
        return wrote


def _date_key(value: Any) -> str:
    return value if isinstance(value, str) else ""
