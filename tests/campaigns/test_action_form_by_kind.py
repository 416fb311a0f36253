"""An action's admin form shows only the fields its kind uses, grouped: the text, the form, the
goal and deadline, the letter; the thresholds follow."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from campaigns.models import Action
from tests.accounts.factories import UserFactory

from .factories import ActionFactory, CampaignFactory, LetterActionFactory

pytestmark = pytest.mark.django_db

LETTER_FIELDS = ('name="letter_target"', 'name="letter_subject_en"', 'name="letter_template_en"')
GROUPS = ("The text", "The form", "Goal and deadline")


@pytest.fixture
def manager(client, settings):
    settings.ADMIN_REQUIRES_MFA = False
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(user)
    return user


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_offers_to_add_each_kind(client, manager):
    listed = page(client, "/admin/campaigns/action/")
    for kind in ("petition", "pledge", "letter"):
        assert f"/admin/campaigns/action/add/?kind={kind}" in listed


def test_a_petition_has_no_letter_fields(client, manager):
    html = page(client, f"/admin/campaigns/action/{ActionFactory().pk}/change/")
    assert all(group in html for group in GROUPS)
    assert 'name="target_en"' in html
    assert not any(field in html for field in LETTER_FIELDS)
    assert "The letter" not in html


def test_a_pledge_asks_nobody_and_has_no_letter(client, manager):
    html = page(client, "/admin/campaigns/action/add/?kind=pledge")
    assert 'name="target_en"' not in html and not any(field in html for field in LETTER_FIELDS)
    assert '<option value="pledge" selected>' in html


def test_a_letter_has_its_own_group(client, manager):
    html = page(client, f"/admin/campaigns/action/{LetterActionFactory().pk}/change/")
    assert "The letter" in html and all(field in html for field in LETTER_FIELDS)


def test_no_kind_chosen_yet_shows_every_group(client, manager):
    html = page(client, "/admin/campaigns/action/add/")
    assert "The letter" in html and 'name="target_en"' in html


def test_a_pledge_saves_from_its_shorter_form(client, manager):
    campaign = CampaignFactory()
    response = client.post(
        "/admin/campaigns/action/add/?kind=pledge",
        {
            "campaign": campaign.pk,
            "kind": "pledge",
            "status": "draft",
            "title_en": "I pledge to welcome",
            "slug": "i-pledge",
            "summary_en": "A pledge.",
            "ask_en": "I pledge to welcome refugees.",
            "ask_country": "required",
            "ask_postal_code": "optional",
            "goal": "",
            "points": "10",
            "position": "0",
            "thresholds-TOTAL_FORMS": "0",
            "thresholds-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Action.objects.get(slug="i-pledge").kind == Action.Kind.PLEDGE


def _change(action, **overrides) -> dict:
    data = {
        "campaign": action.campaign_id,
        "kind": action.kind,
        "status": action.status,
        "title_en": action.title,
        "slug": action.slug,
        "summary_en": action.summary,
        "ask_en": action.ask,
        "target_en": action.target,
        "ask_country": action.ask_country,
        "ask_postal_code": action.ask_postal_code,
        "goal": action.goal or "",
        "points": action.points,
        "position": action.position,
        "thresholds-TOTAL_FORMS": "0",
        "thresholds-INITIAL_FORMS": "0",
    }
    return {**data, **overrides}


def test_a_petition_turned_pledge_loses_its_target(client, manager):
    petition = ActionFactory(target="The Government of Canada")
    response = client.post(f"/admin/campaigns/action/{petition.pk}/change/", _change(petition, kind="pledge"))
    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.kind, petition.target) == (Action.Kind.PLEDGE, "")


def test_a_letter_turned_petition_loses_its_decision_maker(client, manager):
    letter = LetterActionFactory()
    response = client.post(f"/admin/campaigns/action/{letter.pk}/change/", _change(letter, kind="petition"))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.kind, letter.letter_target) == (Action.Kind.PETITION, None)


def test_a_petition_turned_letter_asks_for_the_letter_fields(client, manager):
    petition = ActionFactory()
    html = client.post(f"/admin/campaigns/action/{petition.pk}/change/", _change(petition, kind="letter"))
    assert html.status_code == 200
    assert "Choose the decision-maker who receives the letters." in html.content.decode()
    petition.refresh_from_db()
    assert petition.kind == Action.Kind.PETITION
