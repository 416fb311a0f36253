"""`{% lang_attr object "field" %}`: ` lang="en"` where a translated text shown in the page's language
fell back to English (its French is not written yet), so that screen readers and browsers read it as
English; nothing where the text is in the page's own language."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from core.translated import text_language

register = template.Library()


@register.simple_tag
def lang_attr(obj, field: str) -> str:
    if obj is None or not hasattr(obj, "_meta"):
        return ""
    page_language = (get_language() or "").split("-")[0]
    shown = text_language(obj, field, page_language)
    return format_html(' lang="{}"', shown) if shown != page_language else ""
