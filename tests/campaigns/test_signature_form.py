"""SignatureForm is an ordinary form, built for each request: nothing of one form is another's."""

import pytest

from campaigns.forms import SignatureForm
from campaigns.models import Action

pytestmark = pytest.mark.django_db

POST = {"first_name": "Ana", "last_name": "Pereira", "email": " ana@example.org ", "country": "CA"}


def test_each_form_has_fields_and_widgets_of_its_own(action):
    first, second = SignatureForm(POST, action=action), SignatureForm(POST, action=action)
    for name, field in first.fields.items():
        assert field is not second.fields[name] and field.widget is not second.fields[name].widget
    first.fields["email"].widget.attrs["class"] = "is-invalid"
    assert "class" not in SignatureForm(POST, action=action).fields["email"].widget.attrs


def test_its_fields_follow_the_action_as_it_is_now(action):
    assert SignatureForm(POST, action=action).is_valid()
    action.ask_postal_code = Action.Field.REQUIRED
    action.save()
    changed = SignatureForm(POST, action=action)
    assert not changed.is_valid() and "postal_code" in changed.errors


def test_an_invalid_post_renders_its_errors_and_leaves_the_next_form_clean(client, action):
    for _ in range(2):
        response = client.post(f"/act/{action.slug}/", {**POST, "email": "nope"})
        assert response.status_code == 400 and "nope" in response.content.decode()
    assert SignatureForm(POST, action=action).is_valid()
