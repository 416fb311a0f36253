"""The yardstick for bench_signing: a minimal Django form that writes the same two rows as a
signature (the signature and its confirmation email's outbox row), in one transaction, served by
the same gunicorn shape, so that Rally's signing figures can be read against Django's own cost.

Nothing of Rally is imported: its own settings (DJANGO_SETTINGS_MODULE=bench.minimal.settings),
URLs, two models and one view, on the run's PostgreSQL database (tables minimal_*)."""
