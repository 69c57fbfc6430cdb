"""Indicator settings, declared once as a table (name, default, help), as datasette does for its settings.

A settings file is JSON (``{"R003": {"threshold": 10}, "currency": "USD"}``) or Cardinal's INI format
(``currency = USD`` at the top, ``[R003]`` sections with ``threshold = 10``), so a Cardinal settings file works
unchanged for the red flags it shares with CivicBuy.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from civicbuy.analytics.ocds.exceptions import SettingsError


@dataclass(frozen=True)
class Setting:
    """One declared setting."""

    name: str  # "section.key" or "key" for top-level settings
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("currency", None, "Main currency for amounts; default: the most frequent currency of valid bids."),
    Setting(
        "fixed_price_procurement_methods",
        [],
        "procurementMethodDetails values with prices set by the buyer (excluded from R028).",
    ),
    Setting("R003.threshold", 15, "Minimum tender period in days (Cardinal default 15)."),
    Setting("R003.procurement_methods", [], "Procurement methods R003 applies to (Cardinal default: all)."),
    Setting("R018.procurement_methods", ["open", "selective"], "Competitive procurement methods for R018."),
    Setting("R024.threshold", None, "Fixed lower fence of the price ratio; default Q1 - 1.5 IQR."),
    Setting("R025.percentile", 75, "Percentile of valid-bid counts above which a tenderer is a top tenderer."),
    Setting("R025.threshold", None, "Fixed lower fence of the win ratio; default Q1 - 1.5 IQR."),
    Setting("R035.threshold", 1, "Minimum number of other tenderers with disqualified bids."),
    Setting("R038.threshold", None, "Fixed upper fence of the disqualified ratio; default Q3 + 1.5 IQR."),
    Setting("R038.minimum_submitted_bids", 2, "Tenderers with fewer submitted bids are excluded."),
    Setting(
        "R038.minimum_contracting_processes", 2, "Buyers and procuring entities with fewer processes are excluded."
    ),
    Setting("R048.digits", 2, "Digits of the item classification that make a distinct product category."),
    Setting(
        "R048.minimum_contracting_processes",
        20,
        "Suppliers seen in fewer processes are excluded (Cardinal default 20).",
    ),
    Setting("R048.threshold", None, "Fixed upper fence of the variety; default Q3 + 1.5 IQR."),
    Setting("R058.threshold", None, "Fixed upper fence of the price ratio; default Q3 + 1.5 IQR."),
    Setting("competition.procurement_methods", ["open", "selective"], "Competitive procurement methods."),
    Setting(
        "diversity.sme_scales",
        ["micro", "sme", "small", "medium"],
        "partyScale codes that count as SME (/parties[]/details/scale).",
    ),
    Setting(
        "diversity.supplier_list",
        None,
        "CSV file with columns supplier_id,category (women_owned, indigenous, social_enterprise, local).",
    ),
    Setting("diversity.classifications", {}, "Category -> list of 'scheme:id' in /parties[]/details/classifications."),
    Setting("diversity.local_regions", [], "Regions or localities (/parties[]/address) that count as local."),
    Setting(
        "sustainability.environmental_keywords",
        [
            "environmental",
            "green",
            "carbon",
            "emission",
            "recycl",
            "energy efficien",
            "sustainab",
            "ambiental",
            "reciclad",
            "eficiencia energ",
        ],
        "Keywords in tender texts that signal environmental criteria (lowercase substrings).",
    ),
    Setting(
        "sustainability.social_keywords",
        [
            "social value",
            "social clause",
            "fair trade",
            "apprentice",
            "disabilit",
            "living wage",
            "inclusi",
            "cláusula social",
            "comercio justo",
        ],
        "Keywords in tender texts that signal social criteria (lowercase substrings).",
    ),
    Setting(
        "emergency.keywords",
        [
            "covid",
            "coronavirus",
            "pandemic",
            "emergency",
            "emergencia",
            "urgencia",
            "urgent",
            "disaster",
            "desastre",
            "sars-cov-2",
        ],
        "Keywords in rationale, details, title or description that mark emergency buying.",
    ),
)

DIVERSITY_CATEGORIES = ("women_owned", "indigenous", "social_enterprise", "local")


class Settings:
    """Resolved settings: declared defaults overridden by a file and by keyword arguments."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}
        for name, value in (values or {}).items():
            if name not in self.values:
                raise SettingsError(f"unknown setting {name!r}", hint="See docs/indicators/settings.md")
            self.values[name] = value

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @classmethod
    def from_file(cls, path: str | Path) -> Settings:
        """Read a JSON or INI settings file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SettingsError(f"cannot read settings: {error.strerror}", path=str(path)) from error
        if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
            try:
                data = orjson.loads(text)
            except orjson.JSONDecodeError as error:
                raise SettingsError(f"invalid JSON: {error.msg}", path=str(path), line=error.lineno) from error
            return cls(_flatten(data, path))
        return cls(_from_ini(text, path))


def _flatten(data: Any, path: Path) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SettingsError("settings must be a JSON object", path=str(path))
    values: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(value, dict) or key == "diversity.classifications":
            values[key] = value
            continue
        for sub, sub_value in value.items():
            # diversity.classifications is itself a mapping (category -> codes): keep it whole.
            values[f"{key}.{sub}"] = sub_value
    return values


def _from_ini(text: str, path: Path) -> dict[str, Any]:
    parser = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    try:
        parser.read_string("[__top__]\n" + text)
    except configparser.Error as error:
        raise SettingsError(f"invalid INI settings: {error.message}", path=str(path)) from error
    values: dict[str, Any] = {}
    for section in parser.sections():
        for key, raw in parser.items(section):
            name = key if section == "__top__" else f"{section}.{key}"
            values[name] = _parse_ini_value(name, raw)
    return values


def _parse_ini_value(name: str, raw: str) -> Any:
    default = next((s.default for s in SETTINGS if s.name == name), None)
    if isinstance(default, list) or name.endswith("procurement_methods"):
        return [part.strip() for part in raw.split("|") if part.strip()]
    if name.endswith(("threshold", "percentile", "digits", "minimum_submitted_bids", "minimum_contracting_processes")):
        try:
            return float(raw) if "." in raw else int(raw)
        except ValueError as error:
            raise SettingsError(f"{name} must be a number, not {raw!r}") from error
    return raw
