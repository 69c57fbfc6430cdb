from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Organisations and their members: who may see which datasets and assessments."""

    name = "civicbuy.accounts"
    label = "accounts"
    verbose_name = "Organisations"
