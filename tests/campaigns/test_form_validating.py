"""SignatureForm.validating: a post is validated with fields shared by every such form."""

import pytest
from django.utils import translation

from campaigns.forms import SignatureForm
from campaigns.models import Action

pytestmark = pytest.mark.django_db

POST = {"first_name": "Ana", "last_name": "Pereira", "email": " ana@example.org ", "country": "CA"}


@pytest.mark.parametrize(
    "data",
    [POST, {**POST, "email": "not an address", "first_name": "=1+1"}, {**POST, "country": "ZZ"}, {}],
)
def test_it_validates_as_the_form_it_stands_for(action, data):
    shared, own = SignatureForm.validating(data, action=action), SignatureForm(data, action=action)
    assert shared.is_valid() == own.is_valid()
    assert shared.errors == own.errors
    if own.is_valid():
        assert shared.signature_details() == own.signature_details()


def test_its_fields_follow_the_action_and_the_language(action):
    first = SignatureForm.validating(POST, action=action)
    assert SignatureForm.validating(POST, action=action).fields["email"] is first.fields["email"]
    with translation.override("fr"):
        assert SignatureForm.validating(POST, action=action).fields["email"] is not first.fields["email"]
    action.ask_postal_code = Action.Field.REQUIRED
    action.save()
    changed = SignatureForm.validating(POST, action=action)
    assert not changed.is_valid() and "postal_code" in changed.errors


def test_rendering_a_form_leaves_the_shared_fields_as_they_were(client, action):
    shared = SignatureForm.validating(POST, action=action).fields
    attrs = {name: dict(field.widget.attrs) for name, field in shared.items()}
    for _ in range(2):  # an invalid post renders its own form, with the errors
        response = client.post(f"/act/{action.slug}/", {**POST, "email": "nope"})
        assert response.status_code == 400 and "nope" in response.content.decode()
    assert {name: dict(field.widget.attrs) for name, field in shared.items()} == attrs
