import re

import pytest
from django.core import mail

from campaigns.models import Signature
from campaigns.services import counts_fold

from .factories import ActionFactory


@pytest.fixture
def action(db):
    return ActionFactory(slug="suspend-stca", title="Suspend the STCA")


@pytest.fixture
def sign(client, django_capture_on_commit_callbacks):
    """Posts the action form like a browser and runs what happens after commit (emails, folds)."""

    def post(action, *, url=None, client=client, ip="192.0.2.10", headers=None, **fields):
        data = {
            "first_name": "Ana",
            "last_name": "Pereira",
            "email": "ana@example.org",
            "country": "CA",
            "postal_code": "K1A 0B1",
            "website": "",
        }
        data.update(fields)
        data = {key: value for key, value in data.items() if value is not None}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url or f"/act/{action.slug}/", data, REMOTE_ADDR=ip, headers=headers or {})

    return post


def link_from(message, kind: str) -> str:
    """The path of the confirm or withdraw link in an email."""
    match = re.search(rf"http://testserver(/(?:en|fr)/act/{kind}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def confirm(client, django_capture_on_commit_callbacks):
    def do(message):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(link_from(message, "confirm"))

    return do


def counted(action) -> int:
    counts_fold()
    return Signature.objects.filter(action=action, status=Signature.Status.CONFIRMED).count()


def outbox_to(address):
    return [m for m in mail.outbox if m.to == [address]]
