"""Signing abuse: the honeypot, per-IP limits, allow-lists and block-lists.

A signature that trips any of these is kept as "suspected fraud" (not counted, no email) rather than
refused, so a bot learns nothing from the page. IP addresses are only ever kept as keyed hashes.
Every rule is read through `signing_rules()`: staff edit them in the admin (SigningLimits,
NetworkRule, EmailDomainRule, first filled in from the settings), and every process reads them
through the shared cache, which saving in the admin clears.
"""

import hashlib
import hmac
import ipaddress
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.utils.crypto import salted_hmac
from django_redis.cache import RedisCache

from core.middleware import rate_limit_client

from .addresses import email_domain, normalise_email
from .signing_rules import Limit, Network, signing_rules


def signing_address(address: str) -> str:
    """The address as "one signature per mailbox" counts it: normalise_email with the admin's
    alias-insensitive domains (the rules in force), the one step of it that reads them."""
    return normalise_email(address, alias_insensitive_domains=signing_rules().alias_insensitive_domains)


def _hash_key() -> bytes:
    return _hash_key_from(settings.SIGNING_IP_HASH_SECRET, settings.SECRET_KEY)


@lru_cache(maxsize=4)
def _hash_key_from(secret: str, secret_key: str) -> bytes:
    # Derived once per process, not on every signing request.
    if secret:
        return secret.encode()
    return salted_hmac("rally.campaigns.ip-hash", "key", secret=secret_key).digest()


def ip_hash(ip_address: str) -> str:
    """A keyed hash of an IP address: enough to count and compare, never the address itself.

    HMAC-SHA256 rather than a slow password hash: it runs on every signing request, and the
    secret key, not the cost, is what stops anyone hashing all 2^32 IPv4 addresses."""
    if not ip_address:
        return ""
    return hmac.new(_hash_key(), ip_address.encode(), hashlib.sha256).hexdigest()


def _parse_ip(ip_address: str):
    try:
        return ipaddress.ip_address(ip_address)
    except ValueError:
        return None


def _in(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def _domain_blocked(domain: str, blocked: frozenset[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in blocked)


def _window_key(limit: Limit, hashed_ip: str, now: float) -> str:
    window = int(now // limit.window_seconds)
    return f"campaigns:signing:{limit.name}:{hashed_ip or 'unknown'}:{window}"


def _count_attempt(key: str, timeout: int) -> int | None:
    """Adds one to a counter that expires after `timeout`; returns the new count (None when the
    shared cache is down)."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # The key expired between add and incr: this is the window's first attempt.
        cache.set(key, 1, timeout=timeout)
        return 1


# _count_attempt for each key, in Redis itself: one command and one reply per signing request.
_COUNT_ATTEMPTS_LUA = """
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  counts[i] = redis.call('INCR', key)
end
return counts
"""
_count_attempts_script = None


def _count_attempts_in_redis(counters: list[tuple[str, int]]) -> list[int | None]:
    """_count_attempt for every counter in one round trip to Redis (django-redis's own incr is a
    round trip for the add and one for a Lua script, per counter, on every signing request)."""
    global _count_attempts_script
    backend = caches["default"]
    try:
        client = backend.client.get_client(write=True)
        if _count_attempts_script is None:
            _count_attempts_script = client.register_script(_COUNT_ATTEMPTS_LUA)
        keys = [backend.client.make_key(key) for key, _timeout in counters]
        replies = _count_attempts_script(keys=keys, args=[timeout for _key, timeout in counters], client=client)
    except redis.RedisError:
        return [None] * len(counters)
    return [int(count) for count in replies]


def _count_attempts(counters: list[tuple[str, int]]) -> list[int | None]:
    if isinstance(caches["default"], RedisCache):
        return _count_attempts_in_redis(counters)
    return [_count_attempt(key, timeout) for key, timeout in counters]


def _tripped_limits(limits: tuple[Limit, ...], hashed_ip: str) -> list[str]:
    """Counts this attempt in each limit's fixed window, shared by every web process (the cache);
    returns the names of the limits it goes over."""
    limits = tuple(limit for limit in limits if limit.count > 0)
    now = time.time()
    counts = _count_attempts([(_window_key(limit, hashed_ip, now), limit.window_seconds + 5) for limit in limits])
    tripped = []
    for limit, attempts in zip(limits, counts, strict=True):
        # With the shared cache down (no count), the honeypot, block-lists and the email
        # confirmation still stand, so signing stays open rather than failing.
        if isinstance(attempts, int) and attempts > limit.count:
            tripped.append(limit.name)
    return tripped


def signing_verdict(*, ip_address: str, email: str, honeypot: str = "", check_limits: bool = True) -> str:
    """Why this signing attempt is suspected fraud, or "" when it looks genuine.

    Every attempt is counted against the limits, including repeats from the same mailbox.
    """
    rules = signing_rules()
    if honeypot.strip():
        return "honeypot"
    address = _parse_ip(ip_address)
    if _in(address, rules.blocked_networks):
        return "blocked IP address"
    if _domain_blocked(email_domain(email), rules.blocked_email_domains):
        return "blocked email domain"
    if not check_limits or _in(address, rules.allowed_networks):
        return ""
    # Every limit is counted even when an earlier one tripped, so a sustained flood stays visible.
    # Counted per network for IPv6 (core.middleware.rate_limit_client), per address for IPv4.
    tripped = _tripped_limits(rules.limits, ip_hash(rate_limit_client(ip_address)))
    if tripped:
        return f"{tripped[0]} limit"
    return ""


def mp_lookup_allowed(ip_address: str) -> bool:
    """The action form's "Your MP" lookups: MP_LOOKUPS_PER_MINUTE per IP address, so the endpoint
    cannot be used to walk every postal code through our quota with Represent."""
    now = time.time()
    window = int(now // 60)
    client = ip_hash(rate_limit_client(ip_address)) or "unknown"  # an IPv6 client by its /64, as signing does
    [attempts] = _count_attempts([(f"campaigns:mp-lookup:{client}:{window}", 65)])
    return not isinstance(attempts, int) or attempts <= settings.MP_LOOKUPS_PER_MINUTE
