"""A plain Django project's settings, production-like (DEBUG off, CSRF on), and nothing more."""

import environ

env = environ.Env()

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
ROOT_URLCONF = "bench.minimal.urls"
WSGI_APPLICATION = "bench.minimal.wsgi.application"
INSTALLED_APPS = ["bench.minimal"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
# As Rally's: one connection per thread, kept between requests.
DATABASES = {"default": {**env.db("DATABASE_URL"), "CONN_MAX_AGE": 60}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
SECURE_SSL_REDIRECT = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
