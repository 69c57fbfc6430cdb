"""Roles of the case-study library.

- Contributors: people with an account who propose cases and follow their own submissions. No admin
  permissions.
- Moderators and Editors (Wagtail's groups) may see the list of case submissions in the admin; they
  moderate and publish the draft pages through Wagtail's "Moderators approval" workflow.
"""

from django.db import migrations


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group_model.objects.get_or_create(name="Contributors")
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="casestudies", model="casesubmission"
    )
    view, _ = permission_model.objects.get_or_create(
        content_type=content_type, codename="view_casesubmission", defaults={"name": "Can view case submission"}
    )
    for name in ("Moderators", "Editors"):
        group = group_model.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(view)


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201, ARG001
    apps.get_model("auth", "Group").objects.filter(name="Contributors", user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casestudies", "0002_full_text_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
