"""A mailing's audience is chosen from lists: the free-text country code and province become lists
of codes (an existing choice of one becomes a list of one), and staff choose whether signers must
have confirmed and opted in (both were always required: the defaults say so)."""

from django.db import migrations, models


def segments_to_lists(apps, schema_editor):
    Mailing = apps.get_model("emails", "Mailing")
    for mailing in Mailing.objects.exclude(country="", region="").only("pk", "country", "region").iterator():
        Mailing.objects.filter(pk=mailing.pk).update(
            countries=[mailing.country.strip().upper()] if mailing.country.strip() else [],
            regions=[mailing.region.strip().upper()] if mailing.region.strip() else [],
        )


def lists_to_segments(apps, schema_editor):
    # Back to one code each: the first chosen (a list of several cannot be said in one field).
    Mailing = apps.get_model("emails", "Mailing")
    for mailing in Mailing.objects.only("pk", "countries", "regions").iterator():
        Mailing.objects.filter(pk=mailing.pk).update(
            country=(mailing.countries or [""])[0][:2], region=(mailing.regions or [""])[0][:2]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("emails", "0006_mailing_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailing",
            name="confirmed_only",
            field=models.BooleanField(
                default=True,
                help_text="Otherwise signers who have not yet confirmed their address by email get it too.",
                verbose_name="confirmed signatures only",
            ),
        ),
        migrations.AddField(
            model_name="mailing",
            name="countries",
            field=models.JSONField(
                blank=True, default=list, help_text="ISO 3166-1 alpha-2 codes", verbose_name="countries"
            ),
        ),
        migrations.AddField(
            model_name="mailing",
            name="opted_in_only",
            field=models.BooleanField(
                default=True,
                help_text="Otherwise signers who did not tick “keep me informed” get it too: only for news of the action they signed (e.g. its delivery). Unsubscribed addresses never get it.",
                verbose_name="only those who asked for updates",
            ),
        ),
        migrations.AddField(
            model_name="mailing",
            name="regions",
            field=models.JSONField(blank=True, default=list, verbose_name="provinces and territories"),
        ),
        migrations.RunPython(segments_to_lists, lists_to_segments),
        migrations.RemoveField(
            model_name="mailing",
            name="country",
        ),
        migrations.RemoveField(
            model_name="mailing",
            name="region",
        ),
    ]
