"""The Atom feed of a review's published developments. Every link is absolute, from SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.sites import absolute_url

from .markdown import render_markdown
from .models import Review
from .selectors import published_developments

FEED_ITEMS = 50


class ReviewFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Review.objects.published(), slug=slug)

    def title(self, review):
        return review.title

    def subtitle(self, review):
        return _("Developments in the review of %(country)s under the %(agreement)s (%(basis)s)") % {
            "country": review.country_name,
            "agreement": review.agreement,
            "basis": review.legal_basis,
        }

    def link(self, review):
        return absolute_url(review.get_absolute_url())

    def feed_url(self, review):
        return absolute_url(reverse("tracker:feed", args=[review.slug]))

    def author_name(self):
        return settings.ORGANISATION_NAME

    def items(self, review):
        return published_developments(review)[:FEED_ITEMS]

    def item_title(self, development):
        # Atom titles are text; the generator escapes them once (the default escapes twice, for RSS).
        return development.title

    def item_description(self, development):
        parts = [render_markdown(development.summary)]
        for correction in development.corrections.all():
            parts.append(
                format_html(
                    "<p><strong>{} ({}):</strong></p>{}",
                    _("Correction"),
                    correction.corrected_at.date().isoformat(),
                    render_markdown(correction.text),
                )
            )
        return "".join(parts)

    def item_link(self, development):
        return absolute_url(development.get_absolute_url())

    def item_guid(self, development):
        # A tag URI from the id, so that the entry keeps its identity if its title (slug) changes.
        host = urlsplit(settings.SITE_URL).hostname or "localhost"
        return f"tag:{host},{development.published_at.date().isoformat()}:tracker/development/{development.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, development):
        return development.published_at

    def item_updateddate(self, development):
        corrected = [correction.corrected_at for correction in development.corrections.all()]
        return max([development.published_at, *corrected])

    def item_categories(self, development):
        return [development.get_kind_display()]
