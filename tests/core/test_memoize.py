import pytest
from django.template import Context, Engine, TemplateSyntaxError
from django.test import Client

from tests.accounts.factories import UserFactory

ENGINE = Engine(libraries={"memoize": "core.templatetags.memoize"})


def test_the_content_is_rendered_once_per_combination_of_values():
    template = ENGINE.from_string("{% load memoize %}{% memoize language %}{{ render }}{% endmemoize %}")
    rendered = []

    def render():
        rendered.append(1)
        return f"rendering {len(rendered)}"

    assert template.render(Context({"language": "en", "render": render})) == "rendering 1"
    assert template.render(Context({"language": "en", "render": render})) == "rendering 1"
    assert template.render(Context({"language": "fr", "render": render})) == "rendering 2"
    assert len(rendered) == 2


@pytest.mark.parametrize("value", ["someone@example.org and more", {"a": 1}, 42])
def test_only_short_text_booleans_and_none_can_be_keys(value):
    template = ENGINE.from_string("{% load memoize %}{% memoize value %}x{% endmemoize %}")
    with pytest.raises(TemplateSyntaxError):
        template.render(Context({"value": value}))


def test_a_block_cannot_be_memoized():
    with pytest.raises(TemplateSyntaxError):
        ENGINE.from_string("{% load memoize %}{% memoize %}{% block title %}x{% endblock %}{% endmemoize %}")


@pytest.mark.django_db
def test_the_page_chrome_follows_the_language_and_who_is_signed_in():
    anonymous = Client().get("/tracker/").content.decode()
    french = Client().get("/tracker/", headers={"accept-language": "fr"}).content.decode()
    supporter = Client()
    supporter.force_login(UserFactory())
    signed_in = supporter.get("/tracker/").content.decode()
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    staff_page = staff.get("/tracker/").content.decode()

    assert "Sign in" in anonymous and "Sign out" not in anonymous
    assert 'lang="fr"' in french and 'value="fr" selected' in french
    assert "Sign out" in signed_in and "Sign in" not in signed_in and 'href="/admin/"' not in signed_in
    assert 'href="/admin/"' in staff_page
    # Anonymous again, after the others: what they saw was not kept for everyone.
    again = Client().get("/tracker/").content.decode()
    assert "Sign out" not in again and 'value="en" selected' in again
