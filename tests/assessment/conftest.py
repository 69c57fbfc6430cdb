"""Fixtures for the maturity model tests: the bundled model and its raw data to break on purpose."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from civicbuy.assessment.model import MaturityModel, default_model, default_model_path


@pytest.fixture(scope="session")
def model() -> MaturityModel:
    return default_model()


@pytest.fixture(scope="session")
def _raw_model() -> dict[str, Any]:
    return yaml.safe_load(default_model_path().read_text(encoding="utf-8"))


@pytest.fixture
def raw_model(_raw_model: dict[str, Any]) -> dict[str, Any]:
    """A fresh deep copy of the bundled model's parsed YAML, safe to mutate."""
    return copy.deepcopy(_raw_model)
