"""The tracker's texts in English and French (django-modeltranslation; see campaigns/translation.py).

A statement's quote is not among them: it stays in the language it was said in
(Statement.quote_language), and a translation may be added beside it (Statement.quote_translation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Correction,
    Development,
    Factor,
    FactorAssessment,
    Figure,
    Review,
    ReviewStatusChange,
    Statement,
)


class _EnglishRequired(TranslationOptions):
    required_languages = ("en",)


@register(Review)
class ReviewTranslation(_EnglishRequired):
    fields = ("title", "country_name", "agreement", "legal_basis", "summary")


@register(ReviewStatusChange)
class ReviewStatusChangeTranslation(_EnglishRequired):
    fields = ("reason",)


@register(Factor)
class FactorTranslation(_EnglishRequired):
    fields = ("title", "statutory_text", "summary")


@register(FactorAssessment)
class FactorAssessmentTranslation(_EnglishRequired):
    fields = ("summary", "reason")


@register(Development)
class DevelopmentTranslation(_EnglishRequired):
    fields = ("title", "summary")


@register(Correction)
class CorrectionTranslation(_EnglishRequired):
    fields = ("text",)


@register(Figure)
class FigureTranslation(_EnglishRequired):
    # The series is a chart's title.
    fields = ("label", "series", "unit", "jurisdiction", "note")


@register(Statement)
class StatementTranslation(_EnglishRequired):
    fields = ("speaker_role", "context")
