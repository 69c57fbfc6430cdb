"""Project settings plus the assessment app, for running these tests before the app is wired in."""

from civicbuy.config.settings import *  # noqa: F403
from civicbuy.config.settings import INSTALLED_APPS as _APPS

INSTALLED_APPS = [*_APPS, "civicbuy.assessment"] if "civicbuy.assessment" not in _APPS else _APPS
