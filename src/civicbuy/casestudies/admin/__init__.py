"""Wagtail admin additions of the case-study library (registered by ``casestudies/wagtail_hooks.py``)."""
