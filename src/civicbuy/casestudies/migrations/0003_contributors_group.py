"""The Contributors group: people with an account who propose cases and follow their own submissions.

They get no admin permissions; editors (Wagtail's Moderators group) review and publish.
"""

from django.db import migrations


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    group_model = apps.get_model("auth", "Group")
    group_model.objects.get_or_create(name="Contributors")


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    apps.get_model("auth", "Group").objects.filter(name="Contributors", user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("casestudies", "0002_full_text_search"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, backwards)]
