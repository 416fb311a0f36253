"""The texts supporters read, in English and French (django-modeltranslation): each gets a
<field>_en and a <field>_fr column on the same row, so no read, the signing path's included,
needs a join. English is required where the field is; French may wait (it falls back to English)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Action, Campaign, TargetResponse, Threshold


class _EnglishRequired(TranslationOptions):
    required_languages = ("en",)


@register(Campaign)
class CampaignTranslation(_EnglishRequired):
    fields = ("title", "summary", "story")


@register(Action)
class ActionTranslation(_EnglishRequired):
    fields = ("title", "summary", "ask", "target", "letter_subject", "letter_template", "share_text")


@register(Threshold)
class ThresholdTranslation(_EnglishRequired):
    fields = ("name", "consequence")


@register(TargetResponse)
class TargetResponseTranslation(_EnglishRequired):
    fields = ("title", "body")
