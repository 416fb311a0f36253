"""Picks the page language of an address without a language prefix: the signed-in supporter's
preference first.

core.middleware.LanguageMiddleware (before this one) already chose: the address's prefix, else the
switcher's cookie, else Accept-Language. A signed-in supporter's saved preference overrides the
last two; a prefixed address (/fr/…) is in its own language for everyone (core.languages).
"""

from django.utils import translation

from core.languages import path_language


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language and path_language(request.path_info) is None:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
