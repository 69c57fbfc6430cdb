"""Indicator settings, declared once as a table (name, default, kind, help), as datasette does for its settings.

A settings file is JSON (``{"R003": {"threshold": 10}, "currency": "USD"}``) or Cardinal's INI format
(``currency = USD`` at the top, ``[R003]`` sections with ``threshold = 10``), so a Cardinal settings file works
unchanged for the red flags it shares with CivicBuy.

Every setting declares its kind (a whole number with a minimum, a number in a range, a list of strings, ...) and
:class:`Settings` checks each value against it when it is built, from a file or from a dict, before any data is
read. Unchecked values used to fail late and obscurely (``int('ten')`` deep in an indicator, a DuckDB conversion
error after thousands of results were printed) or, worse, silently: a string where a list belongs is iterated
letter by letter, so ``"procurement_methods": "open"`` made every R018 null and ``"keywords": "green"`` matched
every tender on ``"e"``. docs/indicators/settings.md is generated from this table with cog (a test checks it).
"""

from __future__ import annotations

import configparser
import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from civicbuy.analytics.ocds.exceptions import SettingsError

DIVERSITY_CATEGORIES = ("women_owned", "indigenous", "social_enterprise", "local")


class _WrongValueError(Exception):
    """A value is not of its setting's kind: what it must be, the offending value, and which part of the setting."""

    def __init__(self, expected: str, value: Any, part: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.part = part  # ".local" or " category" in "diversity.classifications.local must be ..."


class Kind(ABC):
    """What values a setting accepts: :meth:`check` takes a JSON or Python value, :meth:`parse` INI text."""

    @property
    @abstractmethod
    def expected(self) -> str:
        """Say what the setting must be, completing "<setting> must be ..."."""

    @abstractmethod
    def check(self, value: Any) -> Any:
        """Return ``value`` (normalised) or raise :class:`_WrongValueError`."""

    def parse(self, text: str) -> Any:
        """Return the value written as ``text`` in an INI file, checked."""
        return self.check(text)


@dataclass(frozen=True)
class Number(Kind):
    """A number in ``[minimum, maximum]``; ``whole`` for counts and days; ``optional``: null means the default.

    Booleans are refused (JSON ``true`` is a Python int), and so are NaN and infinities, which no fence or
    percentile can mean.
    """

    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False
    unit: str = ""
    optional: bool = False

    @property
    def expected(self) -> str:
        """Say what the setting must be, e.g. "a whole number of days, 0 or more"."""
        text = "a whole number" if self.whole else "a number"
        if self.unit:
            text += f" of {self.unit}"
        if self.minimum is not None and self.maximum is not None:
            text += f" from {_number(self.minimum)} to {_number(self.maximum)}"
        elif self.minimum is not None:
            text += f", {_number(self.minimum)} or more"
        return text + (", or null" if self.optional else "")

    def check(self, value: Any) -> int | float | None:
        """Return the number (an int when whole), or None for an optional setting left null."""
        if value is None and self.optional:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _WrongValueError(self.expected, value)
        if self.whole and not float(value).is_integer():
            raise _WrongValueError(self.expected, value)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise _WrongValueError(self.expected, value)
        return int(value) if self.whole else value

    def parse(self, text: str) -> int | float | None:
        """Read ``10``, ``1.5`` or (optional settings) nothing from INI text."""
        text = text.strip()
        if not text and self.optional:
            return None
        try:
            value: int | float = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise _WrongValueError(self.expected, text) from None
        return self.check(value)


@dataclass(frozen=True)
class Texts(Kind):
    """A list of non-empty strings (``a | b`` in INI); ``required`` when an empty list would mean nothing matches.

    An empty string is refused: as a keyword it is a substring of every text, so it would match everything.
    """

    required: bool = False

    @property
    def expected(self) -> str:
        """Say what the setting must be."""
        return "a non-empty list of non-empty strings" if self.required else "a list of non-empty strings"

    def check(self, value: Any) -> list[str]:
        """Return a copy of the list, or raise when it is not a list of non-empty strings (or is empty)."""
        if not isinstance(value, list) or (self.required and not value):
            raise _WrongValueError(self.expected, value)
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise _WrongValueError(self.expected, value)
        return list(value)

    def parse(self, text: str) -> list[str]:
        """Read ``open | selective`` (Cardinal's separator)."""
        return self.check([part.strip() for part in text.split("|") if part.strip()])


class OptionalText(Kind):
    """One string that :meth:`accepts`, or null for the default (nothing, in INI)."""

    @abstractmethod
    def accepts(self, text: str) -> bool:
        """Tell whether ``text`` is a value of this kind."""

    def check(self, value: Any) -> str | None:
        """Return the string, or None."""
        if value is None:
            return None
        if not isinstance(value, str) or not self.accepts(value):
            raise _WrongValueError(self.expected, value)
        return value

    def parse(self, text: str) -> str | None:
        """Read the string, or nothing for the default."""
        return self.check(text.strip() or None)


@dataclass(frozen=True)
class CurrencyCode(OptionalText):
    """A three-letter ISO 4217 code, or null; any other spelling would match no amount and empty every sum."""

    @property
    def expected(self) -> str:
        """Say what the setting must be."""
        return "a three-letter currency code such as EUR (ISO 4217), or null"

    def accepts(self, text: str) -> bool:
        """Three upper-case letters."""
        return re.fullmatch(r"[A-Z]{3}", text) is not None


@dataclass(frozen=True)
class FilePath(OptionalText):
    """The path of an existing file (relative to the working folder), or null; checked here, not when used."""

    @property
    def expected(self) -> str:
        """Say what the setting must be."""
        return "the path of an existing file, or null"

    def accepts(self, text: str) -> bool:
        """A file that exists now."""
        return bool(text.strip()) and Path(text).is_file()


@dataclass(frozen=True)
class CategoryCodes(Kind):
    """A mapping from a diversity category to a list of ``scheme:id`` codes (JSON only: INI has no nesting)."""

    @property
    def expected(self) -> str:
        """Say what the setting must be."""
        return f"an object mapping a category ({', '.join(DIVERSITY_CATEGORIES)}) to a list of non-empty strings"

    def check(self, value: Any) -> dict[str, list[str]]:
        """Return a copy of the mapping; an unknown category is refused, since it would be ignored silently."""
        if not isinstance(value, dict):
            raise _WrongValueError(self.expected, value)
        codes = Texts()
        checked: dict[str, list[str]] = {}
        for category, listed in value.items():
            if category not in DIVERSITY_CATEGORIES:
                categories = f"{', '.join(DIVERSITY_CATEGORIES[:-1])} or {DIVERSITY_CATEGORIES[-1]}"
                raise _WrongValueError(categories, category, part=" category")
            try:
                checked[category] = codes.check(listed)
            except _WrongValueError as wrong:
                raise _WrongValueError(wrong.expected, listed, part=f".{category}") from None
        return checked

    def parse(self, text: str) -> dict[str, list[str]]:
        """Refuse INI text: the mapping can only be written in a JSON settings file."""
        raise _WrongValueError(f"{self.expected}, written in a JSON settings file", text)


@dataclass(frozen=True)
class Setting:
    """One declared setting: its kind says which values are accepted (docs/indicators/settings.md lists them)."""

    name: str  # "section.key" or "key" for top-level settings
    default: Any
    help: str
    kind: Kind

    def check(self, value: Any, path: str | None = None) -> Any:
        """Return ``value`` checked (and normalised); raise one-line :class:`SettingsError` naming the setting."""
        try:
            return self.kind.check(value)
        except _WrongValueError as wrong:
            raise _error(self.name, wrong, path) from None

    def parse(self, text: str, path: str | None = None) -> Any:
        """Return the value of INI ``text``, checked."""
        try:
            return self.kind.parse(text)
        except _WrongValueError as wrong:
            raise _error(self.name, wrong, path) from None


def _error(name: str, wrong: _WrongValueError, path: str | None) -> SettingsError:
    return SettingsError(f"{name}{wrong.part} must be {wrong.expected}, not {_show(wrong.value)}", path=path)


def _show(value: Any) -> str:
    """Show a wrong value as the user wrote it: strings quoted, everything else as JSON (null, not None)."""
    if isinstance(value, str):
        text = repr(value)
    else:
        try:
            text = orjson.dumps(value).decode()
        except TypeError:
            text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."  # noqa: PLR2004 - one line


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


DAYS = Number(minimum=0, whole=True, unit="days")
COUNT = Number(minimum=1, whole=True)
FENCE = Number(optional=True)

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "currency",
        None,
        "Main currency for amounts; default: the most frequent currency of valid bids.",
        CurrencyCode(),
    ),
    Setting(
        "fixed_price_procurement_methods",
        [],
        "procurementMethodDetails values with prices set by the buyer (excluded from R028).",
        Texts(),
    ),
    Setting("R003.threshold", 15, "Minimum tender period in days (Cardinal default 15).", DAYS),
    Setting("R003.procurement_methods", [], "Procurement methods R003 applies to (Cardinal default: all).", Texts()),
    Setting(
        "R018.procurement_methods",
        ["open", "selective"],
        "Competitive procurement methods for R018.",
        Texts(required=True),
    ),
    Setting("R024.threshold", None, "Fixed lower fence of the price ratio; default Q1 - 1.5 IQR.", FENCE),
    Setting(
        "R025.percentile",
        75,
        "Percentile of valid-bid counts above which a tenderer is a top tenderer.",
        Number(minimum=0, maximum=100),
    ),
    Setting("R025.threshold", None, "Fixed lower fence of the win ratio; default Q1 - 1.5 IQR.", FENCE),
    Setting("R035.threshold", 1, "Minimum number of other tenderers with disqualified bids.", COUNT),
    Setting("R038.threshold", None, "Fixed upper fence of the disqualified ratio; default Q3 + 1.5 IQR.", FENCE),
    Setting("R038.minimum_submitted_bids", 2, "Tenderers with fewer submitted bids are excluded.", COUNT),
    Setting(
        "R038.minimum_contracting_processes",
        2,
        "Buyers and procuring entities with fewer processes are excluded.",
        COUNT,
    ),
    Setting("R048.digits", 2, "Digits of the item classification that make a distinct product category.", COUNT),
    Setting(
        "R048.minimum_contracting_processes",
        20,
        "Suppliers seen in fewer processes are excluded (Cardinal default 20).",
        COUNT,
    ),
    Setting("R048.threshold", None, "Fixed upper fence of the variety; default Q3 + 1.5 IQR.", FENCE),
    Setting("R058.threshold", None, "Fixed upper fence of the price ratio; default Q3 + 1.5 IQR.", FENCE),
    Setting(
        "competition.procurement_methods",
        ["open", "selective"],
        "Competitive procurement methods.",
        Texts(required=True),
    ),
    Setting(
        "diversity.sme_scales",
        ["micro", "sme", "small", "medium"],
        "partyScale codes that count as SME (/parties[]/details/scale).",
        Texts(required=True),
    ),
    Setting(
        "diversity.supplier_list",
        None,
        "CSV file with columns supplier_id,category (women_owned, indigenous, social_enterprise, local).",
        FilePath(),
    ),
    Setting(
        "diversity.classifications",
        {},
        "Category -> list of 'scheme:id' in /parties[]/details/classifications.",
        CategoryCodes(),
    ),
    Setting("diversity.local_regions", [], "Regions or localities (/parties[]/address) that count as local.", Texts()),
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
        Texts(),
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
        Texts(),
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
        Texts(),
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def _unknown(name: str, path: str | None) -> SettingsError:
    return SettingsError(f"unknown setting {name!r}", path=path, hint="See docs/indicators/settings.md")


