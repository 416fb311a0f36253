"""Emails in the recipient's language, whatever language the request or task runs in: notices to
signers, letters' receipts, tracker news and digests carry the translated content in theirs."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from campaigns.services import response_email_signers, threshold_notify_signers
from tests.campaigns.factories import (
    ActionFactory,
    CampaignFactory,
    SignatureFactory,
    TargetResponseFactory,
    ThresholdFactory,
)
from tests.mailbox import delivered_mail

from .test_digests import MONDAY_8, run, supporter

pytestmark = pytest.mark.django_db


@pytest.fixture
def action():
    return ActionFactory(title="Suspend the STCA", title_fr="Suspendre l'ETPS")


@pytest.fixture
def signers(action):
    now = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
    english = SignatureFactory(action=action, email="ana@example.org", opt_in=True, language="en", confirmed_at=now)
    french = SignatureFactory(action=action, email="eloi@example.org", opt_in=True, language="fr", confirmed_at=now)
    return english, french


def _by_address():
    return {message.to[0]: message for message in delivered_mail()}


def test_a_threshold_notice_reaches_each_signer_in_their_language(action, signers, django_capture_on_commit_callbacks):
    threshold = ThresholdFactory(
        action=action, count=1, name="Certified", name_fr="Certifiée", reached_at=datetime.datetime.now(datetime.UTC)
    )
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):  # a French staff member
        threshold_notify_signers(threshold=threshold)
    sent = _by_address()
    assert "Certified" in sent["ana@example.org"].subject and "Suspend the STCA" in sent["ana@example.org"].body
    assert "Certifiée" in sent["eloi@example.org"].subject and "Suspendre l'ETPS" in sent["eloi@example.org"].body
    assert "Suspend the STCA" not in sent["eloi@example.org"].body


def test_a_response_reaches_each_signer_in_their_language(action, signers, django_capture_on_commit_callbacks):
    response = TargetResponseFactory(action=action, title="Ottawa answers", title_fr="Ottawa répond")
    with django_capture_on_commit_callbacks(execute=True):
        response_email_signers(response=response)
    sent = _by_address()
    assert "Ottawa answers" in sent["ana@example.org"].body + sent["ana@example.org"].subject
    assert "Ottawa répond" in sent["eloi@example.org"].body + sent["eloi@example.org"].subject
    assert "Ottawa answers" not in sent["eloi@example.org"].body


def test_a_digest_is_in_the_supporters_language():
    english = supporter(first_name="Ana", language="en")
    french = supporter(first_name="Éloi", language="fr")
    CampaignFactory(
        published_at=MONDAY_8 - datetime.timedelta(days=2), title="Welcome refugees", title_fr="Bienvenue aux réfugiés"
    )
    mail.outbox.clear()
    sent = {message.to[0]: message for message in run()}
    assert "Welcome refugees" in sent[english.email].body and "Bienvenue" not in sent[english.email].body
    assert "Bienvenue aux réfugiés" in sent[french.email].body and "Welcome refugees" not in sent[french.email].body
