"""Gives the staff groups their permissions on the staff tools.

Campaign managers run campaigns: campaigns, actions, thresholds, responses, decision-makers, the
signing limits and lists. They never see supporters' personal data nor export it. The Supporter
data group sees signatures and letters, exports them (the custom export_signature permission)
and reads the audit log. Tracker editors get nothing here. The admin also checks the group
itself for everything personal (campaigns.admin), so a stray permission alone opens nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_PERMISSIONS = {
    "campaign": ["add", "change", "view"],
    "action": ["add", "change", "view"],
    "threshold": ["add", "change", "view", "delete"],
    "targetresponse": ["add", "change", "view", "delete"],
    "target": ["add", "change", "view"],
    "signinglimits": ["change", "view"],
    "networkrule": ["add", "change", "view", "delete"],
    "emaildomainrule": ["add", "change", "view", "delete"],
}
SUPPORTER_DATA_PERMISSIONS = {
    "signature": ["view", "change", "export"],
    "suspectedfraud": ["view", "change"],
    "letter": ["view"],
    "auditentry": ["view"],
    "campaign": ["view"],
    "action": ["view"],
    "threshold": ["view"],
    "targetresponse": ["view"],
    "target": ["view"],
}
GROUPS = {"Campaign managers": MANAGER_PERMISSIONS, "Supporter data": SUPPORTER_DATA_PERMISSIONS}


def _codenames(permissions: dict) -> list[str]:
    return [f"{verb}_{model}" for model, verbs in permissions.items() for verb in verbs]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; this migration needs them now.
    app_config = apps.get_app_config("campaigns")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="campaigns", codename__in=_codenames(permissions))
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="campaigns", codename__in=_codenames(permissions))
            )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_staff_letters_thresholds"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
