"""Template context shared by every page."""

from django.conf import settings


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        "ORGANISATION_NAME": settings.ORGANISATION_NAME,
    }
