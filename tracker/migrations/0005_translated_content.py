"""Translated content: an English and a French column beside each text supporters read; the
English ones start with the text written so far."""

from django.db import migrations, models

from core.translated import copy_into_english


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0004_factor_assessed_by_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="correction",
            name="text_en",
            field=models.TextField(null=True, verbose_name="correction"),
        ),
        migrations.AddField(
            model_name="correction",
            name="text_fr",
            field=models.TextField(null=True, verbose_name="correction"),
        ),
        migrations.AddField(
            model_name="development",
            name="summary_en",
            field=models.TextField(help_text="Markdown.", null=True, verbose_name="summary"),
        ),
        migrations.AddField(
            model_name="development",
            name="summary_fr",
            field=models.TextField(help_text="Markdown.", null=True, verbose_name="summary"),
        ),
        migrations.AddField(
            model_name="development",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="development",
            name="title_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="factor",
            name="statutory_text_en",
            field=models.TextField(blank=True, null=True, verbose_name="what the Act asks"),
        ),
        migrations.AddField(
            model_name="factor",
            name="statutory_text_fr",
            field=models.TextField(blank=True, null=True, verbose_name="what the Act asks"),
        ),
        migrations.AddField(
            model_name="factor",
            name="summary_en",
            field=models.TextField(blank=True, help_text="Markdown.", null=True, verbose_name="reasoned summary"),
        ),
        migrations.AddField(
            model_name="factor",
            name="summary_fr",
            field=models.TextField(blank=True, help_text="Markdown.", null=True, verbose_name="reasoned summary"),
        ),
        migrations.AddField(
            model_name="factor",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="factor",
            name="title_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="factorassessment",
            name="reason_en",
            field=models.TextField(null=True, verbose_name="why"),
        ),
        migrations.AddField(
            model_name="factorassessment",
            name="reason_fr",
            field=models.TextField(null=True, verbose_name="why"),
        ),
        migrations.AddField(
            model_name="factorassessment",
            name="summary_en",
            field=models.TextField(blank=True, null=True, verbose_name="summary at the time"),
        ),
        migrations.AddField(
            model_name="factorassessment",
            name="summary_fr",
            field=models.TextField(blank=True, null=True, verbose_name="summary at the time"),
        ),
        migrations.AddField(
            model_name="figure",
            name="jurisdiction_en",
            field=models.CharField(max_length=100, null=True, verbose_name="jurisdiction"),
        ),
        migrations.AddField(
            model_name="figure",
            name="jurisdiction_fr",
            field=models.CharField(max_length=100, null=True, verbose_name="jurisdiction"),
        ),
        migrations.AddField(
            model_name="figure",
            name="label_en",
            field=models.CharField(max_length=200, null=True, verbose_name="what is counted"),
        ),
        migrations.AddField(
            model_name="figure",
            name="label_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="what is counted"),
        ),
        migrations.AddField(
            model_name="figure",
            name="note_en",
            field=models.TextField(blank=True, null=True, verbose_name="note"),
        ),
        migrations.AddField(
            model_name="figure",
            name="note_fr",
            field=models.TextField(blank=True, null=True, verbose_name="note"),
        ),
        migrations.AddField(
            model_name="figure",
            name="unit_en",
            field=models.CharField(help_text="e.g. children, claims, %", max_length=60, null=True, verbose_name="unit"),
        ),
        migrations.AddField(
            model_name="figure",
            name="unit_fr",
            field=models.CharField(help_text="e.g. children, claims, %", max_length=60, null=True, verbose_name="unit"),
        ),
        migrations.AddField(
            model_name="review",
            name="agreement_en",
            field=models.CharField(max_length=200, null=True, verbose_name="agreement"),
        ),
        migrations.AddField(
            model_name="review",
            name="agreement_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="agreement"),
        ),
        migrations.AddField(
            model_name="review",
            name="country_name_en",
            field=models.CharField(max_length=100, null=True, verbose_name="country under review"),
        ),
        migrations.AddField(
            model_name="review",
            name="country_name_fr",
            field=models.CharField(max_length=100, null=True, verbose_name="country under review"),
        ),
        migrations.AddField(
            model_name="review",
            name="legal_basis_en",
            field=models.CharField(max_length=300, null=True, verbose_name="legal basis"),
        ),
        migrations.AddField(
            model_name="review",
            name="legal_basis_fr",
            field=models.CharField(max_length=300, null=True, verbose_name="legal basis"),
        ),
        migrations.AddField(
            model_name="review",
            name="summary_en",
            field=models.TextField(blank=True, help_text="Markdown.", null=True, verbose_name="summary"),
        ),
        migrations.AddField(
            model_name="review",
            name="summary_fr",
            field=models.TextField(blank=True, help_text="Markdown.", null=True, verbose_name="summary"),
        ),
        migrations.AddField(
            model_name="review",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="review",
            name="title_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="reviewstatuschange",
            name="reason_en",
            field=models.TextField(null=True, verbose_name="why"),
        ),
        migrations.AddField(
            model_name="reviewstatuschange",
            name="reason_fr",
            field=models.TextField(null=True, verbose_name="why"),
        ),
        migrations.AddField(
            model_name="statement",
            name="context_en",
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name="where it was said"),
        ),
        migrations.AddField(
            model_name="statement",
            name="context_fr",
            field=models.CharField(blank=True, max_length=300, null=True, verbose_name="where it was said"),
        ),
        migrations.AddField(
            model_name="statement",
            name="quote_language",
            field=models.CharField(
                choices=[("en", "English"), ("fr", "French")],
                default="en",
                help_text="A quote stays in the language it was said in.",
                max_length=8,
                verbose_name="language of the quote",
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="quote_translation",
            field=models.TextField(
                blank=True,
                help_text="Optional: the quote in the other language, shown beside it and marked as a translation.",
                verbose_name="translation of the quote",
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="speaker_role_en",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="role"),
        ),
        migrations.AddField(
            model_name="statement",
            name="speaker_role_fr",
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name="role"),
        ),
        migrations.RunPython(
            copy_into_english(
                {
                    "tracker.Review": ("title", "country_name", "agreement", "legal_basis", "summary"),
                    "tracker.ReviewStatusChange": ("reason",),
                    "tracker.Factor": ("title", "statutory_text", "summary"),
                    "tracker.FactorAssessment": ("summary", "reason"),
                    "tracker.Development": ("title", "summary"),
                    "tracker.Correction": ("text",),
                    "tracker.Figure": ("label", "unit", "jurisdiction", "note"),
                    "tracker.Statement": ("speaker_role", "context"),
                }
            ),
            migrations.RunPython.noop,
        ),
    ]
