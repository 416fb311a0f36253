"""Gives the staff groups their tracker permissions.

Tracker editors add, change and view the tracker's content. They never delete published history:
they may delete draft developments only (the admin refuses published ones), and the history rows
(status changes, assessment changes, corrections, notification batches) are view- or add-only.
Followers are supporters' personal data: only the "Supporter data" group sees (and may erase) them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "review": ["add", "change", "view"],
    "factor": ["add", "change", "view"],
    "development": ["add", "change", "view", "delete"],
    "correction": ["add", "view"],
    "figure": ["add", "change", "view"],
    "statement": ["add", "change", "view"],
    "source": ["add", "change", "view"],
    "reviewstatuschange": ["view"],
    "factorassessment": ["view"],
    "notificationbatch": ["view"],
}
SUPPORTER_DATA_PERMISSIONS = {"follow": ["view", "delete"]}
GROUPS = {"Tracker editors": EDITOR_PERMISSIONS, "Supporter data": SUPPORTER_DATA_PERMISSIONS}


def _codenames(permissions: dict) -> list[str]:
    return [f"{action}_{model}" for model, actions in permissions.items() for action in actions]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; this migration needs them now.
    app_config = apps.get_app_config("tracker")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="tracker", codename__in=_codenames(permissions))
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="tracker", codename__in=_codenames(permissions))
            )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("accounts", "0002_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
