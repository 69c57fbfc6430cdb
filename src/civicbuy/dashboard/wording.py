"""The engine's words in the page's language: indicator names and definitions, reasons, warnings, file formats.

The analytics engine stays Django-free and English (its CLI and API contracts). The dashboard translates what it
shows here, keyed by stable codes (indicator codes, problem codes, the OCDS method codelist) rather than by
English sentences where the engine offers a code. Anything not listed keeps the engine's English, so a new
indicator or warning still shows, untranslated, rather than disappearing. Spanish is in this app's
``locale/es/LC_MESSAGES/django.po``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from civicbuy.analytics.indicators.registry import Indicator

#: Name and definition of every indicator, by code (the engine's English, translated).
INDICATORS: dict[str, tuple[Promise, Promise]] = {
    "R003": (
        gettext_lazy("Short submission period"),
        gettext_lazy(
            "The tender period (/tender/tenderPeriod/endDate - startDate, in whole days) is shorter than the "
            "threshold (default 15 days). Value: the period in days."
        ),
    ),
    "R018": (
        gettext_lazy("Single bid received"),
        gettext_lazy(
            "Only one tenderer submitted a bid (/tender/numberOfTenderers is 1) in a competitive procedure "
            "(/tender/procurementMethod is open or selective). Value: the number of tenderers."
        ),
    ),
    "R024": (
        gettext_lazy("Price close to winning bid"),
        gettext_lazy(
            "The difference between the second-lowest valid bid and the winning bid, relative to the winning bid, "
            "is at or below the lower fence Q1 - 1.5 IQR of all processes. Value: the difference as a decimal."
        ),
    ),
    "R025": (
        gettext_lazy("Excessive unsuccessful bids"),
        gettext_lazy(
            "A top tenderer (valid bids at or above the 75th percentile) wins a share of its valid bids at or below "
            "the lower fence Q1 - 1.5 IQR of all tenderers' win ratios. Value: winning bids / valid bids."
        ),
    ),
    "R028": (
        gettext_lazy("Identical bid prices"),
        gettext_lazy(
            "Different tenderers submitted bids with the same price (/bids/details[]/value). Value: the largest "
            "number of different tenderers sharing one price."
        ),
    ),
    "R030": (
        gettext_lazy("Late bid won"),
        gettext_lazy(
            "A valid bid received after the submission deadline (/bids/details[]/date after "
            "/tender/tenderPeriod/endDate) was submitted by the supplier of an active award. Value: 1 or 0."
        ),
    ),
    "R035": (
        gettext_lazy("All except winning bid disqualified"),
        gettext_lazy(
            "Exactly one tenderer submitted valid bids, it is the supplier of every active award, and at least the "
            "threshold (default 1) of other tenderers had bids disqualified. Value: the number of tenderers with "
            "disqualified bids."
        ),
    ),
    "R036": (
        gettext_lazy("Lowest bid disqualified"),
        gettext_lazy(
            "There is an active award and the lowest submitted bid (/bids/details[]/value, main currency) is "
            "disqualified. Value: 1 or 0."
        ),
    ),
    "R038": (
        gettext_lazy("Excessive disqualified bids"),
        gettext_lazy(
            "The share of submitted bids that are disqualified, per buyer, procuring entity or tenderer, is at or "
            "above the upper fence Q3 + 1.5 IQR. Value: disqualified bids / submitted bids."
        ),
    ),
    "R048": (
        gettext_lazy("Heterogeneous supplier"),
        gettext_lazy(
            "The number of distinct first-level item classifications (first 2 digits of "
            "/awards[]/items[]/classification/id) supplied by a tenderer across active awards is at or above the "
            "upper fence Q3 + 1.5 IQR. Value: the variety."
        ),
    ),
    "R058": (
        gettext_lazy("Heavily discounted bid"),
        gettext_lazy(
            "The difference between the second-lowest valid bid and the winning bid, relative to the winning bid, "
            "is at or above the upper fence Q3 + 1.5 IQR of all processes. Value: the difference as a decimal."
        ),
    ),
    "competition.direct_award_share": (
        gettext_lazy("Direct award share"),
        gettext_lazy("Share of processes with a known procurement method that were direct awards."),
    ),
    "competition.direct_award_unjustified_share": (
        gettext_lazy("Direct awards without justification"),
        gettext_lazy("Share of direct awards that publish no /tender/procurementMethodRationale."),
    ),
    "competition.mean_bidders": (
        gettext_lazy("Mean number of bidders"),
        gettext_lazy("Average number of bidders in competitive processes."),
    ),
    "competition.open_procedure_share": (
        gettext_lazy("Open procedure share"),
        gettext_lazy("Share of processes with a known procurement method that used the open method."),
    ),
    "competition.single_bid_rate": (
        gettext_lazy("Single-bid rate"),
        gettext_lazy("Share of competitive processes (open or selective) that received exactly one bid."),
    ),
    "diversity.indigenous_supplier_share": (
        gettext_lazy("Awards to indigenous suppliers"),
        gettext_lazy(
            "Share of suppliers of active awards that are indigenous, from the configured supplier list, "
            "classification mapping."
        ),
    ),
    "diversity.local_supplier_share": (
        gettext_lazy("Awards to local suppliers"),
        gettext_lazy(
            "Share of suppliers of active awards that are local, from the configured supplier list, classification "
            "mapping or local regions."
        ),
    ),
    "diversity.sme_award_share": (
        gettext_lazy("Awards to SMEs"),
        gettext_lazy(
            "Share of suppliers of active awards (with a known size) that are SMEs (/parties[]/details/scale is "
            "micro, sme, small or medium)."
        ),
    ),
    "diversity.sme_spend_share": (
        gettext_lazy("Spend with SMEs"),
        gettext_lazy("Share of the value of active single-supplier awards (main currency) that goes to SMEs."),
    ),
    "diversity.social_enterprise_supplier_share": (
        gettext_lazy("Awards to social-enterprise suppliers"),
        gettext_lazy(
            "Share of suppliers of active awards that are social-enterprise, from the configured supplier list, "
            "classification mapping."
        ),
    ),
    "diversity.women_owned_supplier_share": (
        gettext_lazy("Awards to women-owned suppliers"),
        gettext_lazy(
            "Share of suppliers of active awards that are women-owned, from the configured supplier list, "
            "classification mapping."
        ),
    ),
    "emergency.process_share": (
        gettext_lazy("Emergency purchases"),
        gettext_lazy("Share of processes marked as emergency buying by keywords in their rationale or description."),
    ),
    "emergency.value_share": (
        gettext_lazy("Emergency share of awarded value"),
        gettext_lazy("Share of active award value (main currency) in emergency processes."),
    ),
    "spend.awarded_value": (
        gettext_lazy("Awarded value (main currency)"),
        gettext_lazy(
            "Sum of active award values in the main currency, by buyer, CPV division (first two digits of "
            "/tender/items[]/classification/id), supplier and procurement method."
        ),
    ),
    "spend.other_currency_awards": (
        gettext_lazy("Awards in other currencies"),
        gettext_lazy("Number of active awards whose value is in another currency than the main one (not converted)."),
    ),
    "sustainability.environmental_criteria_share": (
        gettext_lazy("Tenders with environmental criteria"),
        gettext_lazy(
            "Share of tenders with an environmental sustainability goal or environmental keywords in their criteria "
            "or description."
        ),
    ),
    "sustainability.social_criteria_share": (
        gettext_lazy("Tenders with social criteria"),
        gettext_lazy(
            "Share of tenders with a social sustainability goal or social-value keywords in their criteria or "
            "description."
        ),
    ),
    "timeliness.days_to_award": (
        gettext_lazy("Time to award (days)"),
        gettext_lazy("Average days from the end of the tender period to the first active award's date."),
    ),
    "timeliness.days_to_contract": (
        gettext_lazy("Time to contract (days)"),
        gettext_lazy("Average days from the first active award's date to the first contract signature."),
    ),
    "timeliness.tender_period_days": (
        gettext_lazy("Tender period (days)"),
        gettext_lazy("Average number of days between /tender/tenderPeriod/startDate and endDate."),
    ),
    "transparency.contract_amendment_share": (
        gettext_lazy("Contracts amended"),
        gettext_lazy("Share of contracts with at least one amendment (/contracts[]/amendments)."),
    ),
    "transparency.key_fields_share": (
        gettext_lazy("Key fields published"),
        gettext_lazy(
            "Average share of five key fields published per process: /buyer/id, /tender/procurementMethod, "
            "/tender/value/amount, /tender/tenderPeriod/endDate, /tender/numberOfTenderers."
        ),
    ),
    "transparency.tender_documents_share": (
        gettext_lazy("Tender documents published"),
        gettext_lazy("Share of tenders that publish at least one document (/tender/documents)."),
    ),
}

#: OCDS procurement method codelist (https://standard.open-contracting.org/latest/en/reference/codelists/#method).
METHODS: dict[str, Promise] = {
    "open": pgettext_lazy("procurement method", "Open"),
    "selective": pgettext_lazy("procurement method", "Selective"),
    "limited": pgettext_lazy("procurement method", "Limited"),
    "direct": pgettext_lazy("procurement method", "Direct"),
}

#: Why an indicator could not be computed: the engine's fixed reasons.
REASONS: dict[str, Promise] = {
    "no active award with a value in the main currency": gettext_lazy(
        "no active award with a value in the main currency"
    ),
    "no active award with a value in any currency": gettext_lazy("no active award with a value in any currency"),
    "no active awards with suppliers": gettext_lazy("no active awards with suppliers"),
    "no active awards": gettext_lazy("no active awards"),
    "no active single-supplier award with a known supplier size and a value": gettext_lazy(
        "no active single-supplier award with a known supplier size and a value"
    ),
    "no competitive process with a known number of bidders": gettext_lazy(
        "no competitive process with a known number of bidders"
    ),
    "no contracts": gettext_lazy("no contracts"),
    "no direct awards": gettext_lazy("no direct awards"),
    "no process has a tender": gettext_lazy("no process has a tender"),
    "no process publishes /tender/procurementMethod": gettext_lazy("no process publishes /tender/procurementMethod"),
    "no process publishes both a tender period end and an award date": gettext_lazy(
        "no process publishes both a tender period end and an award date"
    ),
    "no process publishes both an award date and a contract signature date": gettext_lazy(
        "no process publishes both an award date and a contract signature date"
    ),
    "no process publishes both tender period dates": gettext_lazy("no process publishes both tender period dates"),
    "no processes": gettext_lazy("no processes"),
    "no supplier publishes /parties[]/details/scale": gettext_lazy("no supplier publishes /parties[]/details/scale"),
}
SUPPLIER_CATEGORIES: dict[str, Promise] = {
    "indigenous": pgettext_lazy("supplier category", "indigenous"),
    "local": pgettext_lazy("supplier category", "local"),
    "social_enterprise": pgettext_lazy("supplier category", "social-enterprise"),
    "women_owned": pgettext_lazy("supplier category", "women-owned"),
}
_NOT_CONFIGURED = re.compile(r"^no supplier list, classification mapping or regions configured for (\w+)$")
_CURRENCY = re.compile(r"^no active award with a value in ([A-Z]{3})$")

#: Problems found while reading a file, by the engine's problem code (the part before ``:``, if any).
WARNINGS: dict[str, Promise] = {
    "release_without_ocid": gettext_lazy("Releases without an ocid were skipped"),
    "duplicate_ocid": gettext_lazy("Several compiled releases share an ocid; the latest was kept"),
    "release_without_date": gettext_lazy("Releases without a date string were merged as if they were the oldest"),
    "duplicate_id": gettext_lazy("Objects in the same array share an id; they were merged into one"),
    "not_object": gettext_lazy("Array entries that are not objects were skipped"),
    "invalid_json": gettext_lazy("Lines that are not valid JSON were skipped"),
    "not_ocds": gettext_lazy("Values that are not OCDS releases, records or packages were skipped"),
    "linked_releases_only": gettext_lazy("Records with neither a compiledRelease nor embedded releases were skipped"),
}
_WRONG_TYPE = re.compile(r"^(?P<path>\S+) is not (?P<expected>.+); stored as null$")
EXPECTED: dict[str, Promise] = {
    "a number": gettext_lazy("a number"),
    "a date-time string": gettext_lazy("a date-time string"),
    "an RFC 3339 date-time": gettext_lazy("an RFC 3339 date-time"),
}
_UPGRADED = re.compile(r"^Releases upgraded from OCDS 1.0 to 1.1: (\d+)$")

#: The engine's description of a file's form (``civicbuy.analytics.ocds.detect.Detection.description``).
_FORMAT = re.compile(
    r"^(?P<form>JSON Lines of |concatenated JSON of |JSON array of )?(?P<kind>[a-z ]+?)"
    r"(?: \(OCDS (?P<version>[\d.]+)\))?(?P<gzip>, gzip-compressed)?(?P<bom>, with a UTF-8 byte order mark)?$"
)
KINDS: dict[str, Promise] = {
    "release package": pgettext_lazy("OCDS data", "release package"),
    "record package": pgettext_lazy("OCDS data", "record package"),
    "release": pgettext_lazy("OCDS data", "release"),
    "record": pgettext_lazy("OCDS data", "record"),
    "compiled release": pgettext_lazy("OCDS data", "compiled release"),
    "release packages": pgettext_lazy("OCDS data", "release packages"),
    "record packages": pgettext_lazy("OCDS data", "record packages"),
    "releases": pgettext_lazy("OCDS data", "releases"),
    "records": pgettext_lazy("OCDS data", "records"),
    "compiled releases": pgettext_lazy("OCDS data", "compiled releases"),
}
FORMS: dict[str, Promise] = {
    "JSON Lines of ": gettext_lazy("JSON Lines of %(kind)s"),
    "concatenated JSON of ": gettext_lazy("concatenated JSON of %(kind)s"),
    "JSON array of ": gettext_lazy("JSON array of %(kind)s"),
}


def indicator_name(declared: Indicator) -> str:
    """Return the indicator's name in the active language."""
    known = INDICATORS.get(declared.code)
    return str(known[0]) if known else declared.name


