"""Whatever staff paste, no script reaches a page; a bad decision-maker address gets a message."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from campaigns.models import Target
from tests.accounts.factories import UserFactory

from .factories import CampaignFactory, LetterActionFactory, TargetFactory, TargetResponseFactory, ThresholdFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror="alert(1)"><a href="javascript:alert(2)">link</a>'


def test_html_pasted_into_any_campaign_text_is_sanitised_on_every_page(client):
    campaign = CampaignFactory(title=f"Title {SCRIPT}", summary=f"Summary {SCRIPT}", story=f"Story\n\n{SCRIPT}")
    target = TargetFactory(name=f"Minister {SCRIPT}", title=f"Office {SCRIPT}")
    action = LetterActionFactory(
        campaign=campaign,
        title=f"Action {SCRIPT}",
        summary=f"Summary {SCRIPT}",
        ask=f"Ask\n\n{SCRIPT}",
        letter_target=target,
        letter_template=f"Dear Minister {SCRIPT}",
    )
    ThresholdFactory(action=action, count=10, name=f"Threshold {SCRIPT}", consequence=f"Then {SCRIPT}")
    TargetResponseFactory(action=action, responder=f"Office {SCRIPT}", title=f"Answer {SCRIPT}", body=f"Body {SCRIPT}")
    for url in [
        "/",
        "/campaigns/",
        campaign.get_absolute_url(),
        action.get_absolute_url(),
        f"/act/{action.slug}/signatures/",
        f"/act/{action.slug}/embed/",
    ]:
        page = client.get(url).content.decode()
        # Escaped text is harmless; no tag, handler or script link may survive as markup.
        for markup in ["<script>alert", "<img src=x", 'onerror="alert', 'href="javascript:']:
            assert markup not in page, (url, markup)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Dear Minister &lt;script&gt;" in page  # the letter template is text in its field


def test_a_decision_maker_without_a_valid_address_gets_a_message(client, settings):
    settings.ADMIN_REQUIRES_MFA = False
    manager = UserFactory(is_staff=True)
    manager.groups.set(Group.objects.filter(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(manager)
    data = {
        "name": "The Minister",
        "title": "",
        "email": "minister at example",
        "language": "en",
        "delivery": "each",
        "letters_per_hour": "60",
    }
    response = client.post("/admin/campaigns/target/add/", data)
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    response = client.post(
        "/admin/campaigns/target/add/", {**data, "email": "minister@example.org", "letters_per_hour": "0"}
    )
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not Target.objects.exists()
    assert client.post("/admin/campaigns/target/add/", {**data, "email": "minister@example.org"}).status_code == 302


def test_a_letter_action_without_its_decision_maker_gets_a_message_in_the_admin(client, settings):
    settings.ADMIN_REQUIRES_MFA = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    campaign = CampaignFactory()
    response = client.post(
        "/admin/campaigns/action/add/",
        {
            "campaign": campaign.pk,
            "kind": "letter",
            "status": "draft",
            "title_en": "Write",
            "slug": "write",
            "summary_en": "x",
            "ask_en": "x",
            "target_en": "",
            "letter_subject_en": "",
            "letter_template_en": "",
            "points": "10",
            "ask_country": "required",
            "ask_postal_code": "optional",
            "position": "0",
            "thresholds-TOTAL_FORMS": "0",
            "thresholds-INITIAL_FORMS": "0",
            "thresholds-MIN_NUM_FORMS": "0",
            "thresholds-MAX_NUM_FORMS": "1000",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the decision-maker who receives the letters." in html
    assert "Letters need a subject." in html and "Write the letter supporters start from." in html
