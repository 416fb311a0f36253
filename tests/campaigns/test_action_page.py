"""What the action page says (its deadline, its milestones, the tracker's factors, the words for its
kind, French numbers) and how a form with errors comes back: seen, linked, and kept."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from campaigns.models import Action, ActionCount
from campaigns.templatetags.campaigns_tags import closes_in
from tests.tracker.factories import FactorFactory, ReviewFactory

from .factories import ActionFactory, LetterActionFactory, ThresholdFactory

pytestmark = pytest.mark.django_db


def _page(client, action, **headers) -> str:
    response = client.get(f"/act/{action.slug}/", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_closes_in_counts_whole_days_down_then_hours():
    now = timezone.now()
    assert closes_in(now + timedelta(days=3, hours=5), now) == "Closes in 3 days"
    assert closes_in(now + timedelta(days=1), now) == "Closes in 1 day"
    assert closes_in(now + timedelta(hours=5, minutes=59), now) == "Closes in 5 hours"
    assert closes_in(now + timedelta(minutes=20), now) == "Closes in less than an hour"
    assert closes_in(now - timedelta(minutes=1), now) == "" and closes_in(None, now) == ""
    with translation.override("fr"):
        assert closes_in(now + timedelta(days=3, hours=1), now) == "Se termine dans 3 jours"


def test_the_page_shows_the_deadline_then_the_closed_state(client):
    action = ActionFactory(closes_at=timezone.now() + timedelta(days=3, hours=2))
    assert _page(client, action).count("Closes in 3 days") == 2  # the phone's first screen and the panel
    assert "Se termine dans 3 jours" in _page(client, action, accept_language="fr")

    closed = ActionFactory(closes_at=timezone.now() - timedelta(days=1))
    page = _page(client, closed)
    assert "Closed on" in page and "Closes in" not in page and "sign-link" not in page


def test_the_milestones_reached_show_with_their_consequences_and_the_next_one_after(client, action):
    ThresholdFactory(action=action, count=2, name="Certified", consequence="The MP must **answer**.")
    ThresholdFactory(action=action, count=10, name="Our goal", consequence="")
    ActionCount.objects.update_or_create(action=action, defaults={"count": 3})
    page = _page(client, action)
    milestones = page[page.index("Milestones reached") :]
    assert "2 — Certified" in milestones and "The MP must <strong>answer</strong>." in milestones
    assert "7 more to reach <strong>Our goal</strong> (10)." in page


def test_french_numbers_have_a_space_between_thousands(client, action):
    action.goal = 5000
    action.save()
    ActionCount.objects.update_or_create(action=action, defaults={"count": 1234})
    page = _page(client, action, accept_language="fr")
    # Django's French format groups with a (narrow) non-breaking space: « 1 234 ».
    assert re.search(r"1[\u00a0\u202f ]234</strong> signatures", page)
    assert re.search(r"5[\u00a0\u202f ]000", page)


@pytest.mark.parametrize(
    ("kind", "start", "submit"),
    [
        (Action.Kind.PETITION, "Sign the petition", "Sign the petition"),
        (Action.Kind.PLEDGE, "Take the pledge", "Take the pledge"),
        (Action.Kind.LETTER, "Write your letter", "Send my letter"),
    ],
)
def test_each_kind_of_action_has_its_own_words_and_a_link_to_its_first_field(client, kind, start, submit):
    if kind == Action.Kind.LETTER:
        action = LetterActionFactory()
    else:
        action = ActionFactory(kind=kind, target="" if kind == Action.Kind.PLEDGE else "The Government of Canada")
    page = _page(client, action)
    first_field = "id_message" if kind == Action.Kind.LETTER else "id_first_name"
    assert f'href="#{first_field}" data-focus-field>{start}</a>' in page
    assert f'id="{first_field}"' in page
    assert f">{submit}</button>" in page
    if kind != Action.Kind.PETITION:
        assert "Sign the petition" not in page


def test_a_pledge_is_taken_in_french(client):
    page = _page(client, ActionFactory(kind=Action.Kind.PLEDGE, target=""), accept_language="fr")
    assert "Prendre l&#x27;engagement" in page or "Prendre l'engagement" in page


def test_each_factor_of_a_review_links_to_the_actions_on_it(client, action):
    review = ReviewFactory(slug="united-states", title="Is the United States still safe?")
    FactorFactory(review=review, paragraph="a", title="Human rights record")
    review.related_actions.add(action)
    review_page = client.get("/tracker/united-states/").content.decode()
    factor = review_page[review_page.index('id="factor-a"') :]
    # Links Rally writes carry the reader's language (docs/architecture.md).
    assert f'Act on this: <a href="/en/act/{action.slug}/"' in factor


def test_the_review_page_gives_its_forms_ids_of_their_own(client, action):
    review = ReviewFactory(slug="united-states")
    review.related_actions.add(action, ActionFactory(slug="another-one"))
    page = client.get("/tracker/united-states/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_a_form_with_errors_comes_back_with_a_summary_that_links_to_each_field(client, action, sign):
    response = sign(
        action, first_name="Ana", last_name="", email="not an address", headers={"Origin": "http://testserver"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('class="error-summary') : page.index("</div>", page.index('class="error-summary'))]
    assert 'tabindex="-1" autofocus' in summary
    assert 'href="#id_last_name"' in summary and 'href="#id_email"' in summary
    assert 'href="#id_first_name"' not in summary
    # Each field in error says so, and points to its message; what was typed is kept.
    email = re.search(r"<input[^>]*name=\"email\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="id_email_error"' in email
    assert 'value="not an address"' in email
    assert 'id="id_email_error"' in page
    assert 'value="Ana"' in page
    # There is nothing to fix on a page that has not been posted.
    assert "error-summary" not in _page(client, action)
