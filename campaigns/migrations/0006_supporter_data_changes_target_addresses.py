"""The Supporter data group may change decision-makers: their address is theirs to change, and a
second member of the group confirms it (campaigns.services.targets). Campaign managers keep the
change permission for the rest, but the admin shows them the address read-only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("campaigns")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="Supporter data")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="campaigns",
            codename__in=["change_target", "view_targetaddresschange"],
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Supporter data").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="campaigns",
                codename__in=["change_target", "view_targetaddresschange"],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_target_address_changes"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
