"""Fixtures shared by every test package.

tests/services.py adds the fixtures of tests marked `services` (a real Celery worker, an SMTP sink,
a private Redis); see its docstring.
"""

import pytest

pytest_plugins = ["tests.services", "tests.represent"]


@pytest.fixture
def client():
    """Django's test client, sending the site's Origin as a browser does with every form it posts:
    the forms of pages shared from the cache carry no CSRF token, and their views check it."""
    from django.test import Client

    return Client(headers={"Origin": "http://testserver"})


@pytest.fixture(autouse=True)
def _english_to_start():
    """Each test starts in English: a French request of the test before leaves its language active
    in the thread, and a translated field given without a language is written in the active one."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from tests.cache import forget_cached

    forget_cached()
    yield
    forget_cached()


@pytest.fixture(autouse=True)
def _celery_eager_unless_services(request):
    """Tests not marked `services` run tasks in-process, under make test-services too.

    Nothing consumes the queue for them, so the same test passes on both runs. Tests marked
    `services` keep the real broker (when REDIS_URL is set) and ask for celery_worker_process.
    """
    if request.node.get_closest_marker("services"):
        yield
        return
    from tests.services import set_celery_eager

    previous = set_celery_eager(True)
    yield
    set_celery_eager(previous)
