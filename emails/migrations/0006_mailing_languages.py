"""A mailing's subject and body per language; the English ones start with the text written so far."""

from django.db import migrations, models

from core.translated import copy_into_english


class Migration(migrations.Migration):
    dependencies = [
        ("emails", "0005_mailing_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailing",
            name="body_en",
            field=models.TextField(
                help_text="Markdown. Placeholders: {first_name}, {action_link}. Scripts and styles are removed.",
                null=True,
                verbose_name="body",
            ),
        ),
        migrations.AddField(
            model_name="mailing",
            name="body_fr",
            field=models.TextField(
                help_text="Markdown. Placeholders: {first_name}, {action_link}. Scripts and styles are removed.",
                null=True,
                verbose_name="body",
            ),
        ),
        migrations.AddField(
            model_name="mailing",
            name="english_where_missing",
            field=models.BooleanField(
                default=False,
                help_text="Otherwise sending is refused while recipients read a language whose subject or body is empty.",
                verbose_name="send the English where a language has no text",
            ),
        ),
        migrations.AddField(
            model_name="mailing",
            name="subject_en",
            field=models.CharField(max_length=200, null=True, verbose_name="subject"),
        ),
        migrations.AddField(
            model_name="mailing",
            name="subject_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="subject"),
        ),
        migrations.RunPython(copy_into_english({"emails.Mailing": ("subject", "body")}), migrations.RunPython.noop),
    ]
