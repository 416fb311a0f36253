"""A mailing per language: each recipient gets the subject and body in their language, the preview
shows both with how many read each, and sending waits for a language that has readers."""

import pytest

from campaigns.models import Signature
from emails.mailings import MailingError, audience_languages, mailing_deliver, mailing_send_now
from emails.models import Mailing
from tests.campaigns.factories import ActionFactory, SignatureFactory
from tests.mailbox import delivered_mail

from .test_mailings import ADD, form, manager

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


@pytest.fixture
def signers():
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True, first_name="Ana", email="ana@example.org", language="en")
    SignatureFactory(action=action, opt_in=True, first_name="Éloïse", email="eloise@example.org", language="fr")
    SignatureFactory(action=action, opt_in=True, first_name="Luc", email="luc@example.org", language="fr")
    return action


def bilingual(action, **fields):
    texts = {
        "subject_en": "News for {first_name}",
        "body_en": "Hello {first_name}.",
        "subject_fr": "Des nouvelles pour {first_name}",
        "body_fr": "Bonjour {first_name}.",
    }
    created = Mailing.objects.create(audience=Mailing.Audience.SIGNERS, **{**texts, **fields})
    created.actions.set([action])
    return created


def _send(mailing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send_now(mailing_id=mailing.pk)
    mailing_deliver(mailing_id=mailing.pk)
    return {message.to[0]: message for message in delivered_mail()}


def test_each_recipient_gets_the_mailing_in_their_language(signers, django_capture_on_commit_callbacks):
    sent = _send(bilingual(signers), django_capture_on_commit_callbacks)
    assert sent["ana@example.org"].subject == "News for Ana"
    assert "Hello Ana." in sent["ana@example.org"].body and "Bonjour" not in sent["ana@example.org"].body
    assert sent["eloise@example.org"].subject == "Des nouvelles pour Éloïse"
    assert "Bonjour Éloïse." in sent["eloise@example.org"].body and "Hello" not in sent["eloise@example.org"].body
    assert sent["luc@example.org"].subject == "Des nouvelles pour Luc"


def test_sending_waits_for_a_language_that_has_readers(signers, django_capture_on_commit_callbacks):
    untranslated = bilingual(signers, subject_fr="", body_fr="")
    assert audience_languages(untranslated) == {"en": 1, "fr": 2}
    with pytest.raises(MailingError, match="French"):
        mailing_send_now(mailing_id=untranslated.pk)
    untranslated.refresh_from_db()
    assert untranslated.status == Mailing.Status.DRAFT
    # Staff choose to send them the English.
    Mailing.objects.filter(pk=untranslated.pk).update(english_where_missing=True)
    sent = _send(untranslated, django_capture_on_commit_callbacks)
    assert sent["eloise@example.org"].subject == "News for Éloïse"
    assert len(sent) == 3


def test_a_language_nobody_reads_need_not_be_written(django_capture_on_commit_callbacks):
    action = ActionFactory()
    SignatureFactory(action=action, opt_in=True, first_name="Ana", email="ana@example.org", language="en")
    sent = _send(bilingual(action, subject_fr="", body_fr=""), django_capture_on_commit_callbacks)
    assert list(sent) == ["ana@example.org"]


def test_the_preview_shows_each_recipient_their_language_with_how_many_read_it(client, signers):
    client.force_login(manager())
    data = {
        **form(signers),
        "subject_fr": "Nouvelles pour {first_name}",
        "body_fr": "Bonjour {first_name}.",
        "_preview": "1",
    }
    preview = client.post(ADD, data)["Location"]
    ana = client.get(preview).content.decode()
    assert "3 people: 1 read English, 2 read French." in ana
    assert "Big news for Ana" in ana
    eloise = Signature.objects.get(first_name="Éloïse")
    assert "Nouvelles pour Éloïse" in client.get(preview, {"recipient": eloise.pk}).content.decode()
    untranslated = client.get(client.post(ADD, {**data, "subject_fr": "", "body_fr": ""})["Location"])
    assert "sending is refused until it is" in untranslated.content.decode()


def test_a_mailing_needs_a_body_in_some_language(client, signers):
    client.force_login(manager())
    response = client.post(ADD, {**form(signers), "body_en": ""})
    assert response.status_code == 200
    assert "Write the body in at least one language." in response.content.decode()
    assert not Mailing.objects.exists()
