"""The Celery app. Settings come from Django's settings under the CELERY_ namespace."""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("rally")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The project package is not an installed app, so its diagnostic tasks are named here.
app.autodiscover_tasks(["config"])


@worker_process_init.connect
def _freeze_startup_objects(**_kwargs):
    """Everything imported before a pool process starts lives as long as the process: moved out
    of the garbage collector's sight, each collection has that much less to walk (sending a batch
    of digests makes enough objects to start many). About a tenth of a digest's CPU."""
    gc.collect()
    gc.freeze()
