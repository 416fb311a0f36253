"""campaigns.fastpath.lane.SigningLaneMiddleware: a stateless anonymous supporter's valid signature is taken
before most of the middleware, and answered with the page the whole stack gave the first one."""

import pytest
from django.test import Client

from campaigns.models import Signature
from campaigns.services import action_close
from emails.models import OutboxEmail
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = {"origin": "http://testserver"}


def post(action, number, client=None, **fields):
    data = {"first_name": "Ana", "last_name": "P", "email": f"s{number}@example.org", "country": "CA", **fields}
    return (client or Client(headers=SITE)).post(f"/act/{action.slug}/", data, REMOTE_ADDR=f"192.0.2.{number}")


def test_the_lane_answers_as_the_whole_stack_did(action):
    first, second = post(action, 1), post(action, 2)  # the first is answered by the whole stack
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and "check your inbox" in second.content.decode().lower()
    assert dict(first.items()) == dict(second.items())  # every header (see also test_fastpath_parity)
    assert not second.cookies
    assert set(Signature.objects.values_list("email", flat=True)) == {"s1@example.org", "s2@example.org"}
    assert OutboxEmail.objects.count() == 2


def test_each_language_has_its_page_and_its_emails(action):
    french = Client(headers={**SITE, "accept-language": "fr"})
    post(action, 1, client=french)
    response = post(action, 2, client=french)
    assert response["Content-Language"] == "fr" and "boîte" in response.content.decode()
    assert Signature.objects.get(email="s2@example.org").language == "fr"
    assert post(action, 3)["Content-Language"] == "en"


@pytest.mark.parametrize("case", ["invalid", "closed", "foreign origin", "signed in"])
def test_anything_else_goes_through_the_whole_stack(action, case):
    post(action, 1)  # the lane now has the page
    if case == "invalid":
        response = post(action, 2, first_name="=cmd")
        assert response.status_code == 400 and "=cmd" in response.content.decode()
    elif case == "closed":
        action_close(action=action)  # this process's copy of the action still has it open
        response = post(action, 2)
        assert response.status_code == 409 and "was not recorded" in response.content.decode()
    elif case == "foreign origin":
        response = post(action, 2, client=Client(headers={"origin": "https://elsewhere.example"}))
        assert response.status_code == 403
    else:
        # Signed in: Django's CSRF check, and this post has no token.
        client = Client(enforce_csrf_checks=True, headers=SITE)
        client.force_login(UserFactory(email="s2@example.org"))
        assert post(action, 2, client=client).status_code == 403
        # A signed-in supporter's verified address counts at once (the test client skips the check).
        client = Client(headers=SITE)
        client.force_login(UserFactory(email="s3@example.org"))
        assert "your name is on it" in post(action, 3, client=client).content.decode()
    assert not Signature.objects.filter(email="s2@example.org").exists()


def test_a_host_not_in_allowed_hosts_is_refused_in_the_lane_and_nothing_is_written(action):
    post(action, 1)  # the lane now has the page
    response = Client(headers=SITE).post(
        f"/act/{action.slug}/",
        {"first_name": "Ana", "last_name": "P", "email": "s2@example.org", "country": "CA"},
        REMOTE_ADDR="192.0.2.2",
        HTTP_HOST="attacker.example",
    )
    assert response.status_code == 400
    assert not Signature.objects.filter(email="s2@example.org").exists()
    assert OutboxEmail.objects.count() == 1
