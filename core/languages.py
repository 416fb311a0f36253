"""An address per language (docs/architecture.md, "Addresses per language"): every public page at
/en/… and /fr/…, and still at its address without a prefix, where the language is negotiated.

`language_patterns()` is Django's i18n_patterns() with one difference: its prefix is optional when
a path is resolved. reverse() always writes the active language's prefix, so every link Rally makes
(pages, emails, feeds) names its language, while the unprefixed addresses other sites already link
to keep working.
"""

import re

from django.conf import settings
from django.urls import URLResolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
_PREFIXED = re.compile(r"^/(?P<language>{})/".format("|".join(map(re.escape, LANGUAGE_CODES))))


def path_language(path: str) -> str | None:
    """The language of a path's prefix ("/fr/act/x/" -> "fr"), None for an unprefixed path."""
    match = _PREFIXED.match(path)
    return match.group("language") if match else None


def unprefixed(path: str) -> str:
    """The path without its language prefix ("/fr/act/x/" -> "/act/x/")."""
    match = _PREFIXED.match(path)
    return path[match.end() - 1 :] if match else path


def prefixed(path: str, language: str) -> str:
    """The same page's address in `language` ("/act/x/" or "/en/act/x/" -> "/fr/act/x/")."""
    return f"/{language}{unprefixed(path)}"


ROUTE_PREFIX = "<language>/"


def has_language_address(request) -> bool:
    """Whether the request's page is one of language_patterns()' (at /en/…, /fr/… and unprefixed)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and (match.route or "").startswith(ROUTE_PREFIX)


class OptionalLanguagePrefix(LocalePrefixPattern):
    """Matches "<language>/…" for any of LANGUAGES, and a path without a prefix as it is; reverses
    to the active language's prefix (LocalePrefixPattern.regex).

    Any language's prefix is accepted, not only the active one: which language a page is served
    in is the middleware's decision (core.middleware.LanguageMiddleware), and Django's
    translate_url() resolves a /fr/ path while another language is active (the switcher)."""

    def __init__(self):
        super().__init__(prefix_default_language=True)

    def __str__(self):
        # In a ResolverMatch's route: what has_language_address() looks for.
        return ROUTE_PREFIX

    def match(self, path):
        language = path_language(f"/{path}")
        if language is not None:
            return path.removeprefix(f"{language}/"), (), {}
        return path, (), {}


def language_patterns(*urls) -> list[URLResolver]:
    """These URL patterns at /<language>/… and without a prefix (see the module's docstring)."""
    return [URLResolver(OptionalLanguagePrefix(), list(urls))]


def language_from_request(request) -> str:
    """The language a public page is served in: its prefix's, else the choice LocaleMiddleware
    makes (the switcher's cookie, then Accept-Language). The fast path, which runs before the
    middleware, asks this; a signed-in supporter's preference is added later (accounts)."""
    return path_language(request.path_info) or translation.get_language_from_request(request)
