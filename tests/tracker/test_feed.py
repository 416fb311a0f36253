import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tracker import services
from tracker.models import Development

from .factories import DevelopmentFactory, ReviewFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def review():
    return ReviewFactory(slug="united-states", title="Is the US still safe? <yes & no>")


def _parse(client, review):
    response = client.get(reverse("tracker:feed", args=[review.slug]), HTTP_HOST="evil.example")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def test_the_feed_is_valid_atom_with_the_required_elements(client, review, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    first = DevelopmentFactory(review=review, title="Nearly 2,000 children & counting", summary="About **2,000**.")
    services.development_correct(development=first, text="DHS later gave 1,995.")
    DevelopmentFactory(review=review, title="Minister will monitor")
    DevelopmentFactory(review=review, title="Draft", state=Development.State.DRAFT)

    feed = _parse(client, review)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text
    assert feed.find(f"{ATOM}title").text == "Is the US still safe? <yes & no>"
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    # Absolute links from SITE_URL, never from the request's Host header.
    assert links == {
        "alternate": "http://testserver/en/tracker/united-states/",
        "self": "http://testserver/en/tracker/united-states/feed/",
    }

    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    ids = set()
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text, name
        link = entry.find(f"{ATOM}link")
        assert link.get("rel") == "alternate"
        assert link.get("href").startswith("http://testserver/en/tracker/united-states/developments/")
        ids.add(entry.find(f"{ATOM}id").text)
    assert len(ids) == 2
    corrected = next(entry for entry in entries if "children" in entry.find(f"{ATOM}title").text)
    assert corrected.find(f"{ATOM}title").text == "Nearly 2,000 children & counting"
    summary = corrected.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "<strong>2,000</strong>" in summary.text
    assert "DHS later gave 1,995." in summary.text
    assert corrected.find(f"{ATOM}updated").text >= corrected.find(f"{ATOM}published").text


def test_an_empty_feed_is_still_valid(client, review, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    feed = _parse(client, review)
    assert feed.find(f"{ATOM}updated").text
    assert feed.findall(f"{ATOM}entry") == []


def test_entry_ids_survive_a_title_change(client, review, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    development = DevelopmentFactory(review=review, title="Old title")
    before = _parse(client, review).find(f"{ATOM}entry/{ATOM}id").text
    Development.objects.filter(pk=development.pk).update(title="New title", slug="new-title")
    after = _parse(client, review).find(f"{ATOM}entry/{ATOM}id").text
    assert before == after
    assert before.startswith("tag:testserver,")
