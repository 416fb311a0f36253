"""Rows written in bursts share drain tasks (emails.services.outbox_dispatch_soon)."""

import pytest

from emails import services


@pytest.fixture
def published(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "emails.tasks.deliver_outbox.apply_async", lambda **options: calls.append(options), raising=True
    )
    return calls


def test_one_drain_per_window_and_per_batch_of_rows(published, settings):
    settings.EMAIL_DELIVERY_BATCH_SIZE = 100
    for _row in range(100):
        services.outbox_dispatch_soon()
    assert len(published) == 1
    # Due after the window closed: after the commit of every row that found it open.
    assert published[0]["kwargs"] == {"ids": None}
    assert published[0]["countdown"] > services.DISPATCH_SOON_WINDOW_SECONDS
    services.outbox_dispatch_soon()  # the 101st row of the window: a batch more to drain
    assert len(published) == 2


def test_the_next_window_asks_again(published, monkeypatch):
    from django.core.cache import cache

    services.outbox_dispatch_soon()
    later = services.time.monotonic() + services.DISPATCH_SOON_WINDOW_SECONDS
    monkeypatch.setattr(services.time, "monotonic", lambda: later)
    cache.delete(services.DISPATCH_SOON_KEY)  # what the window's end does on its own
    services.outbox_dispatch_soon()
    assert len(published) == 2


def test_a_window_open_in_another_process_covers_this_one(published):
    """Its drain comes after this window closes too: one publish for both."""
    from django.core.cache import cache

    cache.set(services.DISPATCH_SOON_KEY, 1, timeout=services.DISPATCH_SOON_WINDOW_SECONDS)
    services.outbox_dispatch_soon()
    assert published == []


def test_an_unreachable_cache_still_asks_for_a_drain(published, monkeypatch):
    class Unreachable:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr("django.core.cache.caches", {"default": Unreachable()})
    services.outbox_dispatch_soon()
    assert len(published) == 1


def test_a_broker_outage_leaves_the_rows_to_the_sweeper(monkeypatch):
    def refuse(**options):
        raise ConnectionError("broker down")

    monkeypatch.setattr("emails.tasks.deliver_outbox.apply_async", refuse)
    services.outbox_dispatch_soon()  # no exception reaches the signing request
