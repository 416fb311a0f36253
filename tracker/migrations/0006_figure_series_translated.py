"""A series' name is a chart's title: in English and French, the English starting with the name
written so far."""

from django.db import migrations, models

from core.translated import copy_into_english


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0005_translated_content"),
    ]

    operations = [
        migrations.AddField(
            model_name="figure",
            name="series_en",
            field=models.CharField(
                blank=True,
                help_text="Figures with the same series name share one chart.",
                max_length=120,
                null=True,
                verbose_name="series",
            ),
        ),
        migrations.AddField(
            model_name="figure",
            name="series_fr",
            field=models.CharField(
                blank=True,
                help_text="Figures with the same series name share one chart.",
                max_length=120,
                null=True,
                verbose_name="series",
            ),
        ),
        migrations.RunPython(copy_into_english({"tracker.Figure": ("series",)}), migrations.RunPython.noop),
    ]
