"""`{% canonical_link %}` and `{% language_alternates %}`: a public page's address in the reader's
language, and its address in each language, for search engines and for sharing (core.languages).
Nothing on pages without an address per language (the admin, the API, a 404 for an unknown path)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from core.languages import LANGUAGE_CODES, has_language_address, prefixed, unprefixed
from core.sites import absolute_url

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_link(context) -> str:
    request = context.get("request")
    if request is None or not has_language_address(request):
        return ""
    return format_html('<link rel="canonical" href="{}">', absolute_url(prefixed(request.path_info, get_language())))


@register.simple_tag(takes_context=True)
def language_alternates(context) -> str:
    """Each language's address, and the unprefixed one as x-default (it negotiates the language)."""
    request = context.get("request")
    if request is None or not has_language_address(request):
        return ""
    path = request.path_info
    addresses = [(code, absolute_url(prefixed(path, code))) for code in LANGUAGE_CODES]
    addresses.append(("x-default", absolute_url(unprefixed(path))))
    return format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', addresses)
