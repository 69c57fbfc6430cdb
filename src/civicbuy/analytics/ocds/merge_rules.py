"""Merge rules for OCDS 1.1, shipped with the product so that compiling never needs the network.

The rules follow "Merging" in the OCDS 1.1 documentation
(https://standard.open-contracting.org/1.1/en/schema/merging/): a field marked ``omitWhenMerged`` is dropped;
an array marked ``wholeListMerge``, or whose items are not objects with an ``id``, is replaced as a whole; any
other array of objects is merged by ``id``. :func:`derive_merge_rules` reads these rules from a release schema's
shape; ``tests/analytics/ocds/test_merge_rules.py`` checks that :data:`OCDS_11_MERGE_RULES` equals what it derives
from the official 1.1 schema.
"""

from __future__ import annotations

from typing import Any

OMIT = "omitWhenMerged"
WHOLE_LIST = "wholeListMerge"

MergeRules = dict[tuple[str, ...], str]

_OMITTED = ("id", "date", "tag")
_WHOLE_LISTS = (
    # Arrays of strings.
    "parties.roles",
    "tender.submissionMethod",
    "tender.additionalProcurementCategories",
    "relatedProcesses.relationship",
    "contracts.relatedProcesses.relationship",
    # Arrays of objects that have no `id` (Identifier, Classification, amendment changes).
    "buyer.additionalIdentifiers",
    "parties.additionalIdentifiers",
    "tender.procuringEntity.additionalIdentifiers",
    "tender.tenderers.additionalIdentifiers",
    "awards.suppliers.additionalIdentifiers",
    "contracts.implementation.transactions.payer.additionalIdentifiers",
    "contracts.implementation.transactions.payee.additionalIdentifiers",
    "tender.items.additionalClassifications",
    "awards.items.additionalClassifications",
    "contracts.items.additionalClassifications",
    "tender.amendment.changes",
    "tender.amendments.changes",
    "awards.amendment.changes",
    "awards.amendments.changes",
    "contracts.amendment.changes",
    "contracts.amendments.changes",
)

#: OCDS 1.1 merge rules: JSON path of property names (no array positions) -> rule.
OCDS_11_MERGE_RULES: MergeRules = {
    **{(path,): OMIT for path in _OMITTED},
    **{tuple(path.split(".")): WHOLE_LIST for path in _WHOLE_LISTS},
}


def derive_merge_rules(schema: dict[str, Any]) -> MergeRules:
    """Derive merge rules from a dereferenced-or-not OCDS release schema (``$ref`` to ``#/definitions`` only).

    Rules, in order: ``omitWhenMerged`` wins; an array with ``wholeListMerge`` is replaced whole; an object with
    ``properties`` is descended into; an array of non-objects, or of objects without an ``id`` property, is
    replaced whole; an array of objects with ``id`` is descended into (identifier merge).
    """
    definitions = schema.get("definitions", {})
    rules: MergeRules = {}
    _walk(schema.get("properties", {}), (), definitions, rules, depth=0)
    return rules


def _resolve(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/"):
        resolved = dict(definitions[ref.rsplit("/", 1)[1]])
        resolved.update({key: value for key, value in node.items() if key != "$ref"})
        return resolved
    return node


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("type", [])
    return [value] if isinstance(value, str) else list(value)


def _walk(
    properties: dict[str, Any], path: tuple[str, ...], definitions: dict[str, Any], rules: MergeRules, depth: int
) -> None:
    if depth > 16:  # noqa: PLR2004 - recursion guard for self-referencing schemas
        return
    for key, raw in properties.items():
        node = _resolve(raw, definitions)
        new_path = (*path, key)
        types = _types(node)
        if node.get("omitWhenMerged") or node.get("mergeStrategy") == "ocdsOmit":
            rules[new_path] = OMIT
        elif "array" in types and (node.get("wholeListMerge") or node.get("mergeStrategy") == "ocdsVersion"):
            rules[new_path] = WHOLE_LIST
        elif "object" in types and "properties" in node:
            _walk(node["properties"], new_path, definitions, rules, depth + 1)
        elif "array" in types and "items" in node:
            items = _resolve(node["items"], definitions)
            item_types = _types(items)
            if any(item_type != "object" for item_type in item_types):
                rules[new_path] = WHOLE_LIST
            elif "object" in item_types and "properties" in items:
                if "id" not in items["properties"]:
                    rules[new_path] = WHOLE_LIST
                else:
                    _walk(items["properties"], new_path, definitions, rules, depth + 1)
