from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Action, Signature
from campaigns.selectors import action_count
from campaigns.services import (
    ConfirmOutcome,
    action_close,
    signature_confirm,
    signatures_expire,
)
from campaigns.tasks import expire_signatures
from campaigns.tokens import CONFIRM, WITHDRAW, signature_token

from .conftest import counted, link_from
from .factories import SignatureFactory

pytestmark = pytest.mark.django_db


def pending(action, **fields):
    fields.setdefault("expires_at", timezone.now() + timedelta(days=14))
    return SignatureFactory(action=action, status=Signature.Status.PENDING, confirmed_at=None, **fields)


def test_a_tampered_token_gets_a_clear_page_and_changes_nothing(client, action):
    signature = pending(action)
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    flipped = token[:10] + ("B" if token[10] == "A" else "A") + token[11:]
    for bad in [token[:-2] + "xx", "nonsense", flipped, token[:20], "%00"]:
        response = client.post(f"/act/confirm/{bad}/")
        assert response.status_code == 400
        assert "does not work" in response.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING


def test_a_withdraw_token_does_not_confirm(client, action):
    signature = pending(action)
    token = signature_token(signature_id=signature.pk, purpose=WITHDRAW)
    assert client.post(f"/act/confirm/{token}/").status_code == 400
    assert signature_confirm(token=token).outcome == ConfirmOutcome.INVALID


def test_a_token_for_a_missing_signature_is_invalid(client):
    token = signature_token(signature_id=999999, purpose=CONFIRM)
    assert client.get(f"/act/confirm/{token}/").status_code == 400


def test_unconfirmed_signatures_expire_after_the_configured_time(settings, sign, client, action):
    settings.SIGNATURE_CONFIRMATION_DAYS = 3
    sign(action)
    signature = Signature.objects.get()
    assert timedelta(days=2, hours=23) < signature.expires_at - timezone.now() <= timedelta(days=3)
    assert signatures_expire(now=timezone.now() + timedelta(days=2)) == 0
    assert signatures_expire(now=timezone.now() + timedelta(days=3, minutes=1)) == 1
    signature.refresh_from_db()
    assert signature.status == Signature.Status.EXPIRED
    response = client.post(link_from(mail.outbox[0], "confirm"))
    assert "expired" in response.content.decode()
    assert counted(action) == 0


def test_expiry_runs_in_bounded_batches(action):
    past = timezone.now() - timedelta(seconds=1)
    for _ in range(7):
        pending(action, expires_at=past)
    pending(action)  # not yet due
    assert signatures_expire(batch_size=2, max_batches=2) == 4
    assert expire_signatures() == 3
    assert Signature.objects.filter(status=Signature.Status.EXPIRED).count() == 7
    assert Signature.objects.filter(status=Signature.Status.PENDING).count() == 1


