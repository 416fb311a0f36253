"""The "Supporter data" group may browse the outbox, retry failed emails and add to the
suppression list; no other staff group sees them (the admin checks the group too)."""

from django.db import migrations

GROUP = "Supporter data"
PERMISSIONS = ["view_outboxemail", "change_outboxemail", "view_suppression", "add_suppression"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after the whole migrate run; this migration needs them now.
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
    dependencies = [
        ("emails", "0002_claim_token_consent_checked_sent_at_index"),
        ("accounts", "0002_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
