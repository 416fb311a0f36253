"""Tokens in email links are opaque and dated (review #15, informational "Tokens"): an unsubscribe
token does not carry the address in base64, a confirmation token does not show the signature id,
confirmation links expire, and links mailed in the old signed format keep working."""

import base64
import time

import pytest
from django.core import signing

from campaigns.tokens import CONFIRM, WITHDRAW, signature_token, signature_token_read
from config import settings as project_settings
from core.tokens import token_open, token_seal
from emails.models import Category
from emails.unsubscribe import unsubscribe_token, unsubscribe_token_read

ADDRESS = "ana.lopez@example.org"


def _decoded(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def test_an_unsubscribe_token_does_not_show_the_address():
    token = unsubscribe_token(address=ADDRESS, category=Category.CAMPAIGN_UPDATES)

    assert ":" not in token
    assert b"ana.lopez" not in _decoded(token)
    assert b"example.org" not in _decoded(token)
    assert unsubscribe_token_read(token) == (ADDRESS, Category.CAMPAIGN_UPDATES)
    # Two tokens for the same address differ, so they cannot be compared to find the same person.
    assert token != unsubscribe_token(address=ADDRESS, category=Category.CAMPAIGN_UPDATES)


def test_a_confirmation_token_does_not_show_the_signature_id():
    tokens = [signature_token(signature_id=number, purpose=CONFIRM) for number in (41, 42)]

    for number, token in zip((41, 42), tokens, strict=True):
        assert ":" not in token
        assert signature_token_read(token, purpose=CONFIRM) == number
    with pytest.raises(signing.BadSignature):
        signing.loads(tokens[0], salt="rally.campaigns.signature.confirm")
    # Consecutive ids give unrelated tokens.
    assert tokens[0][:20] != tokens[1][:20]


def test_a_token_is_good_for_its_own_purpose_only():
    token = signature_token(signature_id=7, purpose=CONFIRM)
    assert signature_token_read(token, purpose=WITHDRAW) is None
    assert token_open(token, purpose="rally.emails.unsubscribe") is None


def test_a_confirmation_link_expires_with_the_unconfirmed_signature(settings, monkeypatch):
    settings.SIGNATURE_CONFIRMATION_DAYS = 14
    made = time.time()
    token = signature_token(signature_id=7, purpose=CONFIRM)
    withdraw = signature_token(signature_id=7, purpose=WITHDRAW)

    monkeypatch.setattr("core.tokens.time.time", lambda: made + 13 * 86400)
    assert signature_token_read(token, purpose=CONFIRM) == 7
    monkeypatch.setattr("core.tokens.time.time", lambda: made + 15 * 86400)
    assert signature_token_read(token, purpose=CONFIRM) is None
    # Withdrawing stays possible as long as the signature exists.
    assert signature_token_read(withdraw, purpose=WITHDRAW) == 7


def test_unsubscribe_links_work_for_at_least_sixty_days(settings):
    settings.UNSUBSCRIBE_LINK_DAYS = 365
    issued = time.time() - 200 * 86400
    token = token_seal(b'["ana@example.org","campaign_updates"]', purpose="rally.emails.unsubscribe", now=issued)
    assert unsubscribe_token_read(token) == ("ana@example.org", "campaign_updates")

    expired = token_seal(
        b'["ana@example.org","campaign_updates"]', purpose="rally.emails.unsubscribe", now=time.time() - 400 * 86400
    )
    assert unsubscribe_token_read(expired) is None


def test_links_mailed_in_the_old_signed_format_keep_working(settings):
    old_unsubscribe = signing.dumps({"e": ADDRESS, "c": "campaign_updates"}, salt="rally.emails.unsubscribe")
    old_withdraw = signing.dumps(9, salt="rally.campaigns.signature.withdraw")
    old_confirm = signing.dumps(9, salt="rally.campaigns.signature.confirm")

    assert unsubscribe_token_read(old_unsubscribe) == (ADDRESS, "campaign_updates")
    assert signature_token_read(old_withdraw, purpose=WITHDRAW) == 9
    assert signature_token_read(old_confirm, purpose=CONFIRM) == 9
    assert signature_token_read(old_confirm, purpose=WITHDRAW) is None

    settings.UNSUBSCRIBE_ACCEPT_SIGNED_TOKENS = False
    assert unsubscribe_token_read(old_unsubscribe) is None


def test_the_password_reset_and_account_confirmation_links_expire():
    assert project_settings.PASSWORD_RESET_TIMEOUT <= 24 * 3600
    assert project_settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS <= 7
    assert project_settings.UNSUBSCRIBE_LINK_DAYS >= 60
