import pytest
from django.core import mail

from campaigns.models import Signature
from campaigns.selectors import action_count
from campaigns.tokens import WITHDRAW, signature_token
from tests.accounts.factories import UserFactory

from .conftest import counted, link_from
from .factories import ActionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_the_emailed_withdraw_link_asks_then_withdraws_and_the_count_goes_down(
    client, sign, confirm, action, django_capture_on_commit_callbacks
):
    sign(action)
    confirm(mail.outbox[0])
    assert action_count(action) == 1
    path = link_from(mail.outbox[0], "withdraw")
    page = client.get(path)
    assert "Withdraw my signature" in page.content.decode()
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path)
    assert "is withdrawn" in done.content.decode()
    assert Signature.objects.get().status == Signature.Status.WITHDRAWN
    assert action_count(action) == 0
    assert "Nothing to withdraw" in client.post(path).content.decode()
    assert action_count(action) == 0


def test_withdrawing_a_pending_signature_means_it_can_no_longer_be_confirmed(client, sign, confirm, action):
    sign(action)
    client.post(link_from(mail.outbox[0], "withdraw"))
    assert "was withdrawn" in confirm(mail.outbox[0]).content.decode()
    assert counted(action) == 0


def test_a_tampered_withdraw_link_gets_a_clear_page(client, action):
    signature = SignatureFactory(action=action)
    token = signature_token(signature_id=signature.pk, purpose=WITHDRAW)
    response = client.post(f"/act/withdraw/{token}x/")
    assert response.status_code == 400 and "does not work" in response.content.decode()
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_signing_again_after_withdrawing_starts_over(sign, confirm, client, action):
    sign(action)
    confirm(mail.outbox[0])
    client.post(link_from(mail.outbox[0], "withdraw"))
    sign(action)
    assert Signature.objects.get().status == Signature.Status.PENDING
    confirm(mail.outbox[-1])
    assert counted(action) == 1 and Signature.objects.count() == 1


def test_my_actions_lists_what_the_supporter_took_with_points(client, action):
    user = UserFactory(email="dana@example.org")
    other_action = ActionFactory(points=25, title="Take the pledge", kind="pledge", target="")
    SignatureFactory(action=action, user=user, email=user.email)
    SignatureFactory(action=other_action, user=user, email=user.email, status=Signature.Status.WITHDRAWN)
    # Signed before the account existed, with the same (verified) address: theirs too.
    SignatureFactory(action=ActionFactory(points=3), email="Dana@example.org")
    SignatureFactory(action=ActionFactory(title="Not mine"), email="someone@example.org")
    client.force_login(user)
    html = client.get("/my/actions/").content.decode()
    assert "Suspend the STCA" in html and "Take the pledge" in html
    assert "Not mine" not in html
    assert "You have earned 13 points." in html  # 10 + 3; the withdrawn one earns nothing
    assert "Withdrawn" in html and "Counted" in html


def test_my_actions_is_linked_from_the_nav_and_needs_a_sign_in(client):
    assert client.get("/my/actions/").status_code == 302
    client.force_login(UserFactory())
    assert 'href="/en/my/actions/"' in client.get("/").content.decode()


def test_withdraw_from_my_actions(client, action, django_capture_on_commit_callbacks):
    from campaigns.services import count_change

    user = UserFactory()
    signature = SignatureFactory(action=action, user=user, email=user.email)
    with django_capture_on_commit_callbacks(execute=True):
        count_change(signature=signature, delta=+1)
    assert action_count(action) == 1
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/my/actions/{signature.pk}/withdraw/")
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == Signature.Status.WITHDRAWN
    assert action_count(action) == 0
    assert "is withdrawn" in client.get("/my/actions/").content.decode()


def test_nobody_withdraws_someone_elses_signature(client, action):
    signature = SignatureFactory(action=action, user=UserFactory())
    client.force_login(UserFactory())
    assert client.post(f"/my/actions/{signature.pk}/withdraw/").status_code == 404
    assert client.get(f"/my/actions/{signature.pk}/withdraw/").status_code == 405
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
