"""The tracker in English and French (tracker/translation.py): the demo review in both languages,
quotes kept in the language they were said in, and publishing what lacks French asks first."""

import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import GROUP_TRACKER_EDITORS
from campaigns import demo as campaigns_demo
from core.languages import unprefixed
from core.translated import object_languages
from tests.accounts.factories import UserFactory
from tracker import demo
from tracker.models import Development, Review, Statement

from .factories import DevelopmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    campaigns_demo.seed(create_users=False, stdout=io.StringIO())
    demo.seed(create_users=False, stdout=io.StringIO())
    return Review.objects.get()


def test_the_demo_review_and_everything_in_it_exist_in_both_languages(seeded):
    for related in ("status_changes", "factors", "developments", "figures", "statements"):
        for obj in getattr(seeded, related).all():
            assert object_languages(obj) == ["en", "fr"], obj
    assert object_languages(seeded) == ["en", "fr"]
    assert "Entente sur les tiers pays sûrs" in seeded.agreement_fr
    assert (
        "demandeurs d'asile"
        in seeded.factors.get(paragraph="b").summary_fr + seeded.factors.get(paragraph="b").assessments.get().reason_fr
    )
    # Seeding again keeps what is there (a translator's edit included).
    Review.objects.filter(pk=seeded.pk).update(title_fr="Titre revu")
    demo.seed(create_users=False, stdout=io.StringIO())
    assert Review.objects.get().title_fr == "Titre revu"


def test_the_review_page_in_french_keeps_quotes_in_their_language_with_a_translation(client, seeded):
    page = client.get(unprefixed(seeded.get_absolute_url()), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Les États-Unis sont-ils toujours un tiers pays sûr?</h1>" in page
    assert "Partie à la Convention sur les réfugiés" in page
    assert '<blockquote class="blockquote tracker-quote" lang="en"><p>If Canada does not step up' in page
    assert "Si le Canada ne prend pas position, nous sommes complices." in page
    assert "Is the United States still a safe third country?" not in page
    english = client.get(unprefixed(seeded.get_absolute_url()), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Si le Canada ne prend pas position" not in english
    assert "Les États-Unis sont-ils" not in english


def test_a_french_reader_sees_a_text_without_french_in_english_marked_so(client, seeded):
    Statement.objects.filter(speaker_name="Jenny Kwan").update(context_fr="")
    page = client.get(unprefixed(seeded.get_absolute_url()), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<span lang="en">Question period, House of Commons</span>' in page


def test_publishing_a_development_without_french_asks_first(client, settings):
    settings.ADMIN_REQUIRES_MFA = False
    editor = UserFactory(is_staff=True)
    editor.groups.set(Group.objects.filter(name=GROUP_TRACKER_EDITORS))
    client.force_login(editor)
    draft = DevelopmentFactory(state=Development.State.DRAFT)
    changelist = reverse("admin:tracker_development_changelist")
    question = client.post(changelist, {"action": "publish_developments", "_selected_action": [draft.pk]})
    assert "Publish without French?" in question.content.decode() and draft.title in question.content.decode()
    draft.refresh_from_db()
    assert draft.state == Development.State.DRAFT
    Development.objects.filter(pk=draft.pk).update(title_fr="Titre", summary_fr="Résumé")
    client.post(changelist, {"action": "publish_developments", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.state == Development.State.PUBLISHED
