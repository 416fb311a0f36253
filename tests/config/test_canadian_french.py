"""French as Canada writes it: "1 234", "12 %", "7 décembre 2026", "à l'instant" and "il y a
1 minute" (never "il y a 0 minute"), and allauth's wording with « courriel »."""

import datetime

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, timezone, translation

from core.templatetags.canadian import ago, percent
from tests.campaigns.factories import ActionFactory, SignatureFactory

NBSP = "\u00a0"


def test_numbers_percentages_and_dates_in_each_language():
    day = datetime.date(2026, 12, 7)
    with translation.override("fr"):
        assert intcomma(1234) == f"1{NBSP}234"
        assert percent(12) == f"12{NBSP}%"
        assert formats.date_format(day, "DATE_FORMAT") == "7 décembre 2026"
    with translation.override("en"):
        assert (intcomma(1234), percent(12)) == ("1,234", "12%")


def test_relative_times_say_just_now_rather_than_zero_minutes():
    now = timezone.now()
    with translation.override("fr"):
        assert ago(now - datetime.timedelta(seconds=20), now) == "à l'instant"
        assert ago(now - datetime.timedelta(seconds=61), now) == f"il y a 1{NBSP}minute"
        assert ago(now - datetime.timedelta(minutes=3), now) == f"il y a 3{NBSP}minutes"
    with translation.override("en"):
        assert ago(now - datetime.timedelta(seconds=20), now) == "just now"
        assert ago(now - datetime.timedelta(minutes=3), now) == f"3{NBSP}minutes ago"


@pytest.mark.django_db
def test_the_action_page_in_french_shows_its_progress_and_supporters_the_french_way(client):
    action = ActionFactory(slug="stca", goal=1000)
    SignatureFactory(action=action, status="confirmed", confirmed_at=timezone.now())
    page = client.get("/act/stca/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "à l&#x27;instant" in page or "à l'instant" in page
    assert "il y a 0" not in page
    assert f"0{NBSP}%</progress>" in page


def test_allauth_says_courriel_in_french():
    with translation.override("fr"):
        for message in ("Username or email", "Add Email Address", "Confirm Email Address", "Email Addresses"):
            wording = translation.gettext(message)
            assert "courriel" in wording and "e-mail" not in wording, wording
