from django.apps import AppConfig


class GuideConfig(AppConfig):
    """The step-by-step guide: stages, steps, topic guides, the emergency track and the pathfinder."""

    name = "civicbuy.guide"
    label = "guide"
    verbose_name = "Guide"