def indicator_definition(declared: Indicator) -> str:
    """Return the indicator's definition in the active language."""
    known = INDICATORS.get(declared.code)
    return str(known[1]) if known else declared.definition


def method_label(code: str) -> str:
    """Return the OCDS method codelist's title of ``code`` (the code itself when it is not in the codelist)."""
    known = METHODS.get(code)
    return str(known) if known is not None else code


def reason(text: str) -> str:
    """Return why an indicator could not be computed, in the active language."""
    if text in REASONS:
        return str(REASONS[text])
    if match := _NOT_CONFIGURED.match(text):
        category = SUPPLIER_CATEGORIES.get(match.group(1))
        if category is not None:
            return _("no supplier list, classification mapping or regions configured for %(category)s suppliers") % {
                "category": category
            }
    if match := _CURRENCY.match(text):
        return _("no active award with a value in %(currency)s") % {"currency": match.group(1)}
    return text


def warning(code: str, message: str) -> str:
    """Return a problem found while reading the file, in the active language."""
    kind = code.split(":", 1)[0]
    if kind in WARNINGS:
        return str(WARNINGS[kind])
    if kind == "wrong_type" and (match := _WRONG_TYPE.match(message)):
        expected = EXPECTED.get(match.group("expected"))
        if expected is not None:
            return _("%(path)s is not %(expected)s; stored as null") % {
                "path": match.group("path"),
                "expected": expected,
            }
    if kind == "number_as_string":
        return _("%(path)s is a string holding a number; converted") % {"path": code.split(":", 1)[1]}
    if message.endswith(" has no time zone; read as UTC") and ":" in code:
        return _("%(path)s has no time zone; read as UTC") % {"path": code.split(":", 1)[1]}
    if match := _UPGRADED.match(message):
        return _("Releases upgraded from OCDS 1.0 to 1.1: %(count)s") % {
            "count": number_format(int(match.group(1)), force_grouping=True)
        }
    return message


def file_format(description: str) -> str:
    """Return the engine's description of a file's form in the active language."""
    match = _FORMAT.match(description or "")
    if match is None or match.group("kind") not in KINDS:
        return description
    text = str(KINDS[match.group("kind")])
    if match.group("form"):
        text = str(FORMS[match.group("form")]) % {"kind": text}
    if match.group("version"):
        text += " " + _("(OCDS %(version)s)") % {"version": match.group("version")}
    if match.group("gzip"):
        text += _(", gzip-compressed")
    if match.group("bom"):
        text += _(", with a UTF-8 byte order mark")
    return text
