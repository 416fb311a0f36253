"""The List-Unsubscribe link of a French recipient's email: at the French address, so the page it
opens and the consent wording it records are French, whatever the browser asks for."""

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_unsubscribe_link_page_and_consent_wording_are_in_the_recipient_s_language():
    from accounts.models import ConsentRecord, EmailPreferences
    from emails.models import Category
    from emails.services import email_enqueue, outbox_deliver

    user = UserFactory(email="eloise@example.org", language="fr")
    EmailPreferences.objects.create(user=user, campaign_updates=True)
    email_enqueue(
        key="k:fr",
        to=user.email,
        category=Category.CAMPAIGN_UPDATES,
        template="testmail/hello",
        context={"name": "Éloïse"},
        user=user,
        language="fr",
    )
    outbox_deliver()
    (message,) = mail.outbox
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://testserver/fr/email/unsubscribe/")
    assert url in message.body and "http://testserver/fr/accounts/email/preferences/" in message.body
    # Opened in a browser that asks for English: the page is the recipient's.
    browser = Client(headers={"accept-language": "en"})
    page = browser.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200 and '<html lang="fr">' in page.content.decode()
    assert "Se désabonner" in page.content.decode()
    assert browser.post(url.removeprefix("http://testserver"), {"List-Unsubscribe": "One-Click"}).status_code == 200
    # The withdrawal is recorded with the wording as the supporter read it: in French.
    record = ConsentRecord.objects.filter(user=user, granted=False).latest("pk")
    assert "courriel" in record.wording.lower() or "mises à jour" in record.wording.lower(), record.wording
