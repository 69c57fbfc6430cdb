"""Indicator settings: every value is checked against its declared kind when settings are built."""

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from civicbuy.analytics.cli_commands import register
from civicbuy.analytics.ocds.exceptions import SettingsError
from civicbuy.analytics.settings import SETTINGS, Settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli():
    group = click.Group()
    register(group)
    return group


def test_every_default_is_a_value_its_setting_accepts():
    assert Settings().values == {setting.name: setting.default for setting in SETTINGS}
    for setting in SETTINGS:
        assert setting.check(setting.default) == setting.default


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"R003": {"threshold": "ten"}}, "R003.threshold must be a whole number of days, 0 or more, not 'ten'"),
        ({"R003": {"threshold": None}}, "R003.threshold must be a whole number of days, 0 or more, not null"),
        ({"R003": {"threshold": -5}}, "R003.threshold must be a whole number of days, 0 or more, not -5"),
        ({"R003": {"threshold": 10.5}}, "R003.threshold must be a whole number of days, 0 or more, not 10.5"),
        ({"R003": {"threshold": True}}, "R003.threshold must be a whole number of days, 0 or more, not true"),
        ({"R038": {"minimum_submitted_bids": "x"}}, "R038.minimum_submitted_bids must be a whole number, 1 or more"),
        ({"R048": {"digits": "two"}}, "R048.digits must be a whole number, 1 or more, not 'two'"),
        ({"R025": {"percentile": 150}}, "R025.percentile must be a number from 0 to 100, not 150"),
        ({"R024": {"threshold": "low"}}, "R024.threshold must be a number, or null, not 'low'"),
        ({"currency": 5}, "currency must be a three-letter currency code such as EUR (ISO 4217), or null, not 5"),
        ({"currency": "eur"}, "currency must be a three-letter currency code"),
        (
            {"diversity": {"classifications": "x"}},
            (
                "diversity.classifications must be an object mapping a category (women_owned, indigenous, "
                "social_enterprise, local) to a list of non-empty strings, not 'x'"
            ),
        ),
        (
            {"diversity": {"classifications": {"womens": ["scheme:1"]}}},
            (
                "diversity.classifications category must be women_owned, indigenous, social_enterprise or local, "
                "not 'womens'"
            ),
        ),
        (
            {"diversity": {"classifications": {"local": "scheme:1"}}},
            "diversity.classifications.local must be a list of non-empty strings, not 'scheme:1'",
        ),
        ({"diversity": {"sme_scales": [1, 2]}}, "diversity.sme_scales must be a non-empty list of non-empty strings"),
        ({"diversity": {"sme_scales": []}}, "diversity.sme_scales must be a non-empty list of non-empty strings"),
        ({"diversity": {"supplier_list": "missing.csv"}}, "diversity.supplier_list must be the path of an existing"),
        ({"emergency": {"keywords": [None]}}, "emergency.keywords must be a list of non-empty strings, not [null]"),
        ({"emergency": {"keywords": [""]}}, 'emergency.keywords must be a list of non-empty strings, not [""]'),
        ({"R018": {"procurement_methods": "open"}}, "R018.procurement_methods must be a non-empty list"),
        (
            {"sustainability": {"environmental_keywords": "green"}},
            "sustainability.environmental_keywords must be a list of non-empty strings, not 'green'",
        ),
        ({"R003": {"thresh": 10}}, "unknown setting 'R003.thresh'"),
    ],
)
def test_a_wrong_value_in_a_json_file_is_one_line_naming_the_file_and_setting(tmp_path, content, message):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(content))
    with pytest.raises(SettingsError) as caught:
        Settings.from_file(path)
    assert caught.value.user_message().startswith(f"{path}: {message}")
    assert "\n" not in caught.value.user_message()


def test_the_same_checks_apply_to_settings_given_as_a_dict():
    with pytest.raises(SettingsError, match=r"^R003\.threshold must be a whole number of days, 0 or more, not 'ten'"):
        Settings({"R003.threshold": "ten"})
    with pytest.raises(SettingsError, match=r"^unknown setting 'R003\.thresh'"):
        Settings({"R003.thresh": 1})
    checked = Settings({"R003.threshold": 10.0, "R024.threshold": 0.5, "currency": "EUR"})
    assert checked["R003.threshold"] == 10
    assert isinstance(checked["R003.threshold"], int)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[R003]\nthreshold = ten\n", "R003.threshold must be a whole number of days, 0 or more, not 'ten'"),
        ("[R003]\nthreshhold = 10\n", "unknown setting 'R003.threshhold'"),
        ("[R025]\npercentile = 150\n", "R025.percentile must be a number from 0 to 100, not 150"),
        ("[R018]\nprocurement_methods =\n", "R018.procurement_methods must be a non-empty list"),
        ("[diversity]\nclassifications = x\n", "diversity.classifications must be an object mapping"),
        ("currency = 5\n", "currency must be a three-letter currency code"),
    ],
)
def test_a_wrong_value_in_an_ini_file_names_the_file(tmp_path, content, message):
    path = tmp_path / "settings.ini"
    path.write_text(content)
    with pytest.raises(SettingsError) as caught:
        Settings.from_file(path)
    assert caught.value.user_message().startswith(f"{path}: {message}")


def test_ini_values_are_read_by_their_kind(tmp_path):
    path = tmp_path / "settings.ini"
    path.write_text(
        "currency = USD\n[R003]\nthreshold = 10\nprocurement_methods = open | limited\n"
        "[R024]\nthreshold =\n[R025]\npercentile = 90.5\n[emergency]\nkeywords = flood | 100% urgent\n"
    )
    settings = Settings.from_file(path)
    assert settings["currency"] == "USD"
    assert settings["R003.threshold"] == 10
    assert settings["R003.procurement_methods"] == ["open", "limited"]
    assert settings["R024.threshold"] is None
    assert settings["R025.percentile"] == 90.5
    assert settings["emergency.keywords"] == ["flood", "100% urgent"]


def test_a_settings_file_that_is_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(json.dumps({"R003": {"threshold": 10}}).encode("utf-16"))
    with pytest.raises(SettingsError, match=r"settings\.json: the settings file is not UTF-8 text"):
        Settings.from_file(path)
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"R003": {"threshold": 10}}).encode())  # a BOM is fine
    assert Settings.from_file(path)["R003.threshold"] == 10


def test_the_cli_refuses_a_wrong_setting_before_printing_any_result(cli, compiled_jsonl, tmp_path):
    for content in ({"diversity": {"sme_scales": [1, 2]}}, {"R018": {"procurement_methods": "open"}}):
        path = tmp_path / "settings.json"
        path.write_text(json.dumps(content))
        result = CliRunner().invoke(cli, ["indicators", str(compiled_jsonl), "--settings", str(path)])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.startswith(f"Error: {path}: ")
        assert len(result.stderr.splitlines()) == 1


def test_settings_reference_page_is_up_to_date():
    """docs/indicators/settings.md is generated by cog; regenerate with `cog -r docs/indicators/settings.md`."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cog"), "--check", "docs/indicators/settings.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
