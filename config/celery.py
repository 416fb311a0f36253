"""The Celery app. Settings come from Django's settings under the CELERY_ namespace."""

import gc
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("rally")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _freeze_startup_objects(**_kwargs):
    """Everything imported before a pool process starts lives as long as the process: moved out
    of the garbage collector's sight, each collection has that much less to walk (sending a batch
    of digests makes enough objects to start many). About a tenth of a digest's CPU."""
    gc.collect()
    gc.freeze()


@task_prerun.connect
@task_postrun.connect
def _close_old_connections(task=None, **_kwargs):
    """Between tasks, Django's rule between requests: a database connection older than
    CONN_MAX_AGE, or broken, is closed; a good one is kept. (Celery's own fixup closes every
    connection around every task unless CELERY_DB_REUSE_MAX is set: a new PostgreSQL session,
    with its start-up cost and cold caches, for each batch of 100 emails.) Tasks run in-process
    (eager) are inside someone's request or transaction and are left alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