class Settings:
    """Resolved settings: declared defaults overridden by a file or by a dict, every value checked on the way in.

    ``path`` names the file the values came from, so that an error names it too. Checking here, once, means a
    wrong value is refused before any data is read and in the words of the setting, never halfway through the
    output or as a wrong result.
    """

    def __init__(self, values: dict[str, Any] | None = None, *, path: str | Path | None = None) -> None:
        where = str(path) if path is not None else None
        self.values: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}
        for name, value in (values or {}).items():
            setting = _BY_NAME.get(name)
            if setting is None:
                raise _unknown(name, where)
            self.values[name] = setting.check(value, where)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @classmethod
    def from_file(cls, path: str | Path) -> Settings:
        """Read a JSON or INI settings file (UTF-8, with or without a byte-order mark)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise SettingsError(f"cannot read settings: {error.strerror}", path=str(path)) from error
        except UnicodeDecodeError as error:
            raise SettingsError(
                f"the settings file is not UTF-8 text (byte {error.start} cannot be read)",
                path=str(path),
                hint="Save it as UTF-8",
            ) from error
        if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
            try:
                data = orjson.loads(text)
            except orjson.JSONDecodeError as error:
                raise SettingsError(f"invalid JSON: {error.msg}", path=str(path), line=error.lineno) from error
            return cls(_flatten(data, path), path=path)
        return cls(_from_ini(text, path), path=path)


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
    """Return the INI file's values, each read from its text by its setting's kind (INI values are all text)."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";", "#"), interpolation=None)
    try:
        parser.read_string("[__top__]\n" + text)
    except configparser.Error as error:
        raise SettingsError(f"invalid INI settings: {error.message}", path=str(path)) from error
    values: dict[str, Any] = {}
    for section in parser.sections():
        for key, raw in parser.items(section):
            name = key if section == "__top__" else f"{section}.{key}"
            setting = _BY_NAME.get(name)
            if setting is None:
                raise _unknown(name, str(path))
            values[name] = setting.parse(raw, str(path))
    return values
