"""Rally's settings, read from the environment with django-environ (docs/operations.md says what each one trades).

The defaults are the embedded, one-machine ones (SQLite, eager Celery, mail written to files);
production secrets have no default, so a misconfigured server refuses to start.
"""

from pathlib import Path
from secrets import token_urlsafe

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.release import code_release

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the embedded default writes lives here; it is git-ignored.
VAR_DIR = Path(env.str("RALLY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _dev_secret_key() -> str:
    """A key generated once into var/, so that sessions survive restarts of `make run`."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="") or _dev_secret_key()
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
    SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
    DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rally <rally@example.org>")
else:
    # No fallbacks in production: a missing secret must stop the server, not weaken it.
    SECRET_KEY = env.str("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    SITE_URL = env.str("SITE_URL", default="")
    DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="")
    _missing = [
        name
        for name, value in [
            ("SECRET_KEY", SECRET_KEY),
            ("ALLOWED_HOSTS", ALLOWED_HOSTS),
            ("SITE_URL", SITE_URL),
            ("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"With DEBUG off, these environment variables are required: {', '.join(_missing)}")

SITE_URL = SITE_URL.rstrip("/")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Rally admins", address) for address in env.list("ADMIN_EMAILS", default=[])]

# The organisation named in every bulk email (Canada's anti-spam law asks for a postal address).
ORGANISATION_NAME = env.str("ORGANISATION_NAME", default="Rally demo organisation")
ORGANISATION_POSTAL_ADDRESS = env.str(
    "ORGANISATION_POSTAL_ADDRESS", default="123 Example Street, Ottawa, ON K1A 0A1, Canada"
)

INSTALLED_APPS = [
    # Before the admin, which it patches for translated fields (campaigns/translation.py).
    "modeltranslation",
    "core.apps.RallyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "anymail",
    "django_celery_beat",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "django_countries",
    "core",
    "accounts",
    "emails",
    "campaigns",
    "tracker",
    "pages",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.TrustedProxyMiddleware",
    # The fast path (campaigns/fastpath): before the session, authentication and the rest, a
    # shared page is one cache read, and an anonymous supporter's valid signature skips them too.
    "campaigns.fastpath.page_cache.ActionPageCacheMiddleware",
    "campaigns.fastpath.lane.SigningLaneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # After the supporter's preference: an API client's ?lang=fr wins (api/languages.py).
    "api.languages.ApiLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Off: every request goes through the whole stack (the fast path promises the same answers).
if not env.bool("FAST_PATH", default=True):
    MIDDLEWARE = [name for name in MIDDLEWARE if not name.startswith("campaigns.fastpath.")]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.site",
            ],
            "libraries": {"memoize": "core.templatetags.memoize"},
        },
    },
]

# Database: SQLite under var/ by default, PostgreSQL (psycopg2) in production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock up front so
    # that concurrent requests wait for it instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling, each transaction may run on another server session, so
# nothing may rely on the session's state. On, Rally relies on none: delivery's outcome UPDATE is
# not a prepared statement (PREPARE) and its commits wait for the disk (no SET synchronous_commit),
# a mailing's writer holds a lease in the cache instead of a session advisory lock (core/locks.py),
# and querysets are not read through server-side cursors. Off, those cost less; docs/operations.md
# ("PgBouncer") weighs them.
PGBOUNCER_TRANSACTION_POOLING = env.bool("PGBOUNCER_TRANSACTION_POOLING", default=False)
if PGBOUNCER_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker and the shared cache. Unset, Celery runs tasks in-process and the
# cache is this process's memory (fine for one process, which is what the embedded default is).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="rally"),
            "OPTIONS": {
                # A cache outage must not take pages down with it.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rally"}}

# The release this process runs: part of the key of every page, fragment and copy of an action in
# the cache, so a deploy never serves the previous release's HTML (docs/operations.md). Set it to
# the deployed commit; unset, it is the code's version and a digest of its source.
RELEASE_ID = env.str("RELEASE_ID", default="") or code_release(BASE_DIR)

# Celery
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "America/Toronto"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Reliability: a task is acknowledged only once it has run, and comes back if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep database connections between tasks (config/celery.py closes old or broken ones as Django
# does between requests); Celery's fixup then force-closes them only every thousand tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# Longer than the longest task (time limit above) so Redis never hands a running task to a second
# worker; no task is ever scheduled with an ETA beyond it (retries live in the outbox rows).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose Redis goes away keeps trying to reconnect for as long as it takes (Celery's default
# gives up after 100 tries and exits); config.broker.Transport gets past an error of Celery 5.7.0 that
# made it exit at once instead (docs/operations.md).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
if REDIS_URL:
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
# A task running when the connection drops finishes; its acknowledgement is lost, so Redis hands it
# out again after the visibility timeout, and the task skips what it already did (outbox rows carry
# their status). Cancelling it instead would cut a delivery run off in the middle of a message.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic jobs; django-celery-beat copies them into the database, where the admin edits them.
CELERY_BEAT_SCHEDULE: dict = {}

# Email: one way out, through the outbox (emails/). The workers send with EMAIL_BACKEND, which is
# - EMAIL_URL unset: emails.backends.FileAndConsoleBackend, each message a file under var/mail/;
# - EMAIL_URL an smtp:// address (django-environ names Django's SMTP backend for it), or
#   EMAIL_BACKEND set to Django's SMTP backend: RALLY_SMTP_BACKEND, Rally's subclass of Django's
#   SMTP backend, which sends the outbox's own messages as the bytes rendered for them (without
#   the email package's second pass) and every other message exactly as Django's does;
# - EMAIL_BACKEND set to anything else (an ESP through django-anymail, such as
#   anymail.backends.postmark.EmailBackend): that backend, as it is.
DJANGO_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
RALLY_SMTP_BACKEND = "emails.backends.SMTPBackend"
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    globals().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "emails.backends.FileAndConsoleBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)
if EMAIL_BACKEND == DJANGO_SMTP_BACKEND:
    EMAIL_BACKEND = RALLY_SMTP_BACKEND
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
ANYMAIL = {"WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="")}
# The one provider whose bounce and complaint webhook is mounted (emails/webhooks.py): the ESP
# Rally sends through, or set it when sending through that provider's SMTP relay.
_backend_package = EMAIL_BACKEND.rsplit(".", 2)
EMAIL_WEBHOOK_ESP = env.str(
    "EMAIL_WEBHOOK_ESP", default=_backend_package[1] if _backend_package[0] == "anymail.backends" else ""
)

# Accounts: a custom user whose login is the email address, through django-allauth.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 9}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Rally] "
# allauth's defaults, written out: failed sign-ins are limited per address and per IP for a few
# minutes, so a real owner is slowed, never locked out for good.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_email": "1/m/user",
}
# An address with no account gets no mail at all (the page answers the same either way), and each
# address gets at most this many reset and confirmation mails (emails/account_mail.py).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_MAIL_CAP_PER_HOUR = env.int("ACCOUNT_MAIL_CAP_PER_HOUR", default=3)
ACCOUNT_MAIL_CAP_PER_DAY = env.int("ACCOUNT_MAIL_CAP_PER_DAY", default=10)
# Links in emails (docs/security.md): an account's confirmation and reset links, an unsubscribe link
# (at least 60 days, so a monthly email's link still works). A signature's confirmation link lives
# as long as the unconfirmed signature (SIGNATURE_CONFIRMATION_DAYS).
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)
UNSUBSCRIBE_LINK_DAYS = max(env.int("UNSUBSCRIBE_LINK_DAYS", default=365), 60)
# Unsubscribe links mailed before tokens were opaque carry no date: read while this is on.
UNSUBSCRIBE_ACCEPT_SIGNED_TOKENS = env.bool("UNSUBSCRIBE_ACCEPT_SIGNED_TOKENS", default=True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Rally"
# Staff reach the admin only with two-factor authentication, except in development.
ADMIN_REQUIRES_MFA = env.bool("ADMIN_REQUIRES_MFA", default=not DEBUG)

# Internationalisation: every public page at /en/…, /fr/… and without a prefix (core.languages).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
# locale_allauth: allauth's French reworded for Canada ("courriel"); after locale/, which `make
# messages` writes.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
LANGUAGE_COOKIE_NAME = "rally_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Translated content (django-modeltranslation): title_en and title_fr beside title; reading
# `title` gives the active language's text, else the English (docs/architecture.md, "Two languages").
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# A text given without a language (Campaign(title=...)) also becomes the English where the field
# is required, whatever language is active: the English that French falls back to is never empty.
MODELTRANSLATION_AUTO_POPULATE = "required"
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

# Static files: Bootstrap comes from a package (django-bootstrap-static), never from a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "core.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# /healthz shows the outbox's counts to staff and to a monitor sending `Authorization: Bearer <this>`.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")

# Proxies: only the last TRUSTED_PROXY_COUNT hops of X-Forwarded-For are believed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Rally is served at the root. Without this, Django takes the prefix of every link from the
# server's SCRIPT_NAME, which a client can set (a header gunicorn may pass on), and pages and links
# kept for every visitor would carry it (see core.reversing.at_site_root).
FORCE_SCRIPT_NAME = "/"
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = False

# Security: strict whenever DEBUG is off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL] if SITE_URL else [])

# Content security policy: nothing from another origin, no inline script or style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Outbox delivery (emails/): the global sending rate (0 = unlimited), retries and the sweeper.
EMAIL_RATE_PER_SECOND = env.float("EMAIL_RATE_PER_SECOND", default=0)
EMAIL_RATE_BURST = env.int("EMAIL_RATE_BURST", default=50)
EMAIL_RATE_BUCKET_KEY = f"{env.str('CACHE_KEY_PREFIX', default='rally')}:email-rate"
EMAIL_BODY_RETENTION_DAYS = env.int("EMAIL_BODY_RETENTION_DAYS", default=90)
EMAIL_DELIVERY_BATCH_SIZE = env.int("EMAIL_DELIVERY_BATCH_SIZE", default=250)
# Connections one delivery run talks to the mail server over at once (a thread each).
EMAIL_SMTP_CONNECTIONS = env.int("EMAIL_SMTP_CONNECTIONS", default=4)
# A row held by a worker that died is taken back after this many seconds (live workers refresh
# their claim every quarter of it); with the sweeper running every minute, within two minutes.
EMAIL_CLAIM_TIMEOUT = env.int("EMAIL_CLAIM_TIMEOUT", default=60)
# Rows still queued this many seconds after they were written lost their task (broker down).
EMAIL_DISPATCH_GRACE = env.int("EMAIL_DISPATCH_GRACE", default=30)
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)
EMAIL_RETRY_BASE_SECONDS = env.float("EMAIL_RETRY_BASE_SECONDS", default=30)
EMAIL_RETRY_MAX_SECONDS = env.float("EMAIL_RETRY_MAX_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {"task": "emails.tasks.sweep_outbox", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["outbox-purge-bodies"] = {"task": "emails.tasks.purge_email_bodies", "schedule": 3600.0}
# Digests: sent at DIGEST_HOUR in each supporter's time zone (weekly ones on DIGEST_WEEKDAY, 0 =
# Monday); beat checks every DIGEST_CHECK_SECONDS and queues the due supporters in pk ranges.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=8)
DIGEST_WEEKDAY = env.int("DIGEST_WEEKDAY", default=0)
DIGEST_INACTIVE_DAYS = env.int("DIGEST_INACTIVE_DAYS", default=180)
DIGEST_BATCH_SIZE = env.int("DIGEST_BATCH_SIZE", default=500)
DIGEST_CHECK_SECONDS = env.int("DIGEST_CHECK_SECONDS", default=900)
CELERY_BEAT_SCHEDULE["emails-digests"] = {
    "task": "emails.tasks.schedule_digests",
    "schedule": float(DIGEST_CHECK_SECONDS),
}
CELERY_BEAT_SCHEDULE["emails-mailings-due"] = {"task": "emails.tasks.send_due_mailings", "schedule": 60.0}
# Sending has a queue of its own (so the sweeper can see how much is waiting); a plain
# `celery -A config worker` consumes every queue listed here. A task routed elsewhere must add
# its queue to this list (tests/emails/test_celery_config.py checks it).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery", routing_key="celery"), Queue("emails", routing_key="emails")]
CELERY_TASK_ROUTES = {"emails.tasks.deliver_outbox": {"queue": "emails"}}
# Publishing a task must fail fast when Redis is down or hung, never hang the request: the row
# is safe in the outbox and the sweeper dispatches it later. kombu otherwise retries connecting
# for broker_connection_timeout and waits forever on a socket that never answers.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS.update(
    {
        "max_retries": 0,
        "socket_connect_timeout": 2,
        "socket_timeout": 2,
        "retry_on_timeout": False,
    }
)

# The public, read-only JSON API (api/): anonymous, paginated, throttled per IP, OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_RATE_LIMIT", default="600/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rally public API",
    "DESCRIPTION": "Read-only open data: campaigns, actions and their counts, and the policy tracker. "
    "No personal data is ever included.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVERS": [{"url": SITE_URL}],
    # drf-spectacular's own hook, then the 404 and 429 every endpoint may answer.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
}

# Campaigns: signatures, counts, embedding and the signing limits (README.md, "Default limits").
# Unconfirmed signatures expire after this long; a confirmation this long after an action closed
# still counts (the email may have sat in an inbox while the action closed).
SIGNATURE_CONFIRMATION_DAYS = env.int("SIGNATURE_CONFIRMATION_DAYS", default=14)
SIGNATURE_CONFIRM_GRACE_HOURS = env.int("SIGNATURE_CONFIRM_GRACE_HOURS", default=24)
# No address gets more than this many emails about one signature, whatever anyone posts.
SIGNATURE_MAX_EMAILS = env.int("SIGNATURE_MAX_EMAILS", default=5)
# Domains whose local part ignores dots and +tags (googlemail.com is also folded into gmail.com).
SIGNATURE_ALIAS_INSENSITIVE_DOMAINS = env.list(
    "SIGNATURE_ALIAS_INSENSITIVE_DOMAINS", default=["gmail.com", "googlemail.com"]
)
# The country assumed for a postal code when an action does not ask for the country.
SIGNATURE_DEFAULT_COUNTRY = env.str("SIGNATURE_DEFAULT_COUNTRY", default="CA")
# Counts shown anywhere are at most this many seconds behind the confirmed signatures.
COUNT_DELAY_SECONDS = env.int("COUNT_DELAY_SECONDS", default=5)
# A share image (og:image) shows the count as it was at most this many seconds ago: it is drawn
# again at most this often however fast the count moves (campaigns/share_cards.py).
SHARE_CARD_SECONDS = env.int("SHARE_CARD_SECONDS", default=300)
# How long a drawn share image stays in the shared cache (its count may still be the latest).
SHARE_CARD_KEPT_SECONDS = env.int("SHARE_CARD_KEPT_SECONDS", default=3600)
# Partner sites allowed to frame /act/<slug>/embed/ and to post its form (e.g. https://partner.example).
EMBED_ALLOWED_ORIGINS = [origin.rstrip("/") for origin in env.list("EMBED_ALLOWED_ORIGINS", default=[])]
# Signing limits per IP address (kept only as an HMAC under this secret; derived from SECRET_KEY
# when unset, so rotating SECRET_KEY also forgets every stored IP hash).
SIGNING_IP_HASH_SECRET = env.str("SIGNING_IP_HASH_SECRET", default="")
SIGNING_BURST_LIMIT = env.int("SIGNING_BURST_LIMIT", default=10)
SIGNING_BURST_WINDOW_SECONDS = env.int("SIGNING_BURST_WINDOW_SECONDS", default=60)
SIGNING_SUSTAINED_LIMIT = env.int("SIGNING_SUSTAINED_LIMIT", default=100)
SIGNING_SUSTAINED_WINDOW_SECONDS = env.int("SIGNING_SUSTAINED_WINDOW_SECONDS", default=86400)
# Shared addresses (a campus, an office, a rally's wifi) exempt from the per-IP limits: IPs or CIDRs.
SIGNING_ALLOWED_NETWORKS = env.list("SIGNING_ALLOWED_NETWORKS", default=[])
SIGNING_BLOCKED_NETWORKS = env.list("SIGNING_BLOCKED_NETWORKS", default=[])
SIGNING_BLOCKED_EMAIL_DOMAINS = env.list(
    "SIGNING_BLOCKED_EMAIL_DOMAINS",
    default=["mailinator.com", "guerrillamail.com", "sharklasers.com", "yopmail.com", "10minutemail.com"],
)
# Letters to decision-makers: the longest letter a supporter may send; how many single letters a
# new decision-maker gets an hour at most (staff change it per decision-maker; the rest wait in the
# outbox); how many letters one daily bundle email holds before the next email of the day.
LETTER_MAX_LENGTH = env.int("LETTER_MAX_LENGTH", default=5000)
LETTER_TARGET_MAX_PER_HOUR = env.int("LETTER_TARGET_MAX_PER_HOUR", default=60)
LETTER_BUNDLE_MAX_LETTERS = env.int("LETTER_BUNDLE_MAX_LETTERS", default=200)
# Letters to each supporter's own MP: Open North's Represent API (or a mirror) gives the directory
# of representatives and the riding of a postal code. A lookup waits REPRESENT_TIMEOUT_SECONDS per
# attempt, REPRESENT_RETRIES more attempts at most; its answer is kept POSTAL_CODE_LOOKUP_DAYS.
REPRESENT_URL = env.str("REPRESENT_URL", default="https://represent.opennorth.ca").rstrip("/")
REPRESENT_TIMEOUT_SECONDS = env.float("REPRESENT_TIMEOUT_SECONDS", default=3.0)
REPRESENT_RETRIES = env.int("REPRESENT_RETRIES", default=2)
POSTAL_CODE_LOOKUP_DAYS = env.int("POSTAL_CODE_LOOKUP_DAYS", default=30)
# After a failed lookup, lookups answer "unavailable" at once for this long (the letter still waits).
REPRESENT_DOWN_SECONDS = env.int("REPRESENT_DOWN_SECONDS", default=30)
# Lookups per minute one IP address may ask of the action form's "Your MP" endpoint.
MP_LOOKUPS_PER_MINUTE = env.int("MP_LOOKUPS_PER_MINUTE", default=30)
# The signing limits and lists above are only the first values: staff edit them in the admin. Each
# process reuses what it read for this long at most; saving in the admin makes every process re-read.
SIGNING_RULES_CACHE_SECONDS = env.int("SIGNING_RULES_CACHE_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["campaigns-publish-scheduled"] = {
    "task": "campaigns.tasks.publish_scheduled_campaigns",
    "schedule": 60.0,
}
# Hourly, so a day's bundles go out soon after midnight even if one run is missed.
CELERY_BEAT_SCHEDULE["campaigns-letter-bundles"] = {
    "task": "campaigns.tasks.send_letter_bundles",
    "schedule": crontab(minute=10),
}
# The directory of MPs, weekly (Monday night); letters waiting for a postal code lookup, often.
CELERY_BEAT_SCHEDULE["campaigns-import-representatives"] = {
    "task": "campaigns.tasks.import_representatives",
    "schedule": crontab(day_of_week=1, hour=4, minute=20),
}
CELERY_BEAT_SCHEDULE["campaigns-address-waiting-letters"] = {
    "task": "campaigns.tasks.address_waiting_letters",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["campaigns-fold-counts"] = {
    "task": "campaigns.tasks.fold_counts",
    "schedule": float(COUNT_DELAY_SECONDS),
}
CELERY_BEAT_SCHEDULE["campaigns-close-due-actions"] = {"task": "campaigns.tasks.close_due_actions", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["campaigns-expire-signatures"] = {"task": "campaigns.tasks.expire_signatures", "schedule": 900.0}
CELERY_BEAT_SCHEDULE["campaigns-record-history"] = {"task": "campaigns.tasks.record_count_history", "schedule": 600.0}
CELERY_BEAT_SCHEDULE["campaigns-reconcile-counts"] = {
    "task": "campaigns.tasks.reconcile_counts",
    "schedule": crontab(hour=3, minute=30),
}
# The API's status enums, named once (campaigns and actions each have a "status").
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "CampaignStatusEnum": "campaigns.models.Campaign.Status",
        "ActionKindEnum": "campaigns.models.Action.Kind",
        "ActionPublicStatusEnum": [("live", "live"), ("closed", "closed")],
    }
)

# Tracker: followers' hourly news batches are written once their window has closed.
CELERY_BEAT_SCHEDULE["tracker-notifications"] = {"task": "tracker.tasks.send_due_notifications", "schedule": 60.0}
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "TrackerAssessmentEnum": "tracker.models.Assessment",
        "DevelopmentKindEnum": "tracker.models.Development.Kind",
        "TrackerReviewStatusEnum": "tracker.models.Review.Status",
    }
)
