from django.apps import AppConfig


class CaseStudiesConfig(AppConfig):
    """Case studies: sourced, searchable, growing through reviewed submissions."""

    name = "civicbuy.casestudies"
    label = "casestudies"
    verbose_name = "Case studies"
