"""Translated content: an English and a French column beside each text supporters read; the
English ones start with the text written so far."""

from django.db import migrations, models

from core.translated import copy_into_english


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0008_representatives"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="ask_en",
            field=models.TextField(
                help_text="Markdown: the petition's text, or what supporters pledge to do.",
                null=True,
                verbose_name="what is asked",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="ask_fr",
            field=models.TextField(
                help_text="Markdown: the petition's text, or what supporters pledge to do.",
                null=True,
                verbose_name="what is asked",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="letter_subject_en",
            field=models.CharField(
                blank=True,
                help_text="Letters only: the subject of every letter.",
                max_length=200,
                null=True,
                verbose_name="letter subject",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="letter_subject_fr",
            field=models.CharField(
                blank=True,
                help_text="Letters only: the subject of every letter.",
                max_length=200,
                null=True,
                verbose_name="letter subject",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="letter_template_en",
            field=models.TextField(
                blank=True,
                help_text="Letters only: plain text the supporter starts from and may edit before sending.",
                null=True,
                verbose_name="letter template",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="letter_template_fr",
            field=models.TextField(
                blank=True,
                help_text="Letters only: plain text the supporter starts from and may edit before sending.",
                null=True,
                verbose_name="letter template",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="share_text",
            field=models.CharField(
                blank=True,
                help_text="What a share says before the link. Leave empty to use the title.",
                max_length=200,
                verbose_name="sharing text",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="share_text_en",
            field=models.CharField(
                blank=True,
                help_text="What a share says before the link. Leave empty to use the title.",
                max_length=200,
                null=True,
                verbose_name="sharing text",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="share_text_fr",
            field=models.CharField(
                blank=True,
                help_text="What a share says before the link. Leave empty to use the title.",
                max_length=200,
                null=True,
                verbose_name="sharing text",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="summary_en",
            field=models.CharField(
                help_text="One or two sentences for lists and shares.",
                max_length=300,
                null=True,
                verbose_name="summary",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="summary_fr",
            field=models.CharField(
                help_text="One or two sentences for lists and shares.",
                max_length=300,
                null=True,
                verbose_name="summary",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="target_en",
            field=models.CharField(
                blank=True,
                help_text="Who is asked, e.g. the Government of Canada. Pledges have none.",
                max_length=200,
                null=True,
                verbose_name="addressed to",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="target_fr",
            field=models.CharField(
                blank=True,
                help_text="Who is asked, e.g. the Government of Canada. Pledges have none.",
                max_length=200,
                null=True,
                verbose_name="addressed to",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="action",
            name="title_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="story_en",
            field=models.TextField(
                blank=True, help_text="Markdown. Scripts and styles are removed.", null=True, verbose_name="story"
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="story_fr",
            field=models.TextField(
                blank=True, help_text="Markdown. Scripts and styles are removed.", null=True, verbose_name="story"
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="summary_en",
            field=models.CharField(
                help_text="One or two sentences for lists and shares.",
                max_length=300,
                null=True,
                verbose_name="summary",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="summary_fr",
            field=models.CharField(
                help_text="One or two sentences for lists and shares.",
                max_length=300,
                null=True,
                verbose_name="summary",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="title_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="targetresponse",
            name="body_en",
            field=models.TextField(
                help_text="Markdown. Scripts and styles are removed.", null=True, verbose_name="response"
            ),
        ),
        migrations.AddField(
            model_name="targetresponse",
            name="body_fr",
            field=models.TextField(
                help_text="Markdown. Scripts and styles are removed.", null=True, verbose_name="response"
            ),
        ),
        migrations.AddField(
            model_name="targetresponse",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="headline"),
        ),
        migrations.AddField(
            model_name="targetresponse",
            name="title_fr",
            field=models.CharField(max_length=200, null=True, verbose_name="headline"),
        ),
        migrations.AddField(
            model_name="threshold",
            name="consequence_en",
            field=models.TextField(
                blank=True,
                help_text="Shown on the action page, e.g. the government must answer within 45 days. Markdown.",
                null=True,
                verbose_name="what happens then",
            ),
        ),
        migrations.AddField(
            model_name="threshold",
            name="consequence_fr",
            field=models.TextField(
                blank=True,
                help_text="Shown on the action page, e.g. the government must answer within 45 days. Markdown.",
                null=True,
                verbose_name="what happens then",
            ),
        ),
        migrations.AddField(
            model_name="threshold",
            name="name_en",
            field=models.CharField(
                help_text="e.g. Certified as an e-petition", max_length=200, null=True, verbose_name="name"
            ),
        ),
        migrations.AddField(
            model_name="threshold",
            name="name_fr",
            field=models.CharField(
                help_text="e.g. Certified as an e-petition", max_length=200, null=True, verbose_name="name"
            ),
        ),
        migrations.RunPython(
            copy_into_english(
                {
                    "campaigns.Campaign": ("title", "summary", "story"),
                    "campaigns.Action": (
                        "title",
                        "summary",
                        "ask",
                        "target",
                        "letter_subject",
                        "letter_template",
                        "share_text",
                    ),
                    "campaigns.Threshold": ("name", "consequence"),
                    "campaigns.TargetResponse": ("title", "body"),
                }
            ),
            migrations.RunPython.noop,
        ),
    ]