def test_a_link_past_expiry_is_expired_even_before_the_task_runs(action):
    signature = pending(action)
    Signature.objects.filter(pk=signature.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    result = signature_confirm(token=signature_token(signature_id=signature.pk, purpose=CONFIRM))
    assert result.outcome == ConfirmOutcome.EXPIRED
    signature.refresh_from_db()
    assert signature.status == Signature.Status.EXPIRED


def test_signing_again_after_expiry_starts_over(sign, confirm, action):
    sign(action)
    Signature.objects.update(status=Signature.Status.EXPIRED)
    sign(action)
    assert Signature.objects.get().status == Signature.Status.PENDING
    confirm(mail.outbox[-1])
    assert counted(action) == 1


def test_a_confirmation_within_24_hours_after_closing_still_counts(django_capture_on_commit_callbacks, action):
    signature = pending(action)
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    action_close(action=action, closed_at=timezone.now() - timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        assert signature_confirm(token=token).outcome == ConfirmOutcome.CONFIRMED
    assert action_count(action) == 1


def test_a_confirmation_later_than_24_hours_after_closing_does_not_count(client, action):
    signature = pending(action)
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    action_close(action=action, closed_at=timezone.now() - timedelta(hours=25))
    response = client.post(f"/act/confirm/{token}/")
    assert "has closed" in response.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
    assert counted(action) == 0


def test_the_grace_also_runs_from_the_end_date(action):
    Action.objects.filter(pk=action.pk).update(closes_at=timezone.now() - timedelta(hours=30))
    signature = pending(action)
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    assert signature_confirm(token=token).outcome == ConfirmOutcome.CLOSED


def test_confirm_page_says_what_happened_to_a_withdrawn_signature(client, action):
    signature = pending(action)
    Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.WITHDRAWN)
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    assert "was withdrawn" in client.get(f"/act/confirm/{token}/").content.decode()
    assert "was withdrawn" in client.post(f"/act/confirm/{token}/").content.decode()


def test_the_confirmation_email_carries_confirm_and_withdraw_links_from_site_url(sign, action):
    sign(action)
    [message] = mail.outbox
    assert "http://testserver/en/act/confirm/" in message.body
    assert "http://testserver/en/act/withdraw/" in message.body
    assert "Suspend the STCA" in message.subject
    html = message.alternatives[0][0]
    assert "/act/confirm/" in html


def test_the_confirmation_page_is_one_shared_page_for_anonymous_supporters(action, django_assert_max_num_queries):
    from django.test import Client

    first, second = (signature_token(signature_id=pending(action).pk, purpose=CONFIRM) for _ in range(2))
    pages = [Client().get(f"/act/confirm/{token}/") for token in (first, second)]
    # The same page but for the visitor's own address (the language switcher sends them back to it).
    assert pages[0].content.decode().replace(first, "TOKEN") == pages[1].content.decode().replace(second, "TOKEN")
    assert f'name="next" type="hidden" value="/act/confirm/{first}/"' in pages[0].content.decode()
    for page in pages:
        assert "Confirm my signature" in page.content.decode() and action.title in page.content.decode()
        assert "csrfmiddlewaretoken" not in page.content.decode()
        assert not page.cookies
    third = signature_token(signature_id=pending(action).pk, purpose=CONFIRM)
    with django_assert_max_num_queries(1):  # the signature's state; the page comes from the cache
        assert Client().get(f"/act/confirm/{third}/").status_code == 200


def test_the_link_confirms_without_a_csrf_token_because_the_link_is_the_credential(action):
    from django.test import Client

    signature = pending(action)
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/act/confirm/{token}/")
    response = browser.post(f"/act/confirm/{token}/")
    assert response.status_code == 200 and "your signature counts" in response.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    # The page after confirming is shared too, and says it again the second time.
    assert "Already confirmed" in Client().post(f"/act/confirm/{token}/").content.decode()


def test_a_shared_page_escapes_the_address_put_in_its_slot():
    from campaigns import fragments

    html = fragments.with_path(f'<input name="next" value="{fragments.PATH_SLOT}">', '/act/confirm/"><script>/')
    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_a_suspected_fraud_signature_gets_the_link_does_not_work_page(client, action):
    signature = pending(action)
    Signature.objects.filter(pk=signature.pk).update(status=Signature.Status.FRAUD)
    token = signature_token(signature_id=signature.pk, purpose=CONFIRM)
    for response in (client.get(f"/act/confirm/{token}/"), client.post(f"/act/confirm/{token}/")):
        assert response.status_code == 400 and "does not work" in response.content.decode()
    assert Signature.objects.get(pk=signature.pk).status == Signature.Status.FRAUD


def test_a_signed_in_supporter_gets_a_page_of_their_own(client, action):
    from tests.accounts.factories import UserFactory

    client.force_login(UserFactory())
    token = signature_token(signature_id=pending(action).pk, purpose=CONFIRM)
    html = client.get(f"/act/confirm/{token}/").content.decode()
    assert "Confirm my signature" in html and "My actions" in html


def test_confirming_a_petition_is_one_update_and_one_insert_and_counts_once(action, django_assert_max_num_queries):
    from django.test import Client

    from campaigns.models import CountDelta

    token = signature_token(signature_id=pending(action, country="CA", region="ON").pk, purpose=CONFIRM)
    Client().post(f"/act/confirm/{token}/")  # the shared page after confirming is now cached
    token = signature_token(signature_id=pending(action, country="CA", region="QC").pk, purpose=CONFIRM)
    # The conditional UPDATE and the count's +1 (and here, inside the test's transaction, the
    # savepoint and its release); the page comes from the cache.
    with django_assert_max_num_queries(4):
        assert "your signature counts" in Client().post(f"/act/confirm/{token}/").content.decode()
    assert list(CountDelta.objects.filter(region="QC").values_list("action_id", "country", "delta")) == [
        (action.pk, "CA", 1)
    ]
    assert "Already confirmed" in Client().post(f"/act/confirm/{token}/").content.decode()
    assert CountDelta.objects.filter(region="QC").count() == 1
