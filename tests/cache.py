"""The Redis cache for test runs that share a Redis database with other runs (make test-services)."""

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
