"""The coordinator and finance groups with their admin permissions.

Scope (which organisations) comes from RoleAssignment; these only say which kinds of record.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COORDINATOR = {
    "organisation": ["view", "add", "change"],
    "person": ["view", "add", "change"],
    "professionalregistration": ["view", "add", "change"],
    "trainingrecord": ["view", "add", "change", "delete"],
    "workingrelationship": ["view", "add", "change", "delete"],
    "invitation": ["view"],
    "sector": ["view", "add", "change"],
    "scopeofpractice": ["view", "add", "change"],
    "focusarea": ["view", "add", "change"],
}
FINANCE = {
    "organisation": ["view"],
}


def create_groups(apps, schema_editor):
    app_config = apps.get_app_config("mentoring")
    app_config.models_module = True  # the migration state's stub has none; permissions need one
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in (("coordinator", COORDINATOR), ("finance", FINANCE)):
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_{model}" for model, actions in grants.items() for action in actions]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="mentoring", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["coordinator", "finance"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
