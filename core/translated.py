"""What the apps share about translated content (each app registers its texts in translation.py):
which languages an object has, whether a text shown fell back to English, what lacks French, and
the migration step that fills the English columns from the text written before translation."""

from collections.abc import Callable

from django.conf import settings
from django.db.models import F, Model, Q
from django.utils.translation import get_language, override
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

from .languages import prefixed
from .sites import absolute_url

DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def supported_language(language: str | None) -> str:
    """One of LANGUAGE_CODES for a stored or requested language ("fr-ca", "", an unknown one)."""
    language = (language or "").split("-")[0].lower()
    return language if language in LANGUAGE_CODES else DEFAULT_LANGUAGE


def in_each_language(texts: Callable[[], dict]) -> dict[str, dict]:
    """`texts()` as each language reads it, {language: texts}: an email's translated content is
    worked out once per language, then each recipient takes theirs (by supported_language)."""
    by_language = {}
    for language in LANGUAGE_CODES:
        with override(language):
            by_language[language] = texts()
    return by_language


class Texts(dict):
    """A translated text in every language, {language: text}, the English where one is not
    written: fetched once for many readers, each of whom takes theirs (in_language)."""


def texts_of(instance: Model, field: str) -> Texts:
    english = getattr(instance, build_localized_fieldname(field, DEFAULT_LANGUAGE), None) or ""
    return Texts(
        (language, getattr(instance, build_localized_fieldname(field, language), None) or english)
        for language in LANGUAGE_CODES
    )


def links_of(path: str) -> Texts:
    """A page's absolute link at each language's address ("/act/x/" -> {"fr": ".../fr/act/x/"}),
    for many readers each of whom takes theirs (in_language)."""
    return Texts((language, absolute_url(prefixed(path, language))) for language in LANGUAGE_CODES)


def in_language(facts: dict, language: str) -> dict:
    """`facts` with each of its Texts as `language` reads it."""
    return {key: value[language] if isinstance(value, Texts) else value for key, value in facts.items()}


def translated_fields(model: type[Model]) -> tuple[str, ...]:
    try:
        return tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return ()


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def text_language(instance: Model, field: str, language: str | None = None) -> str:
    """The language of the text `instance.<field>` gives in `language` (the active one by
    default): that language when written in it, else the English it falls back to."""
    language = (language or get_language() or DEFAULT_LANGUAGE).split("-")[0]
    if language == DEFAULT_LANGUAGE or field not in translated_fields(type(instance)):
        return language
    if _filled(getattr(instance, build_localized_fieldname(field, language), None)):
        return language
    if _filled(getattr(instance, build_localized_fieldname(field, DEFAULT_LANGUAGE), None)):
        return DEFAULT_LANGUAGE
    return language  # empty in every language: nothing shown to mark


def object_languages(instance: Model) -> list[str]:
    """The languages the object's text is written in: English, and each other language in which
    every field filled in English is filled too."""
    fields = [
        field
        for field in translated_fields(type(instance))
        if _filled(getattr(instance, build_localized_fieldname(field, DEFAULT_LANGUAGE), None))
    ]
    return [
        language
        for language in LANGUAGE_CODES
        if all(_filled(getattr(instance, build_localized_fieldname(field, language), None)) for field in fields)
    ]


def missing_translation_q(model: type[Model], language: str) -> Q:
    """Rows with a text filled in English and empty in `language`."""
    missing = Q()
    for field in translated_fields(model):
        english = build_localized_fieldname(field, DEFAULT_LANGUAGE)
        other = build_localized_fieldname(field, language)
        filled_in_english = Q(**{f"{english}__isnull": False}) & ~Q(**{english: ""})
        missing |= filled_in_english & (Q(**{f"{other}__isnull": True}) | Q(**{other: ""}))
    return missing


def add_missing_translation(obj: Model, language: str, **texts: str) -> None:
    """Writes `texts` (field -> text) as the object's `language` version where that is still empty:
    what a translator already wrote stays."""
    missing = {
        build_localized_fieldname(field, language): text
        for field, text in texts.items()
        if not _filled(getattr(obj, build_localized_fieldname(field, language)))
    }
    if missing:
        for field, text in missing.items():
            setattr(obj, field, text)
        obj.save(update_fields=list(missing))


def copy_into_english(fields_by_model: dict[str, tuple[str, ...]]):
    """A RunPython step: each model's text, written before it was translated, becomes its English."""

    def run(apps, schema_editor):
        for label, fields in fields_by_model.items():
            apps.get_model(label)._base_manager.update(
                **{build_localized_fieldname(field, DEFAULT_LANGUAGE): F(field) for field in fields}
            )

    return run
