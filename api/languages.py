"""The API in the language asked for (Accept-Language, or ?lang=fr, which wins), and which
languages each object's text is written in."""

from django.utils import translation
from rest_framework import serializers

from core.translated import LANGUAGE_CODES, object_languages


class ApiLanguageMiddleware:
    """`?lang=fr` on an /api/ address: that language for this response, before anything (the
    response cache included) reads the active language; Accept-Language is LocaleMiddleware's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked = request.GET.get("lang", "")
        if request.path_info.startswith("/api/") and asked in LANGUAGE_CODES:
            translation.activate(asked)
            request.LANGUAGE_CODE = asked
            response = self.get_response(request)
            response.headers["Content-Language"] = asked
            return response
        return self.get_response(request)


class LanguagesField(serializers.SerializerMethodField):
    """["en", "fr"]: the languages in which every text of the object is written (English always;
    a language missing some text is left out, and that text comes in English)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", 'The languages the text is written in, e.g. ["en", "fr"].')
        super().__init__(method_name="get_languages", **kwargs)


class TranslatedSerializerMixin(serializers.Serializer):
    languages = LanguagesField()

    def get_languages(self, obj) -> list[str]:
        return object_languages(obj)
