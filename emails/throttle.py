"""A global sending rate: a token bucket in Redis shared by every worker.

Adding workers must never make Rally send faster than the mail provider allows, so the limit
cannot live in one worker's memory. Without Redis (the embedded default) there is one process
and no limit is applied.
"""

import time

from django.conf import settings

# KEYS[1]: bucket; ARGV: rate per second, burst, now (seconds). Returns seconds to wait (0 = go).
_TAKE_TOKEN = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('EXPIRE', KEYS[1], 60)
return tostring(wait)
"""

_script = None


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def acquire_send_token() -> None:
    """Blocks until the global bucket allows one more email (no-op when no rate is set)."""
    global _script
    rate = settings.EMAIL_RATE_PER_SECOND
    if not rate or not settings.REDIS_URL:
        return
    if _script is None:
        _script = _redis().register_script(_TAKE_TOKEN)
    burst = max(1, settings.EMAIL_RATE_BURST)
    while True:
        wait = float(_script(keys=["rally:email-rate"], args=[rate, burst, time.time()]))
        if wait <= 0:
            return
        time.sleep(min(wait, 1.0))
