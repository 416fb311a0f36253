"""The fast path (campaigns.fastpath) answers as the whole stack does: the same requests, in the same
order, go once down each road (the fast path on, then left out of MIDDLEWARE), and each pair of
answers has the same status, headers and body (the CSRF token and the CSP nonce aside), and each
leaves the same rows written. The fast road must really have answered the requests it is meant to
(a request it answered never reached the session middleware), else the test would prove nothing.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from campaigns.fastpath import without_fast_path
from campaigns.services import action_close
from tests.accounts.factories import UserFactory
from tests.cache import forget_cached

from .factories import ActionFactory, CampaignFactory
from .rows import signing_rows

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
SIGNED_IN = "signed-in@example.org"


@dataclass(frozen=True)
class Visit:
    method: str
    visitor: str = "anonymous"  # or "session" (a session cookie, not signed in), or "signed in"
    email: str = ""  # a POST's address; none for a GET or HEAD
    fields: dict = field(default_factory=dict)
    query: str = ""
    origin: str = SITE
    close_first: bool = False
    fast: bool = False  # answered by the fast path on its road

    def data(self) -> dict:
        return {"first_name": "Ana", "last_name": "P", "email": self.email, "country": "CA", **self.fields}


VISITS = [
    Visit("get"),  # the whole stack renders the page, the fast road keeps it
    Visit("get", fast=True),
    Visit("head"),
    Visit("get", query="ref=newsletter"),
    Visit("get", visitor="session"),
    Visit("get", visitor="signed in"),
    Visit("post", email="first@example.org"),  # the whole stack answers, the lane keeps its page
    Visit("post", email="second@example.org", fast=True),
    Visit("post", email="opted-in@example.org", fields={"opt_in": "on", "postal_code": "K1A 0B1"}, fast=True),
    Visit("post", email="second@example.org", fast=True),  # already signed, pending: sent again
    Visit("post", email="bot@example.org", fields={"website": "https://spam.example"}, fast=True),  # honeypot
    Visit("post", email="not an address"),  # invalid
    Visit("post", email="invalid@example.org", fields={"first_name": "=cmd"}),
    Visit("post", email="foreign@example.org", origin="https://elsewhere.example"),
    Visit("post", email="query@example.org", query="ref=newsletter"),
    Visit("post", visitor="session", email="session@example.org"),
    Visit("post", visitor="signed in", email=SIGNED_IN),  # a verified address: counts at once
    Visit("post", email=SIGNED_IN, fast=True),  # already signed and confirmed
    Visit("get"),  # the count changed: the page is rendered again
    Visit("get", fast=True),
    Visit("post", email="late@example.org", close_first=True),  # closed meanwhile
    Visit("get"),
    Visit("get", fast=True),
    Visit("head"),
]

_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+|(nonce[=-]"?)[A-Za-z0-9+/=_-]+')


def _without_tokens(text: str) -> str:
    return _TOKEN.sub(lambda match: (match.group(1) or match.group(2)) + "…", text)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict
    cookies: dict
    body: str
    rows: dict
    fast: bool


def answer(response) -> Answer:
    cookies = {name: {**morsel, "value": "…", "expires": "…"} for name, morsel in response.cookies.items()}
    return Answer(
        status=response.status_code,
        headers={name: _without_tokens(value) for name, value in response.items()},
        cookies=cookies,
        body=_without_tokens(response.content.decode()),
        rows=signing_rows(),
        # Every request the whole stack answers goes through the session middleware.
        fast=not hasattr(response.wsgi_request, "session"),
    )


def client_for(visit: Visit, language: str, user) -> Client:
    client = Client(headers={"origin": visit.origin, "accept-language": language})
    if visit.visitor == "session":
        client.session  # noqa: B018 - a new session, and its cookie in the client
    elif visit.visitor == "signed in":
        client.force_login(user)
    return client


def walk(language: str, *, fast: bool, capture, prefix: str = "") -> list[Answer]:
    """Every visit, in order, down one road; what they wrote is undone afterwards."""
    forget_cached()
    middleware = settings.MIDDLEWARE if fast else without_fast_path(settings.MIDDLEWARE)
    answers = []
    with override_settings(MIDDLEWARE=middleware), transaction.atomic():
        # Named, not numbered by the factories' sequences, which go on counting between roads; made
        # in English on both roads (the first road's French requests leave French active, and a
        # text given without a language is written in the active one too).
        with translation.override(settings.LANGUAGE_CODE):
            campaign = CampaignFactory(slug="parity-campaign", title="Parity campaign")
            action = ActionFactory(campaign=campaign, slug="parity", title="Parity")
            user = UserFactory(email=SIGNED_IN, first_name="Sam", last_name="Signed")
        for number, visit in enumerate(VISITS):
            client = client_for(visit, language, user)
            path = f"{prefix}/act/{action.slug}/" + (f"?{visit.query}" if visit.query else "")
            # What runs after a commit (emails handed over, counts folded, pages forgotten) runs
            # after each request, as it would after the request's own transaction.
            with capture(execute=True):
                if visit.close_first:
                    action_close(action=action)
                if visit.method == "post":
                    response = client.post(path, visit.data(), REMOTE_ADDR=f"192.0.2.{number + 1}")
                else:
                    response = getattr(client, visit.method)(path)
            answers.append(answer(response))
        transaction.set_rollback(True)
    forget_cached()
    return answers


# (the browser's language, the address's prefix): unprefixed, the browser's language decides; at
# /fr/ or /en/ (core.languages) the prefix does, here against the browser's.
@pytest.mark.parametrize(("language", "prefix"), [("en", ""), ("fr", ""), ("en", "/fr"), ("fr", "/en")])
def test_the_fast_path_answers_as_the_whole_stack(language, prefix, django_capture_on_commit_callbacks):
    fast = walk(language, fast=True, capture=django_capture_on_commit_callbacks, prefix=prefix)
    whole = walk(language, fast=False, capture=django_capture_on_commit_callbacks, prefix=prefix)
    for visit, by_fast, by_whole in zip(VISITS, fast, whole, strict=True):
        assert by_fast.fast == visit.fast, visit
        assert not by_whole.fast, visit
        assert (by_fast.status, by_fast.headers, by_fast.cookies) == (
            by_whole.status,
            by_whole.headers,
            by_whole.cookies,
        ), visit
        assert by_fast.body == by_whole.body, visit
        assert by_fast.rows == by_whole.rows, visit
    # The walk went where it meant to: pages in the language asked for, or the prefix's (a
    # signed-in supporter gets their own preference's where there is no prefix), every kind of answer.
    anonymous = [answer for visit, answer in zip(VISITS, fast, strict=True) if visit.visitor != "signed in"]
    assert {answer.headers.get("Content-Language") for answer in anonymous} == {prefix.strip("/") or language}
    assert {answer.status for answer in fast} == {200, 400, 403, 409}
    final = fast[-1].rows
    assert {row[1] for row in final["signatures"]} == {"pending", "confirmed", "fraud"}
    assert len(final["consent"]) == 1 and any(row[1].startswith("already-signed") for row in final["outbox"])
