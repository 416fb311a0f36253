"""Test settings: production's settings (DEBUG off) with fast hashing and in-memory mail.

The environment is filled in only where the caller left it empty, so `make test-services` can
point the same suite at PostgreSQL and Redis.
"""

import os

os.environ.setdefault("DEBUG", "off")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("DEFAULT_FROM_EMAIL", "Rally <rally@example.org>")
os.environ.setdefault("SECURE_SSL_REDIRECT", "off")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("RALLY_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

# With Redis (make test-services), every run and every xdist worker gets its own key prefix, so runs
# on one Redis database never see each other's cache entries or Celery queues. The Celery worker
# subprocesses inherit this environment and so land on the same prefix as their test process.
REDIS_TEST_PREFIX = "-".join(
    part
    for part in (os.environ.get("RALLY_TEST_REDIS_PREFIX", "rally-test"), os.environ.get("PYTEST_XDIST_WORKER"))
    if part
)
if os.environ.get("REDIS_URL"):
    os.environ["CACHE_KEY_PREFIX"] = f"{REDIS_TEST_PREFIX}-cache"

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False

if REDIS_URL:  # noqa: F405
    # cache.clear() would FLUSHDB a Redis database that other runs share: clear only our prefix.
    CACHES["default"]["BACKEND"] = "tests.cache.PrefixScopedRedisCache"  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"{REDIS_TEST_PREFIX}-celery:",
    }
