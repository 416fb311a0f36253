"""The Redis cache for test runs that share a Redis database with other runs (make test-services), and
forgetting everything cached, which each test starts from."""

from django_redis.cache import RedisCache, omit_exception
from django_redis.client.default import glob_escape


class PrefixScopedRedisCache(RedisCache):
    """clear() deletes this run's keys only, whatever their version; django-redis's own is FLUSHDB."""

    @omit_exception
    def clear(self):
        client = self.client.get_client(write=True)
        keys = list(client.scan_iter(match=f"{glob_escape(self.key_prefix)}:*", count=1000))
        if keys:
            client.delete(*keys)


def forget_cached() -> None:
    """The shared cache and every copy this process keeps, as a new deployment starts."""
    from django.core.cache import cache

    from campaigns.signing_rules import forget_signing_rules
    from core.process_copies import forget_process_copies
    from emails.services import forget_dispatch_window

    cache.clear()
    forget_signing_rules()  # and each thread's copy of them
    forget_process_copies()
    forget_dispatch_window()
