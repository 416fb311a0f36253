"""Every admin page loads static/js/admin-labels.js, which names the fields Django leaves unnamed
(what it does in a browser is tested by the admin flows in tests/e2e)."""

import pytest
from django.contrib.staticfiles import finders

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/campaigns/campaign/add/", "/admin/tracker/development/add/"])
def test_admin_pages_load_the_labelling_script_and_keep_rallys_header(client, settings, path):
    settings.ADMIN_REQUIRES_MFA = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(path).content.decode()

    assert '<script src="/static/js/admin-labels.js" defer></script>' in page
    assert ">Rally administration</a>" in page
    assert "| Rally admin</title>" in page


def test_the_labelling_script_is_a_static_file():
    assert finders.find("js/admin-labels.js")
