"""Public names (the signature list): plain text in normal form, never linked, never a web address."""

import pytest

from campaigns.forms import SignatureForm
from campaigns.models import Signature
from tests.accounts.factories import UserFactory

from .factories import SignatureFactory

pytestmark = pytest.mark.django_db

FIELDS = {"last_name": "Pereira", "email": "ana@example.org", "country": "CA", "postal_code": "K1A 0B1"}


def _form(action, first_name):
    return SignatureForm({**FIELDS, "first_name": first_name}, action=action)


@pytest.mark.parametrize(
    "name", ["ｅｘａｍｐｌｅ．ｃｏｍ", "some-shop.xyz", "evil.example.", "https://example.org", "www.example"]
)
def test_a_name_that_is_a_web_address_is_refused_with_a_clear_message(action, name):
    form = _form(action, name)
    assert not form.is_valid()
    assert form.errors["first_name"] == ["Names cannot contain web or email addresses."]


@pytest.mark.parametrize("name", ["Zoë", "Anne-Marie", "O'Brien", "J. R.", "Nguyễn", "李"])
def test_ordinary_names_are_taken(action, name):
    assert _form(action, name).is_valid()


def test_a_name_is_kept_in_its_normal_form(sign, action):
    sign(action, first_name="Ａｎａ", last_name="Ｐｅｒｅｉｒａ")
    signature = Signature.objects.get()
    assert (signature.first_name, signature.last_name) == ("Ana", "Pereira")


def test_the_profile_refuses_a_lookalike_address_too():
    from accounts.forms import ProfileForm

    user = UserFactory()
    form = ProfileForm({"first_name": "ｅｘａｍｐｌｅ．ｃｏｍ", "language": "en"}, user=user)
    assert form.errors["first_name"] == ["Names cannot contain web addresses."]


def test_the_signature_list_shows_names_as_plain_text_in_normal_form(client, action):
    # Taken before the form normalised names: shown normalised all the same, and never linked.
    SignatureFactory(
        action=action, first_name="ｅｘａｍｐｌｅ．ｃｏｍ", last_name="Ｚ", status=Signature.Status.CONFIRMED
    )
    SignatureFactory(
        action=action, first_name="<a href='https://x.example'>x</a>", last_name="Y", status=Signature.Status.CONFIRMED
    )

    html = client.get(f"/act/{action.slug}/signatures/").content.decode()

    assert "example.com Z." in html
    assert "ｅｘａｍｐｌｅ" not in html
    assert "href='https://x.example'" not in html and 'href="https://x.example"' not in html
    assert "&lt;a href=" in html
