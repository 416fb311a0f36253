import re

from allauth.account.models import EmailAddress

from accounts.models import User
from tests.mailbox import delivered_mail


def test_changing_the_email_address_takes_effect_once_verified(supporter_client, supporter):
    old_email = supporter.email
    response = supporter_client.post("/accounts/email/", {"action_add": "", "email": "ana.new@example.org"})

    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.email == old_email, "nothing changes until the new address is confirmed"
    confirmation = next(message for message in delivered_mail() if message.to == ["ana.new@example.org"])
    link = re.search(r"https?://\S+", confirmation.body).group(0)
    assert link.startswith("http://testserver/")

    supporter_client.post(link.removeprefix("http://testserver"))

    supporter.refresh_from_db()
    assert supporter.email == "ana.new@example.org"
    assert list(EmailAddress.objects.filter(user=supporter).values_list("email", "verified", "primary")) == [
        ("ana.new@example.org", True, True)
    ]


def test_an_invalid_new_address_gets_a_message(supporter_client, supporter):
    response = supporter_client.post("/accounts/email/", {"action_add": "", "email": "not an email"})
    assert response.status_code == 200
    assert b'id="id_email_error"' in response.content
    assert b'value="not an email"' in response.content


def test_an_address_of_another_account_is_not_taken(supporter_client, supporter):
    other = User.objects.create_user("taken@example.org", "x")
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    supporter_client.post("/accounts/email/", {"action_add": "", "email": "taken@example.org"})
    supporter.refresh_from_db()
    assert supporter.email != "taken@example.org"
    # allauth stays enumeration-safe: the page reads as usual, only the owner of the address hears of it.
    assert EmailAddress.objects.get(user=other).verified
    assert not EmailAddress.objects.filter(user=supporter, email="taken@example.org", verified=True).exists()
    assert all(message.to == ["taken@example.org"] for message in delivered_mail())
