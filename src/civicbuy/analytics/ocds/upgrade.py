"""Upgrade OCDS 1.0 releases to 1.1, one release at a time.

OCDS 1.1 moved organizations out of the places they are referenced into ``/parties`` (with ``roles``), leaving
``{"id", "name"}`` references at ``/buyer``, ``/tender/procuringEntity``, ``/tender/tenderers[]`` and
``/awards[]/suppliers[]``; transactions use ``value``, ``payer`` and ``payee`` instead of ``amount``,
``providerOrganization`` and ``receiverOrganization`` (https://standard.open-contracting.org/1.1/en/schema/changelog/).
The upgrade is decided per release from its shape, so files mixing 1.0 and 1.1 releases are handled.
"""

from __future__ import annotations

from typing import Any

from civicbuy.analytics.ocds.jsonbytes import TooDeepError, dumps

REFERENCE_KEYS = frozenset({"id", "name"})


def needs_upgrade(release: dict[str, Any]) -> bool:
    """Return whether ``release`` has the OCDS 1.0 shape (embedded organizations or 1.0 transactions)."""
    if "parties" in release:
        return False
    for organization in _organizations(release):
        if not REFERENCE_KEYS.issuperset(organization) or "id" not in organization:
            return True
    return any(
        isinstance(transaction, dict)
        and ({"amount", "providerOrganization", "receiverOrganization"} & transaction.keys())
        for transaction in _transactions(release)
    )


def _organizations(release: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(release.get("buyer"), dict):
        found.append(release["buyer"])
    tender = release.get("tender")
    if isinstance(tender, dict):
        if isinstance(tender.get("procuringEntity"), dict):
            found.append(tender["procuringEntity"])
        found.extend(org for org in _list(tender.get("tenderers")) if isinstance(org, dict))
    for award in _list(release.get("awards")):
        if isinstance(award, dict):
            found.extend(org for org in _list(award.get("suppliers")) if isinstance(org, dict))
    return found


def _transactions(release: dict[str, Any]) -> list[Any]:
    found: list[Any] = []
    for contract in _list(release.get("contracts")):
        if isinstance(contract, dict) and isinstance(contract.get("implementation"), dict):
            found.extend(_list(contract["implementation"].get("transactions")))
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class _Parties:
    def __init__(self) -> None:
        self.by_id: dict[str, dict[str, Any]] = {}

    def reference(self, organization: dict[str, Any], role: str) -> dict[str, Any]:
        party_id = _party_id(organization)
        party = self.by_id.get(party_id)
        if party is None:
            party = {"id": party_id, **{k: v for k, v in organization.items() if k != "id"}, "roles": []}
            self.by_id[party_id] = party
        else:
            for key, value in organization.items():
                party.setdefault(key, value)
        if role not in party["roles"]:
            party["roles"].append(role)
        reference = {"id": party_id}
        if "name" in organization:
            reference["name"] = organization["name"]
        return reference


def _party_id(organization: dict[str, Any]) -> str:
    if organization.get("id") not in (None, ""):
        return str(organization["id"])
    identifier = organization.get("identifier")
    if isinstance(identifier, dict) and identifier.get("id") not in (None, ""):
        scheme = identifier.get("scheme") or ""
        return f"{scheme}-{identifier['id']}" if scheme else str(identifier["id"])
    if isinstance(organization.get("name"), str) and organization["name"]:
        return organization["name"]
    try:
        key = dumps(organization, sort_keys=True)
    except TooDeepError:  # nothing to tell such an organisation apart by: it keeps its own (Python) identity
        key = b"%d" % id(organization)
    return "org-" + format(abs(hash(key)), "x")


def upgrade_release(  # noqa: C901, PLR0912 - one branch per OCDS 1.0 location
    release: dict[str, Any],
) -> dict[str, Any]:
    """Return ``release`` upgraded in place from OCDS 1.0 to 1.1 (a no-op for 1.1 releases)."""
    if not needs_upgrade(release):
        return release
    parties = _Parties()
    if isinstance(release.get("buyer"), dict):
        release["buyer"] = parties.reference(release["buyer"], "buyer")
    tender = release.get("tender")
    if isinstance(tender, dict):
        if isinstance(tender.get("procuringEntity"), dict):
            tender["procuringEntity"] = parties.reference(tender["procuringEntity"], "procuringEntity")
        if isinstance(tender.get("tenderers"), list):
            tender["tenderers"] = [
                parties.reference(org, "tenderer") if isinstance(org, dict) else org for org in tender["tenderers"]
            ]
    for award in _list(release.get("awards")):
        if isinstance(award, dict) and isinstance(award.get("suppliers"), list):
            award["suppliers"] = [
                parties.reference(org, "supplier") if isinstance(org, dict) else org for org in award["suppliers"]
            ]
    for transaction in _transactions(release):
        if not isinstance(transaction, dict):
            continue
        if "amount" in transaction and "value" not in transaction:
            transaction["value"] = transaction.pop("amount")
        for old, new, role in (("providerOrganization", "payer", "payer"), ("receiverOrganization", "payee", "payee")):
            identifier = transaction.pop(old, None)
            if isinstance(identifier, dict) and new not in transaction:
                organization = {"identifier": identifier}
                if identifier.get("legalName"):
                    organization["name"] = identifier["legalName"]
                transaction[new] = parties.reference(organization, role)
    if parties.by_id:
        release["parties"] = list(parties.by_id.values())
    return release
