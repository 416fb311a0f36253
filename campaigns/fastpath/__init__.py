"""The fast path: two middlewares that answer a stateless anonymous visitor (no session cookie, no
messages cookie, no query string) before most of the stack, with what the whole stack would have
answered.

- page_cache.ActionPageCacheMiddleware: a GET of a shared page (an action page, the home page, the
  campaign list), from the cache;
- lane.SigningLaneMiddleware: a valid signature posted to an action page, taken by the same steps
  as the view's (campaigns.signing) and answered with the page the whole stack gave the first.

That promise is kept by tests/campaigns/test_fastpath_parity.py (the same requests down both roads),
and it rests on where the two sit among the middleware, which middleware_order_errors states and
a system check enforces at start-up (checks.py):
- AHEAD of them: SecurityMiddleware (the HTTPS redirect and its headers, for both roads alike)
  and TrustedProxyMiddleware (the client's address, which the lane's per-IP limits read); and
  WhiteNoise, which answers only static files. Nothing else: what runs ahead runs for both roads,
  and a new middleware there would have to be proven to act the same on both.
- BEHIND them: everything else (session, locale, CSRF, authentication, messages, clickjacking,
  CSP, allauth...). The fast path skips those for the requests it answers, which is only right
  because they do nothing for such a visitor but add headers, and the headers they add are in
  the page the fast path keeps (taken from the whole stack's answer, at the fast path's place).
Settings turn the fast path off by leaving both out of MIDDLEWARE (FAST_PATH=off).
"""

PAGE_CACHE = "campaigns.fastpath.page_cache.ActionPageCacheMiddleware"
SIGNING_LANE = "campaigns.fastpath.lane.SigningLaneMiddleware"
MIDDLEWARE = (PAGE_CACHE, SIGNING_LANE)

# Required ahead of the fast path.
REQUIRED_AHEAD = (
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.TrustedProxyMiddleware",
)
# May also run ahead of it: it answers nothing the fast path answers, and changes nothing of theirs.
ALLOWED_AHEAD = (*REQUIRED_AHEAD, "whitenoise.middleware.WhiteNoiseMiddleware")


def without_fast_path(middleware) -> list[str]:
    """MIDDLEWARE with the fast path left out: every request goes the whole way."""
    return [name for name in middleware if name not in MIDDLEWARE]


def middleware_order_errors(middleware) -> list[str]:
    """What, in this MIDDLEWARE, breaks the order the fast path depends on (see above); none when
    the fast path is left out altogether."""
    middleware = list(middleware)
    present = [name for name in MIDDLEWARE if name in middleware]
    if not present:
        return []
    errors = [f"{name} is missing: the fast path is on only with both." for name in MIDDLEWARE if name not in present]
    first = min(middleware.index(name) for name in present)
    last = max(middleware.index(name) for name in present)
    for name in REQUIRED_AHEAD:
        if name not in middleware[:first]:
            errors.append(f"{name} must come before the fast path ({', '.join(present)}).")
    for name in middleware[:first]:
        if name not in ALLOWED_AHEAD:
            errors.append(f"{name} must come after the fast path: ahead of it, it would act on one road only.")
    for name in middleware[first : last + 1]:
        if name not in MIDDLEWARE:
            errors.append(f"{name} sits between the fast path's two middlewares.")
    return errors
