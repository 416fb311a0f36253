"""Picks the page language without a URL prefix: the signed-in supporter's preference first.

Django's LocaleMiddleware (before this one) already chose from the switcher's cookie, then
Accept-Language; a signed-in supporter's saved preference overrides both.
"""

from django.utils import translation


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
