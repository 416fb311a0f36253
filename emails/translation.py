"""A mailing's subject and body in English and French (django-modeltranslation). Neither language
is required on its own: a mailing to French readers only may have no English. Each recipient gets
their language's text; see emails.mailings for what happens where one is missing."""

from modeltranslation.translator import TranslationOptions, register

from .models import Mailing


@register(Mailing)
class MailingTranslation(TranslationOptions):
    fields = ("subject", "body")
