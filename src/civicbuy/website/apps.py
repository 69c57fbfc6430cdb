from django.apps import AppConfig


class WebsiteConfig(AppConfig):
    """Site-wide pieces: home page, search, page feedback, sitemap, error pages, Markdown rendering."""

    name = "civicbuy.website"
    label = "website"
    verbose_name = "Website"
