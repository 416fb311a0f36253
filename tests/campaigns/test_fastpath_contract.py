"""The order of the middleware that the fast path (campaigns.fastpath) depends on: the settings keep
it, the start-up check refuses each way of breaking it, and leaving the fast path out is allowed."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from campaigns.fastpath import (
    ALLOWED_AHEAD,
    MIDDLEWARE,
    PAGE_CACHE,
    REQUIRED_AHEAD,
    SIGNING_LANE,
    middleware_order_errors,
    without_fast_path,
)

SECURITY = "django.middleware.security.SecurityMiddleware"
TRUSTED_PROXY = "core.middleware.TrustedProxyMiddleware"
# Each skipped by the fast path for the requests it answers: they must stay behind it.
BEHIND = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
)


def moved(name: str, *, before: str) -> list[str]:
    middleware = [entry for entry in settings.MIDDLEWARE if entry != name]
    middleware.insert(middleware.index(before), name)
    return middleware


def test_the_settings_keep_the_order():
    middleware = list(settings.MIDDLEWARE)
    assert middleware_order_errors(middleware) == []
    lane = middleware.index(SIGNING_LANE)
    assert middleware.index(PAGE_CACHE) + 1 == lane
    assert set(middleware[: middleware.index(PAGE_CACHE)]) <= set(ALLOWED_AHEAD)
    assert set(REQUIRED_AHEAD) <= set(middleware[: middleware.index(PAGE_CACHE)])
    assert set(BEHIND) <= set(middleware[lane + 1 :])


@pytest.mark.parametrize("name", REQUIRED_AHEAD)
@pytest.mark.parametrize("fast", MIDDLEWARE)
def test_what_must_run_first_cannot_move_behind(name, fast):
    middleware = [entry for entry in settings.MIDDLEWARE if entry != name]
    middleware.insert(middleware.index(fast) + 1, name)
    assert any(name in error for error in middleware_order_errors(middleware))


@pytest.mark.parametrize("name", REQUIRED_AHEAD)
def test_what_must_run_first_cannot_be_missing(name):
    middleware = [entry for entry in settings.MIDDLEWARE if entry != name]
    assert any(name in error for error in middleware_order_errors(middleware))


@pytest.mark.parametrize("name", BEHIND)
def test_what_the_fast_path_skips_cannot_move_ahead(name):
    assert any(name in error for error in middleware_order_errors(moved(name, before=PAGE_CACHE)))
    assert any(name in error for error in middleware_order_errors(moved(name, before=SIGNING_LANE)))


def test_a_new_middleware_ahead_of_it_is_refused_and_behind_it_allowed():
    new = "example.middleware.NewMiddleware"
    ahead = list(settings.MIDDLEWARE)
    ahead.insert(ahead.index(PAGE_CACHE), new)
    assert any(new in error for error in middleware_order_errors(ahead))
    assert middleware_order_errors([*settings.MIDDLEWARE, new]) == []


def test_half_a_fast_path_is_refused_and_none_allowed():
    assert middleware_order_errors([entry for entry in settings.MIDDLEWARE if entry != SIGNING_LANE])
    assert middleware_order_errors(without_fast_path(settings.MIDDLEWARE)) == []
    assert not set(MIDDLEWARE) & set(without_fast_path(settings.MIDDLEWARE))


def test_the_start_up_check_refuses_a_broken_order(settings):
    call_command("check")
    settings.MIDDLEWARE = moved("django.contrib.sessions.middleware.SessionMiddleware", before=PAGE_CACHE)
    with pytest.raises(SystemCheckError, match="campaigns.E001"):
        call_command("check")
