"""Campaign managers compose and send mailings; the addresses of recipients stay with "Supporter data"."""

from django.db import migrations

GROUP = "Campaign managers"
PERMISSIONS = ["view_mailing", "add_mailing", "change_mailing"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    emails = apps.get_app_config("emails")
    emails.models_module = True
    create_permissions(emails, apps=apps, verbosity=0)
    emails.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="emails", codename__in=PERMISSIONS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="emails", codename__in=PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("emails", "0004_digests_mailings")]

    operations = [migrations.RunPython(grant, revoke)]
