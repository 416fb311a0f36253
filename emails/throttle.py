"""A global sending rate: a token bucket in Redis shared by every worker.

Adding workers must never make Rally send faster than the mail provider allows, so the limit
cannot live in one worker's memory. Without Redis (the embedded default) there is one process
and no limit is applied.
"""

import time

import redis
from django.conf import settings

# KEYS[1]: bucket; ARGV: rate per second, burst. Returns seconds to wait (0 = go). The clock is
# Redis's own, so workers on machines whose clocks disagree still share one rate.
_TAKE_TOKEN = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 60)
return tostring(wait)
"""

_scripts: dict = {}


class ThrottleUnavailable(Exception):
    """The shared bucket cannot be reached: sending waits rather than ignore the provider's limit."""


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def acquire_send_token() -> None:
    """Blocks until the global bucket allows one more email (no-op when no rate is set)."""
    rate = settings.EMAIL_RATE_PER_SECOND
    if not rate or not settings.REDIS_URL:
        return

    burst = max(1, settings.EMAIL_RATE_BURST)
    try:
        script = _scripts.get(settings.REDIS_URL)
        if script is None:
            script = _scripts[settings.REDIS_URL] = _redis().register_script(_TAKE_TOKEN)
        while True:
            wait = float(script(keys=[settings.EMAIL_RATE_BUCKET_KEY], args=[rate, burst]))
            if wait <= 0:
                return
            time.sleep(min(wait, 1.0))
    except redis.RedisError as error:
        raise ThrottleUnavailable(f"sending rate limiter unavailable: {error}") from error
