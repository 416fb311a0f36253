"""Share links: plain links to each network's share URL, built from SITE_URL (no third-party script)."""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Action

# (network, label, share URL, query built from the page's URL and title)
_NETWORKS = [
    ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php", lambda url, text: {"u": url}),
    ("x", "X", "https://twitter.com/intent/tweet", lambda url, text: {"text": text, "url": url}),
    ("bluesky", "Bluesky", "https://bsky.app/intent/compose", lambda url, text: {"text": f"{text} {url}"}),
    ("whatsapp", "WhatsApp", "https://wa.me/", lambda url, text: {"text": f"{text} {url}"}),
    ("linkedin", "LinkedIn", "https://www.linkedin.com/sharing/share-offsite/", lambda url, text: {"url": url}),
]


def action_share_url(action: Action) -> str:
    return f"{settings.SITE_URL}{action.get_absolute_url()}"


def share_links(action: Action) -> list[dict]:
    url = action_share_url(action)
    text = action.share_text or action.title
    mail = urlencode({"subject": text, "body": f"{text}\n{url}"}, quote_via=quote)
    links = [{"network": "email", "label": _("email"), "href": f"mailto:?{mail}"}]
    for network, label, base, query in _NETWORKS:
        links.append({"network": network, "label": label, "href": f"{base}?{urlencode(query(url, text))}"})
    return links
